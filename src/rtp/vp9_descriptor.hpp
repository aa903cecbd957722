// The VP9 RTP payload descriptor (RFC 9628 §4.2): the fields an SFU reads to find where a
// key frame starts and which spatial and temporal layer a packet belongs to.
#pragma once

#include <cstdint>

#include "util/bytes.hpp"

namespace treff::rtp {

enum class Vp9Error : uint8_t {
  None,
  Empty,      // no descriptor byte
  Truncated,  // a field the flags announce is missing
  NoPayload,  // descriptor but no VP9 data behind it
};

struct Vp9Descriptor {
  bool hasPictureId = false;     // I
  bool interPredicted = false;   // P
  bool hasLayerIndices = false;  // L
  bool flexibleMode = false;     // F
  bool startOfFrame = false;     // B
  bool endOfFrame = false;       // E
  bool hasScalability = false;   // V: a scalability structure follows the fixed fields
  bool notReference = false;     // Z: no upper spatial layer refers to this frame
  bool longPictureId = false;    // M: 15-bit rather than 7-bit
  uint16_t pictureId = 0;
  uint8_t temporalId = 0;            // TID
  bool switchingUpPoint = false;     // U
  uint8_t spatialId = 0;             // SID
  bool interLayerDependent = false;  // D
  uint8_t tl0PicIdx = 0;             // non-flexible mode with layer indices only
  uint8_t pictureIdOffset = 0;       // where PictureID sits (0: absent)
  uint8_t tl0PicIdxOffset = 0;       // where TL0PICIDX sits (0: absent)
  uint16_t size = 0;                 // descriptor bytes before the VP9 data
  // The scalability structure (V), sent with key frames: how many spatial layers the stream has
  // and, when Y is set, each one's frame size.
  static constexpr size_t kMaxSpatialLayers = 8;
  uint8_t spatialLayerCount = 0;  // N_S + 1 (0 without a scalability structure)
  bool hasResolutions = false;    // Y
  uint16_t width[kMaxSpatialLayers] = {};
  uint16_t height[kMaxSpatialLayers] = {};

  // The first packet of a key frame: the start of an intra-only picture in the base spatial
  // layer (RFC 9628 §4.2: P=0 there means no inter-picture prediction).
  bool isKeyframe() const { return startOfFrame && !interPredicted && spatialId == 0; }
};

// Parses the descriptor, the scalability structure included.
bool parseVp9Descriptor(util::ConstBytes payload, Vp9Descriptor* out, Vp9Error* why = nullptr);

// True for the first packet of a key frame.
bool isVp9Keyframe(util::ConstBytes payload);

}  // namespace treff::rtp
