// libFuzzer target: the video payload readers an SFU runs on every forwarded packet: the VP9
// payload descriptor (with its scalability structure), and the key frame checks for VP8, VP9, H.264
// and AV1. The first byte picks the codec; the rest is the RTP payload.
#include <cstddef>
#include <cstdint>

#include "rtp/video_keyframe.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "rtp/vp9_descriptor.hpp"

using namespace treff::rtp;

namespace {
volatile uint64_t sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto codec = static_cast<VideoCodec>(data[0] % 5);
  treff::util::ConstBytes payload(data + 1, size - 1);
  const bool key = isKeyframe(codec, payload);
  uint16_t width = 0, height = 0;
  if (vp8KeyframeSize(payload, &width, &height)) {
    if (!isVp8Keyframe(payload) || width == 0 || width > 0x3fff || height == 0) __builtin_trap();
    sink = sink + width + height;
  }
  Vp9Descriptor d;
  if (parseVp9Descriptor(payload, &d)) {
    // Offsets must point inside the payload, and a VP9 key frame start must agree.
    if (d.pictureIdOffset >= payload.size() || d.tl0PicIdxOffset >= payload.size() || d.size == 0 ||
        d.size >= payload.size() || d.spatialLayerCount > Vp9Descriptor::kMaxSpatialLayers)
      __builtin_trap();
    if (codec == VideoCodec::Vp9 && key != d.isKeyframe()) __builtin_trap();
    sink = sink + d.pictureId + d.spatialId + d.temporalId + d.tl0PicIdx;
  } else if (codec == VideoCodec::Vp9 && key) {
    __builtin_trap();
  }
  sink = sink + key;
  return 0;
}
