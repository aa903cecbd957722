#include "rtp/vp9_descriptor.hpp"

namespace treff::rtp {

bool parseVp9Descriptor(util::ConstBytes payload, Vp9Descriptor* out, Vp9Error* why) {
  auto fail = [why](Vp9Error e) {
    if (why) *why = e;
    return false;
  };
  // RFC 9628 §4.2:      |I|P|L|F|B|E|V|Z|
  //               I:    |M| PICTURE ID  |  (and a second byte when M)
  //               L:    | TID |U| SID |D|
  //         L and !F:   |   TL0PICIDX   |
  //         P and F:    | P_DIFF      |N|  (up to three, N says another follows)
  const size_t n = payload.size();
  if (n == 0) return fail(Vp9Error::Empty);
  Vp9Descriptor d;
  const uint8_t first = payload[0];
  d.hasPictureId = (first & 0x80) != 0;
  d.interPredicted = (first & 0x40) != 0;
  d.hasLayerIndices = (first & 0x20) != 0;
  d.flexibleMode = (first & 0x10) != 0;
  d.startOfFrame = (first & 0x08) != 0;
  d.endOfFrame = (first & 0x04) != 0;
  d.hasScalability = (first & 0x02) != 0;
  d.notReference = (first & 0x01) != 0;
  size_t pos = 1;
  if (d.hasPictureId) {
    if (pos >= n) return fail(Vp9Error::Truncated);
    d.pictureIdOffset = static_cast<uint8_t>(pos);
    d.longPictureId = (payload[pos] & 0x80) != 0;
    if (d.longPictureId) {
      if (pos + 1 >= n) return fail(Vp9Error::Truncated);
      d.pictureId = static_cast<uint16_t>((payload[pos] & 0x7f) << 8 | payload[pos + 1]);
      pos += 2;
    } else {
      d.pictureId = payload[pos] & 0x7f;
      pos += 1;
    }
  }
  if (d.hasLayerIndices) {
    if (pos >= n) return fail(Vp9Error::Truncated);
    const uint8_t b = payload[pos++];
    d.temporalId = b >> 5;
    d.switchingUpPoint = (b & 0x10) != 0;
    d.spatialId = (b >> 1) & 0x07;
    d.interLayerDependent = (b & 0x01) != 0;
    if (!d.flexibleMode) {
      if (pos >= n) return fail(Vp9Error::Truncated);
      d.tl0PicIdxOffset = static_cast<uint8_t>(pos);
      d.tl0PicIdx = payload[pos++];
    }
  }
  if (d.interPredicted && d.flexibleMode) {
    for (int i = 0; i < 3; ++i) {
      if (pos >= n) return fail(Vp9Error::Truncated);
      if ((payload[pos++] & 0x01) == 0) break;
    }
  }
  if (d.hasScalability) {
    //   V:  | N_S |Y|G|-|-|-|
    //   Y:  WIDTH (16) HEIGHT (16), N_S + 1 times
    //   G:  N_G, then N_G times | TID |U| R |-|-| followed by R P_DIFF bytes
    if (pos >= n) return fail(Vp9Error::Truncated);
    const uint8_t v = payload[pos++];
    d.spatialLayerCount = static_cast<uint8_t>((v >> 5) + 1);
    d.hasResolutions = (v & 0x10) != 0;
    const bool hasGroup = (v & 0x08) != 0;
    if (d.hasResolutions) {
      for (size_t i = 0; i < d.spatialLayerCount; ++i) {
        if (pos + 4 > n) return fail(Vp9Error::Truncated);
        d.width[i] = util::loadBe16(payload.data() + pos);
        d.height[i] = util::loadBe16(payload.data() + pos + 2);
        pos += 4;
      }
    }
    if (hasGroup) {
      if (pos >= n) return fail(Vp9Error::Truncated);
      const size_t pictures = payload[pos++];
      for (size_t i = 0; i < pictures; ++i) {
        if (pos >= n) return fail(Vp9Error::Truncated);
        pos += 1 + ((payload[pos] >> 2) & 0x03);
      }
    }
  }
  if (pos >= n) return fail(Vp9Error::NoPayload);
  d.size = static_cast<uint16_t>(pos);
  *out = d;
  if (why) *why = Vp9Error::None;
  return true;
}

bool isVp9Keyframe(util::ConstBytes payload) {
  Vp9Descriptor d;
  return parseVp9Descriptor(payload, &d) && d.isKeyframe();
}

}  // namespace treff::rtp
