#include "rtp/video_keyframe.hpp"

#include <strings.h>

#include "rtp/vp8_descriptor.hpp"
#include "rtp/vp9_descriptor.hpp"

namespace treff::rtp {

namespace {

constexpr uint8_t kH264Idr = 5;
constexpr uint8_t kH264Sps = 7;
constexpr uint8_t kH264StapA = 24;
constexpr uint8_t kH264FuA = 28;

bool startsDecoding(uint8_t nalType) { return nalType == kH264Idr || nalType == kH264Sps; }

bool equalsIgnoringCase(std::string_view a, const char* b) {
  return a.size() == std::char_traits<char>::length(b) && strncasecmp(a.data(), b, a.size()) == 0;
}

}  // namespace

VideoCodec videoCodecOf(std::string_view name) {
  if (equalsIgnoringCase(name, "VP8")) return VideoCodec::Vp8;
  if (equalsIgnoringCase(name, "VP9")) return VideoCodec::Vp9;
  if (equalsIgnoringCase(name, "H264")) return VideoCodec::H264;
  if (equalsIgnoringCase(name, "AV1")) return VideoCodec::Av1;
  return VideoCodec::Other;
}

bool isH264Keyframe(util::ConstBytes payload) {
  // RFC 6184 §5.3: the NAL unit header's low five bits are its type; 1..23 is a single NAL
  // unit packet, 24 a STAP-A (§5.7.1: 16-bit sizes, each followed by a NAL unit), 28 a FU-A
  // (§5.8: a FU header with S, E, R and the fragmented unit's type).
  if (payload.empty()) return false;
  const uint8_t type = payload[0] & 0x1f;
  if (type >= 1 && type <= 23) return startsDecoding(type);
  if (type == kH264StapA) {
    size_t pos = 1;
    while (pos + 2 < payload.size()) {
      const size_t size = util::loadBe16(&payload[pos]);
      pos += 2;
      if (size == 0 || size > payload.size() - pos) return false;
      if (startsDecoding(payload[pos] & 0x1f)) return true;
      pos += size;
    }
    return false;
  }
  if (type == kH264FuA) {
    if (payload.size() < 3) return false;
    const bool start = (payload[1] & 0x80) != 0;
    return start && startsDecoding(payload[1] & 0x1f);
  }
  return false;
}

bool isAv1Keyframe(util::ConstBytes payload) {
  // Aggregation header: |Z|Y| W |N|-|-|-|. Z: the first OBU continues one from the previous
  // packet. N: the packet is the first of a coded video sequence.
  if (payload.size() < 2) return false;
  const uint8_t header = payload[0];
  return (header & 0x80) == 0 && (header & 0x08) != 0;
}

bool isKeyframe(VideoCodec codec, util::ConstBytes payload) {
  switch (codec) {
    case VideoCodec::Vp8:
      return isVp8Keyframe(payload);
    case VideoCodec::Vp9:
      return isVp9Keyframe(payload);
    case VideoCodec::H264:
      return isH264Keyframe(payload);
    case VideoCodec::Av1:
      return isAv1Keyframe(payload);
    case VideoCodec::Other:
      return false;
  }
  return false;
}

}  // namespace treff::rtp
