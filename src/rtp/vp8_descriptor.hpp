// The VP8 RTP payload descriptor (RFC 7741 §4.2) and the keyframe check on the VP8 payload
// header behind it (§4.3, RFC 6386 §9.1), with in-place rewriting of the fields an SFU keeps
// continuous when it switches between sources or simulcast layers.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace treff::rtp {

enum class Vp8Error : uint8_t {
  None,
  Empty,      // no descriptor byte
  Truncated,  // an extension byte the flags announce is missing
  NoPayload,  // descriptor but no VP8 data behind it
};

struct Vp8Descriptor {
  bool nonReference = false;      // N
  bool startOfPartition = false;  // S
  uint8_t partitionIndex = 0;     // PID
  bool hasPictureId = false;      // I
  bool longPictureId = false;     // M: 15-bit rather than 7-bit
  uint16_t pictureId = 0;
  bool hasTl0PicIdx = false;  // L
  uint8_t tl0PicIdx = 0;
  bool hasTid = false;  // T
  uint8_t tid = 0;
  bool layerSync = false;  // Y
  bool hasKeyIdx = false;  // K
  uint8_t keyIdx = 0;
  uint8_t size = 0;             // descriptor bytes; the VP8 payload starts here
  uint8_t pictureIdOffset = 0;  // where the fields sit, for the rewriters (0 = absent)
  uint8_t tl0PicIdxOffset = 0;
  bool isKeyframe = false;  // first packet of a key frame

  // The first packet of a frame: S set in partition 0.
  bool startsFrame() const { return startOfPartition && partitionIndex == 0; }
};

// Parses the descriptor at the start of a VP8 RTP payload.
bool parseVp8Descriptor(util::ConstBytes payload, Vp8Descriptor* out, Vp8Error* why = nullptr);

// True for the first packet of a key frame.
bool isVp8Keyframe(util::ConstBytes payload);

// The frame size a key frame's header announces (RFC 6386 §9.1: after the 3-byte frame tag and
// the start code, 14 bits of width and of height, each with 2 bits of scaling above). False
// unless `payload` (descriptor included) is the first packet of a key frame with a full header.
bool vp8KeyframeSize(util::ConstBytes payload, uint16_t* width, uint16_t* height);

// Rewrite PictureID in place, keeping its width (a 7-bit field takes the value modulo 128, a
// 15-bit one modulo 32768). `d` must come from parsing this payload. False if it has none.
bool rewriteVp8PictureId(util::MutableBytes payload, const Vp8Descriptor& d, uint16_t pictureId);
bool rewriteVp8Tl0PicIdx(util::MutableBytes payload, const Vp8Descriptor& d, uint8_t tl0PicIdx);

}  // namespace treff::rtp
