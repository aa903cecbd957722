#include "rtp/dependency_descriptor.hpp"

namespace treff::rtp {
namespace {

// Most significant bit first, as the descriptor's syntax reads (f(n) and ns(n) of the spec).
class BitReader {
 public:
  explicit BitReader(util::ConstBytes bytes) : bytes_(bytes) {}

  bool ok() const { return ok_; }
  size_t bitsLeft() const { return bytes_.size() * 8 - pos_; }

  uint32_t bits(unsigned n) {
    uint32_t v = 0;
    if (n > bitsLeft()) {
      ok_ = false;
      pos_ = bytes_.size() * 8;
      return 0;
    }
    for (unsigned i = 0; i < n; ++i, ++pos_) {
      v = v << 1 | ((bytes_[pos_ / 8] >> (7 - pos_ % 8)) & 1u);
    }
    return v;
  }
  bool flag() { return bits(1) != 0; }

  // ns(n): a value in [0, n) coded in w-1 or w bits (AV1 specification §4.10.7).
  uint32_t nonSymmetric(uint32_t n) {
    unsigned w = 0;
    for (uint32_t x = n; x != 0; x >>= 1) ++w;
    if (w == 0) return 0;
    const uint32_t m = (1u << w) - n;
    const uint32_t v = bits(w - 1);
    if (v < m) return v;
    return (v << 1) - m + bits(1);
  }

 private:
  util::ConstBytes bytes_;
  size_t pos_ = 0;
  bool ok_ = true;
};

// template_dependency_structure(): fills `s`; false with a reason.
bool readStructure(BitReader& r, FrameDependencyStructure& s, DdError* why) {
  s = FrameDependencyStructure{};
  s.templateIdOffset = static_cast<uint8_t>(r.bits(6));
  s.decodeTargetCount = static_cast<uint8_t>(r.bits(5) + 1);
  // template_layers(): each step says whether the next template stays on the layer, goes up a
  // temporal layer, goes up a spatial layer (temporal back to 0), or ends the list.
  uint8_t spatial = 0, temporal = 0;
  for (;;) {
    if (s.templateCount == FrameDependencyStructure::kMaxTemplates) {
      *why = DdError::TooLarge;
      return false;
    }
    s.templateSpatialId[s.templateCount] = spatial;
    s.templateTemporalId[s.templateCount] = temporal;
    ++s.templateCount;
    const uint32_t next = r.bits(2);
    if (!r.ok()) break;
    if (next == 3) break;
    if (next == 1) {
      ++temporal;
      if (temporal > s.maxTemporalId) s.maxTemporalId = temporal;
    } else if (next == 2) {
      temporal = 0;
      ++spatial;
    }
  }
  s.maxSpatialId = spatial;
  if (s.maxSpatialId >= FrameDependencyStructure::kMaxSpatialLayers) {
    *why = r.ok() ? DdError::TooLarge : DdError::Truncated;
    return false;
  }
  // template_dtis(): two bits per template and decode target.
  for (size_t t = 0; t < s.templateCount; ++t) r.bits(2u * s.decodeTargetCount);
  // template_fdiffs(): per template, a flag-terminated list of 4-bit differences.
  for (size_t t = 0; t < s.templateCount && r.ok(); ++t) {
    while (r.flag()) r.bits(4);
  }
  // template_chains()
  s.chainCount = static_cast<uint8_t>(r.nonSymmetric(s.decodeTargetCount + 1u));
  if (s.chainCount > 0) {
    for (size_t dt = 0; dt < s.decodeTargetCount; ++dt) r.nonSymmetric(s.chainCount);
    for (size_t t = 0; t < s.templateCount; ++t) r.bits(4u * s.chainCount);
  }
  // decode_target_layers() is derived, not coded; then the optional render resolutions.
  s.hasResolutions = r.flag();
  if (s.hasResolutions) {
    for (size_t sid = 0; sid <= s.maxSpatialId; ++sid) {
      s.width[sid] = static_cast<uint16_t>(r.bits(16) + 1);
      s.height[sid] = static_cast<uint16_t>(r.bits(16) + 1);
    }
  }
  if (!r.ok()) {
    *why = DdError::Truncated;
    return false;
  }
  s.valid = true;
  return true;
}

}  // namespace

bool parseDependencyDescriptor(util::ConstBytes extension, FrameDependencyStructure& structure,
                               DependencyDescriptor* out, DdError* why) {
  DdError ignored = DdError::None;
  if (!why) why = &ignored;
  *why = DdError::None;
  if (extension.size() < 3) {
    *why = DdError::TooShort;
    return false;
  }
  BitReader r(extension);
  DependencyDescriptor d;
  // mandatory_descriptor_fields()
  d.startOfFrame = r.flag();
  d.endOfFrame = r.flag();
  d.templateId = static_cast<uint8_t>(r.bits(6));
  d.frameNumber = static_cast<uint16_t>(r.bits(16));

  bool customDtis = false, customFdiffs = false, customChains = false;
  FrameDependencyStructure carried;
  const FrameDependencyStructure* s = &structure;
  if (extension.size() > 3) {
    // extended_descriptor_fields()
    d.carriesStructure = r.flag();
    d.hasActiveDecodeTargets = r.flag();
    customDtis = r.flag();
    customFdiffs = r.flag();
    customChains = r.flag();
    if (d.carriesStructure) {
      if (!readStructure(r, carried, why)) return false;
      s = &carried;
    }
    if (d.hasActiveDecodeTargets && s->valid) {
      d.activeDecodeTargets = r.bits(s->decodeTargetCount);
    }
  }
  if (!s->valid) {
    *why = DdError::NoStructure;
    return false;
  }
  // frame_dependency_definition()
  const size_t index = (d.templateId + 64u - s->templateIdOffset) % 64u;
  if (index >= s->templateCount) {
    *why = DdError::BadTemplate;
    return false;
  }
  d.spatialId = s->templateSpatialId[index];
  d.temporalId = s->templateTemporalId[index];
  if (!d.hasActiveDecodeTargets) {
    d.activeDecodeTargets =
        s->decodeTargetCount >= 32 ? 0xffffffffu : (1u << s->decodeTargetCount) - 1;
  }
  if (customDtis) r.bits(2u * s->decodeTargetCount);
  if (customFdiffs) {
    for (uint32_t size = r.bits(2); size != 0 && r.ok(); size = r.bits(2)) r.bits(4 * size);
  }
  if (customChains) r.bits(8u * s->chainCount);
  if (!r.ok()) {
    *why = DdError::Truncated;
    return false;
  }
  if (d.carriesStructure) structure = carried;
  *out = d;
  return true;
}

}  // namespace treff::rtp
