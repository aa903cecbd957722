#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

const char* toString(RtcpError error) {
  switch (error) {
    case RtcpError::kNone:
      return "none";
    case RtcpError::kTooShort:
      return "too short";
    case RtcpError::kBadVersion:
      return "bad version";
    case RtcpError::kLengthBeyondBuffer:
      return "length beyond buffer";
    case RtcpError::kBadPadding:
      return "bad padding";
    case RtcpError::kWrongType:
      return "wrong packet type";
    case RtcpError::kBadCount:
      return "count does not match length";
    case RtcpError::kBadSdesItem:
      return "bad SDES chunk";
    case RtcpError::kBadReason:
      return "bad BYE reason";
    case RtcpError::kNotRemb:
      return "not REMB";
    case RtcpError::kBadTwccChunk:
      return "bad TWCC status chunk";
    case RtcpError::kMissingTwccDeltas:
      return "missing TWCC receive deltas";
    case RtcpError::kBadXrBlock:
      return "bad XR block";
  }
  return "unknown";
}

bool looksLikeRtcp(util::ConstBytes datagram) {
  if (datagram.size() < kRtcpHeaderSize) return false;
  if ((datagram[0] >> 6) != 2) return false;
  return datagram[1] >= 192 && datagram[1] <= 223;
}

RtcpError parseRtcpPacket(util::ConstBytes data, bool lastInCompound, RtcpPacket& out) {
  if (data.size() < kRtcpHeaderSize) return RtcpError::kTooShort;
  const uint8_t* p = data.data();
  out.version = p[0] >> 6;
  if (out.version != 2) return RtcpError::kBadVersion;
  out.padding = (p[0] & 0x20) != 0;
  out.count = p[0] & 0x1f;
  out.packetType = p[1];
  out.lengthWords = util::loadBe16(p + 2);
  const size_t size = out.wireSize();
  if (size > data.size()) return RtcpError::kLengthBeyondBuffer;
  size_t padding = 0;
  if (out.padding) {
    // RFC 3550 §6.4.1: the last octet counts the padding octets, itself included.
    if (!lastInCompound) return RtcpError::kBadPadding;
    padding = p[size - 1];
    if (padding == 0 || padding > size - kRtcpHeaderSize) return RtcpError::kBadPadding;
  }
  out.bytes = data.first(size);
  out.paddingSize = padding;
  return RtcpError::kNone;
}

bool RtcpCompound::next(RtcpPacket& out) {
  if (error_ != RtcpError::kNone) return false;
  if (offset_ == data_.size()) {
    if (packets_ == 0) error_ = RtcpError::kTooShort;  // an empty datagram is not RTCP
    return false;
  }
  const util::ConstBytes rest = data_.subspan(offset_);
  // Padding is legal only on the packet that ends the datagram.
  bool last = false;
  if (rest.size() >= kRtcpHeaderSize) {
    const size_t size = (static_cast<size_t>(util::loadBe16(rest.data() + 2)) + 1) * 4;
    last = size == rest.size();
  }
  error_ = parseRtcpPacket(rest, last, out);
  if (error_ != RtcpError::kNone) return false;
  out.offset = offset_;
  offset_ += out.wireSize();
  ++packets_;
  return true;
}

void writeRtcpHeader(uint8_t* out, uint8_t count, uint8_t type, size_t totalSize) {
  out[0] = static_cast<uint8_t>(0x80 | (count & 0x1f));
  out[1] = type;
  util::storeBe16(out + 2, static_cast<uint16_t>(totalSize / 4 - 1));
}

void writeRtcpHeader(uint8_t* out, uint8_t count, RtcpType type, size_t totalSize) {
  writeRtcpHeader(out, count, static_cast<uint8_t>(type), totalSize);
}

RtcpError RtcpView::bind(util::ConstBytes packet, uint8_t* writable, uint8_t type, int fmt,
                         size_t minSize) {
  data_ = nullptr;
  writable_ = nullptr;
  size_ = 0;
  count_ = 0;
  RtcpPacket header;
  const RtcpError error = parseRtcpPacket(packet, true, header);
  if (error != RtcpError::kNone) return error;
  if (header.packetType != type) return RtcpError::kWrongType;
  if (fmt >= 0 && header.count != fmt) return RtcpError::kWrongType;
  const size_t size = header.bytes.size() - header.paddingSize;
  if (size < minSize) return RtcpError::kTooShort;
  data_ = header.bytes.data();
  writable_ = writable;
  size_ = size;
  count_ = header.count;
  return RtcpError::kNone;
}

bool RtcpView::writeBe32(size_t offset, uint32_t value) {
  if (writable_ == nullptr || offset + 4 > size_) return false;
  util::storeBe32(writable_ + offset, value);
  return true;
}

}  // namespace treff::rtp
