#include "rtp/vp8_descriptor.hpp"

namespace treff::rtp {

bool parseVp8Descriptor(util::ConstBytes payload, Vp8Descriptor* out, Vp8Error* why) {
  auto fail = [why](Vp8Error e) {
    if (why) *why = e;
    return false;
  };
  // RFC 7741 §4.2:  |X|R|N|S|R| PID |
  //             X:  |I|L|T|K| RSV   |
  //             I:  |M| PictureID   |  (and a second byte when M)
  //             L:  |   TL0PICIDX   |
  //           T/K:  |TID|Y| KEYIDX  |
  const size_t n = payload.size();
  if (n == 0) return fail(Vp8Error::Empty);
  Vp8Descriptor d;
  const uint8_t first = payload[0];
  d.nonReference = (first & 0x20) != 0;
  d.startOfPartition = (first & 0x10) != 0;
  d.partitionIndex = first & 0x0f;
  size_t pos = 1;
  if (first & 0x80) {
    if (pos >= n) return fail(Vp8Error::Truncated);
    const uint8_t ext = payload[pos++];
    d.hasPictureId = (ext & 0x80) != 0;
    d.hasTl0PicIdx = (ext & 0x40) != 0;
    d.hasTid = (ext & 0x20) != 0;
    d.hasKeyIdx = (ext & 0x10) != 0;
    if (d.hasPictureId) {
      if (pos >= n) return fail(Vp8Error::Truncated);
      d.pictureIdOffset = static_cast<uint8_t>(pos);
      d.longPictureId = (payload[pos] & 0x80) != 0;
      if (d.longPictureId) {
        if (pos + 1 >= n) return fail(Vp8Error::Truncated);
        d.pictureId = static_cast<uint16_t>((payload[pos] & 0x7f) << 8 | payload[pos + 1]);
        pos += 2;
      } else {
        d.pictureId = payload[pos] & 0x7f;
        pos += 1;
      }
    }
    if (d.hasTl0PicIdx) {
      if (pos >= n) return fail(Vp8Error::Truncated);
      d.tl0PicIdxOffset = static_cast<uint8_t>(pos);
      d.tl0PicIdx = payload[pos++];
    }
    if (d.hasTid || d.hasKeyIdx) {
      if (pos >= n) return fail(Vp8Error::Truncated);
      const uint8_t b = payload[pos++];
      if (d.hasTid) {
        d.tid = b >> 6;
        d.layerSync = (b & 0x20) != 0;
      }
      if (d.hasKeyIdx) d.keyIdx = b & 0x1f;
    }
  }
  if (pos >= n) return fail(Vp8Error::NoPayload);
  d.size = static_cast<uint8_t>(pos);

  // RFC 7741 §4.3: a frame begins where S=1 and PID=0; there the VP8 frame tag follows, whose
  // P bit (bit 0 of its first byte) is 0 for a key frame. RFC 6386 §9.1: a key frame's 3-byte
  // tag is followed by the start code 9d 01 2a.
  if (d.startsFrame() && (payload[pos] & 0x01) == 0) {
    d.isKeyframe = n - pos >= 6 && payload[pos + 3] == 0x9d && payload[pos + 4] == 0x01 &&
                   payload[pos + 5] == 0x2a;
  }
  *out = d;
  if (why) *why = Vp8Error::None;
  return true;
}

bool isVp8Keyframe(util::ConstBytes payload) {
  Vp8Descriptor d;
  return parseVp8Descriptor(payload, &d) && d.isKeyframe;
}

bool vp8KeyframeSize(util::ConstBytes payload, uint16_t* width, uint16_t* height) {
  Vp8Descriptor d;
  if (!parseVp8Descriptor(payload, &d) || !d.isKeyframe) return false;
  // Frame tag (3), start code 9d 01 2a (3), width (2, little-endian), height (2).
  constexpr size_t kHeader = 10;
  if (payload.size() < d.size + kHeader) return false;
  const uint8_t* h = payload.data() + d.size;
  if (h[3] != 0x9d || h[4] != 0x01 || h[5] != 0x2a) return false;
  *width = static_cast<uint16_t>((h[6] | h[7] << 8) & 0x3fff);
  *height = static_cast<uint16_t>((h[8] | h[9] << 8) & 0x3fff);
  return *width != 0 && *height != 0;
}

bool rewriteVp8PictureId(util::MutableBytes payload, const Vp8Descriptor& d, uint16_t pictureId) {
  if (!d.hasPictureId || d.pictureIdOffset == 0) return false;
  const size_t at = d.pictureIdOffset;
  if (d.longPictureId) {
    if (at + 1 >= payload.size()) return false;
    payload[at] = static_cast<uint8_t>(0x80 | ((pictureId >> 8) & 0x7f));
    payload[at + 1] = static_cast<uint8_t>(pictureId);
  } else {
    if (at >= payload.size()) return false;
    payload[at] = static_cast<uint8_t>(pictureId & 0x7f);
  }
  return true;
}

bool rewriteVp8Tl0PicIdx(util::MutableBytes payload, const Vp8Descriptor& d, uint8_t tl0PicIdx) {
  if (!d.hasTl0PicIdx || d.tl0PicIdxOffset == 0 || d.tl0PicIdxOffset >= payload.size()) {
    return false;
  }
  payload[d.tl0PicIdxOffset] = tl0PicIdx;
  return true;
}

}  // namespace treff::rtp
