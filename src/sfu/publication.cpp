#include "sfu/publication.hpp"

#include <strings.h>

#include <algorithm>

#include "rtp/dependency_descriptor.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp9_descriptor.hpp"

namespace treff::sfu {
namespace {

// A typical rate for the top, middle and bottom layer of a 720p camera ladder, for a layer that
// sends but was not measured yet.
constexpr uint64_t kTypicalBps[] = {150'000, 500'000, 1'500'000};

uint64_t typicalBps(size_t layer, size_t count) {
  const size_t fromTop = count - 1 - layer;
  return fromTop < 3 ? kTypicalBps[2 - fromTop] : kTypicalBps[0];
}

bool active(uint64_t lastPacketUs, uint64_t nowUs, uint64_t windowUs) {
  return lastPacketUs && nowUs - lastPacketUs < windowUs;
}

}  // namespace

Publication::Publication(std::string publisher, const PublicationSpec& spec,
                         const rtp::ExtensionIdMap& extensions)
    : publisher_(std::move(publisher)), spec_(spec), extensions_(extensions) {
  for (auto& codec : spec_.codecs) {
    codec.video = rtp::videoCodecOf(codec.name);
    // AV1 SVC is read from the dependency descriptor against the structure in force: made
    // here, so the media path never allocates it.
    if (codec.video == rtp::VideoCodec::Av1 && !dependencyStructure_)
      dependencyStructure_ = std::make_unique<rtp::FrameDependencyStructure>();
  }
  clockRate_ = spec.codecs.empty() ? (video() ? 90000 : 48000) : spec.codecs.front().clockRate;
  size_t count = spec.rids.empty() ? 1 : spec.rids.size();
  layers_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    Layer& layer = layers_[i];
    if (!spec.rids.empty()) layer.rid = spec.rids[i];
    if (video()) {
      layer.ring = std::make_unique<rtp::RetransmissionRing>();
      layer.nacks = std::make_unique<rtp::NackGenerator>();
    }
  }
  // Without simulcast the SDP may name the SSRC up front.
  if (count == 1 && !spec.ssrcs.empty()) layers_[0].ssrc = spec.ssrcs.front().first;
}

Publication::~Publication() = default;

SvcLayer Publication::classify(const rtp::RtpPacket& packet, rtp::VideoCodec codec,
                               uint64_t nowUs) {
  SvcLayer info;
  if (layers_.size() != 1) return info;  // simulcast: the encodings are the layers
  size_t announced = 0;                  // spatial layers a key frame announced
  uint16_t widths[kMaxSpatialLayers] = {}, heights[kMaxSpatialLayers] = {};
  if (codec == rtp::VideoCodec::Vp9) {
    rtp::Vp9Descriptor d;
    if (!rtp::parseVp9Descriptor(packet.payload(), &d) || !d.hasLayerIndices) return info;
    info = {true, d.spatialId, d.temporalId, d.startOfFrame, d.endOfFrame};
    if (d.hasScalability) {
      announced = d.spatialLayerCount;
      for (size_t i = 0; d.hasResolutions && i < d.spatialLayerCount && i < kMaxSpatialLayers;
           ++i) {
        widths[i] = d.width[i];
        heights[i] = d.height[i];
      }
    }
  } else if (codec == rtp::VideoCodec::Av1) {
    const uint8_t id = extensions_.idOf(rtp::ExtensionType::DependencyDescriptor);
    util::ConstBytes ext = id ? packet.findExtension(id) : util::ConstBytes();
    if (!ext.data() || !dependencyStructure_) return info;
    rtp::DependencyDescriptor d;
    if (!rtp::parseDependencyDescriptor(ext, *dependencyStructure_, &d)) return info;
    info = {true, d.spatialId, d.temporalId, d.startOfFrame, d.endOfFrame};
    if (d.carriesStructure) {
      const rtp::FrameDependencyStructure& s = *dependencyStructure_;
      announced = s.maxSpatialId + 1u;
      for (size_t i = 0; s.hasResolutions && i <= s.maxSpatialId && i < kMaxSpatialLayers; ++i) {
        widths[i] = s.width[i];
        heights[i] = s.height[i];
      }
    }
  } else {
    // Another codec now (the room changed codecs, the track kept its m-section): one layer.
    spatialLayerCount_ = 1;
    return info;
  }
  if (info.spatialId >= kMaxSpatialLayers) {
    info.known = false;  // more layers than kept: its place is unknown
    return info;
  }
  for (size_t i = 0; i < announced && i < kMaxSpatialLayers; ++i) {
    if (heights[i]) {
      spatial_[i].width = widths[i];
      spatial_[i].height = heights[i];
    }
  }
  const size_t seen = std::max<size_t>(std::min(announced, kMaxSpatialLayers), info.spatialId + 1u);
  if (seen > spatialLayerCount_) spatialLayerCount_ = seen;
  SpatialLayer& layer = spatial_[info.spatialId];
  layer.lastPacketUs = nowUs;
  layer.bytesSinceMeasure += packet.size();
  return info;
}

int Publication::layerOf(std::string_view rid) const {
  if (spec_.rids.empty()) return 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].rid == rid) return static_cast<int>(i);
  }
  return -1;
}

int Publication::layerOfSsrc(uint32_t ssrc) const {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].ssrc == ssrc && ssrc != 0) return static_cast<int>(i);
  }
  return -1;
}

int Publication::highestActiveLayer(uint64_t nowUs, uint64_t windowUs) const {
  return highestActiveLayerAtMost(static_cast<int>(selectableLayerCount()) - 1, nowUs, windowUs);
}

int Publication::highestActiveLayerAtMost(int cap, uint64_t nowUs, uint64_t windowUs) const {
  // Simulcast encodings are offered lowest first (q, h, f), as browsers order them.
  const int top = std::min(cap, static_cast<int>(selectableLayerCount()) - 1);
  for (int i = top; i >= 0; --i) {
    const uint64_t last = scalable() ? spatial_[i].lastPacketUs : layers_[i].lastPacketUs;
    if (active(last, nowUs, windowUs)) return i;
  }
  return -1;
}

int Publication::lowestActiveLayer(uint64_t nowUs, uint64_t windowUs) const {
  for (size_t i = 0; i < selectableLayerCount(); ++i) {
    const uint64_t last = scalable() ? spatial_[i].lastPacketUs : layers_[i].lastPacketUs;
    if (active(last, nowUs, windowUs)) return static_cast<int>(i);
  }
  return -1;
}

uint64_t Publication::layerCostBps(size_t layer) const {
  const size_t count = selectableLayerCount();
  if (layer >= count) return 0;
  if (!scalable()) {
    const Layer& l = layers_[layer];
    if (l.bitrateBps) return l.bitrateBps;
    return l.lastPacketUs ? typicalBps(layer, count) : 0;
  }
  if (!spatial_[layer].lastPacketUs) return 0;
  uint64_t sum = 0;
  for (size_t i = 0; i <= layer; ++i) {
    const SpatialLayer& s = spatial_[i];
    if (s.bitrateBps) {
      sum += s.bitrateBps;
    } else if (s.lastPacketUs) {
      // The typical rates are whole simulcast streams; a spatial layer adds its difference.
      sum += typicalBps(i, count) - (i > 0 ? typicalBps(i - 1, count) : 0);
    }
  }
  return sum;
}

void Publication::measureBitrates(uint64_t nowUs) {
  if (lastMeasureUs_ == 0 || nowUs <= lastMeasureUs_) {
    lastMeasureUs_ = nowUs;
    for (auto& l : layers_) l.bytesSinceMeasure = 0;
    for (auto& l : spatial_) l.bytesSinceMeasure = 0;
    return;
  }
  const uint64_t elapsedUs = nowUs - lastMeasureUs_;
  lastMeasureUs_ = nowUs;
  auto fold = [elapsedUs](uint64_t& bytes, uint64_t& rate) {
    const uint64_t bps = bytes * 8 * 1'000'000 / elapsedUs;
    bytes = 0;
    // A layer that went quiet keeps its last rate (see Layer::bitrateBps).
    if (bps == 0) return;
    rate = rate == 0 ? bps : (rate * 3 + bps) / 4;
  };
  for (auto& l : layers_) fold(l.bytesSinceMeasure, l.bitrateBps);
  for (auto& l : spatial_) fold(l.bytesSinceMeasure, l.bitrateBps);
}

bool Publication::updateNeededLayer(int want) {
  constexpr int kRoundsBeforeLowering = 3;
  if (want >= neededLayer_) {
    lowerRounds_ = 0;
    if (want == neededLayer_) return false;
    neededLayer_ = want;
    return true;
  }
  if (++lowerRounds_ < kRoundsBeforeLowering) return false;
  lowerRounds_ = 0;
  neededLayer_ = want;
  return true;
}

uint32_t Publication::layerHeight(size_t layer) const {
  const size_t count = selectableLayerCount();
  if (scalable()) {
    if (layer < count && spatial_[layer].height) return spatial_[layer].height;
  } else if (layer < layers_.size() && layers_[layer].height) {
    return layers_[layer].height;
  }
  const size_t stepsDown = layer < count ? count - 1 - layer : 0;
  return 720u >> stepsDown;
}

const CodecSpec* Publication::codecOf(uint8_t payloadType, bool* isRtx) const {
  *isRtx = false;
  for (const auto& c : spec_.codecs) {
    if (c.payloadType == payloadType) return &c;
    if (c.rtxPayloadType && *c.rtxPayloadType == payloadType) {
      *isRtx = true;
      return &c;
    }
  }
  return nullptr;
}

}  // namespace treff::sfu
