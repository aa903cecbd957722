#include "rtp/rtp_packet.hpp"

#include <cstring>

namespace treff::rtp {

namespace {

struct Element {
  size_t headerAt;
  size_t valueAt;
  size_t valueLen;
  uint8_t id;
};

// Steps to the next element of an RFC 8285 block starting at *cursor. Padding bytes (0) are
// skipped; a truncated element, a one-byte ID 0 with a non-zero length, or the reserved
// one-byte ID 15 (§4.2: stop processing) ends the walk.
bool walkElements(const uint8_t* ext, size_t len, ExtensionForm form, size_t* cursor, Element* el) {
  size_t pos = *cursor;
  if (form == ExtensionForm::OneByte) {
    while (pos < len && ext[pos] == 0) ++pos;
    if (pos >= len) return false;
    const uint8_t id = ext[pos] >> 4;
    const size_t valueLen = static_cast<size_t>(ext[pos] & 0x0f) + 1;
    if (id == 0 || id == 15 || valueLen > len - pos - 1) return false;
    *el = Element{pos, pos + 1, valueLen, id};
    *cursor = pos + 1 + valueLen;
    return true;
  }
  if (form == ExtensionForm::TwoByte) {
    while (pos < len && ext[pos] == 0) ++pos;
    if (pos >= len || len - pos < 2) return false;
    const uint8_t id = ext[pos];
    const size_t valueLen = ext[pos + 1];
    if (valueLen > len - pos - 2) return false;
    *el = Element{pos, pos + 2, valueLen, id};
    *cursor = pos + 2 + valueLen;
    return true;
  }
  return false;
}

}  // namespace

const char* toString(ParseError e) {
  switch (e) {
    case ParseError::None:
      return "none";
    case ParseError::TooShort:
      return "too short";
    case ParseError::BadVersion:
      return "bad version";
    case ParseError::CsrcOverflow:
      return "csrc overflow";
    case ParseError::ExtensionOverflow:
      return "extension overflow";
    case ParseError::BadPadding:
      return "bad padding";
  }
  return "unknown";
}

bool RtpPacket::parse(uint8_t* data, size_t len, RtpPacket* out, ParseError* why) {
  auto fail = [why](ParseError e) {
    if (why) *why = e;
    return false;
  };
  // Offsets are kept in 32 bits; no datagram comes close.
  if (len < kFixedHeaderSize || len > UINT32_MAX) return fail(ParseError::TooShort);
  if ((data[0] >> 6) != 2) return fail(ParseError::BadVersion);

  size_t header = kFixedHeaderSize + 4 * static_cast<size_t>(data[0] & 0x0f);
  if (header > len) return fail(ParseError::CsrcOverflow);

  uint16_t profile = 0;
  size_t extOffset = header;
  size_t extLength = 0;
  if (data[0] & 0x10) {
    // RFC 3550 §5.3.1: 16-bit profile, 16-bit length in 32-bit words, then the data.
    if (len - header < 4) return fail(ParseError::ExtensionOverflow);
    profile = util::loadBe16(data + header);
    extLength = 4 * static_cast<size_t>(util::loadBe16(data + header + 2));
    extOffset = header + 4;
    if (extLength > len - extOffset) return fail(ParseError::ExtensionOverflow);
    header = extOffset + extLength;
  }

  uint8_t padding = 0;
  if (data[0] & 0x20) {
    // RFC 3550 §5.1: the last octet counts the padding, itself included.
    padding = data[len - 1];
    if (padding == 0 || padding > len - header) return fail(ParseError::BadPadding);
  }

  out->data_ = data;
  out->size_ = static_cast<uint32_t>(len);
  out->headerLength_ = static_cast<uint32_t>(header);
  out->extProfile_ = profile;
  if (!(data[0] & 0x10)) {
    out->form_ = ExtensionForm::None;
  } else if (profile == kOneByteExtensionProfile) {
    out->form_ = ExtensionForm::OneByte;
  } else if ((profile & 0xfff0) == kTwoByteExtensionProfile) {
    out->form_ = ExtensionForm::TwoByte;
  } else {
    out->form_ = ExtensionForm::Other;
  }
  out->extOffset_ = static_cast<uint32_t>(extOffset);
  out->extLength_ = static_cast<uint32_t>(extLength);
  out->paddingLength_ = padding;
  if (why) *why = ParseError::None;
  return true;
}

void RtpPacket::setMarker(bool marker) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x7f) | (marker ? 0x80 : 0));
}

void RtpPacket::setPayloadType(uint8_t pt) {
  data_[1] = static_cast<uint8_t>((data_[1] & 0x80) | (pt & 0x7f));
}

bool RtpPacket::nextExtension(size_t* cursor, uint8_t* id, util::ConstBytes* value) const {
  Element el;
  if (!walkElements(data_ + extOffset_, extLength_, form_, cursor, &el)) return false;
  *id = el.id;
  *value = util::ConstBytes(data_ + extOffset_ + el.valueAt, el.valueLen);
  return true;
}

bool RtpPacket::locate(uint8_t id, size_t* headerAt, size_t* valueAt, size_t* valueLen) const {
  // The same walk as walkElements(), unrolled per form: this runs several times per packet.
  const uint8_t* ext = data_ + extOffset_;
  const size_t len = extLength_;
  size_t pos = 0;
  if (form_ == ExtensionForm::OneByte) {
    if (id == 0 || id > 14) return false;
    while (pos < len) {
      const uint8_t b = ext[pos];
      if (b == 0) {
        ++pos;
        continue;
      }
      const uint8_t elementId = b >> 4;
      const size_t n = static_cast<size_t>(b & 0x0f) + 1;
      if (elementId == 15 || elementId == 0 || n > len - pos - 1) return false;
      if (elementId == id) {
        *headerAt = extOffset_ + pos;
        *valueAt = extOffset_ + pos + 1;
        *valueLen = n;
        return true;
      }
      pos += 1 + n;
    }
    return false;
  }
  if (form_ == ExtensionForm::TwoByte) {
    if (id == 0) return false;
    while (pos < len) {
      const uint8_t elementId = ext[pos];
      if (elementId == 0) {
        ++pos;
        continue;
      }
      if (len - pos < 2) return false;
      const size_t n = ext[pos + 1];
      if (n > len - pos - 2) return false;
      if (elementId == id) {
        *headerAt = extOffset_ + pos;
        *valueAt = extOffset_ + pos + 2;
        *valueLen = n;
        return true;
      }
      pos += 2 + n;
    }
  }
  return false;
}

util::ConstBytes RtpPacket::findExtension(uint8_t id) const {
  size_t headerAt, valueAt, valueLen;
  if (!locate(id, &headerAt, &valueAt, &valueLen)) return {};
  return {data_ + valueAt, valueLen};
}

util::MutableBytes RtpPacket::findExtensionMutable(uint8_t id) {
  size_t headerAt, valueAt, valueLen;
  if (!locate(id, &headerAt, &valueAt, &valueLen)) return {};
  return {data_ + valueAt, valueLen};
}

bool RtpPacket::writeExtension(uint8_t id, util::ConstBytes value) {
  size_t headerAt, valueAt, valueLen;
  if (!locate(id, &headerAt, &valueAt, &valueLen) || valueLen != value.size()) return false;
  if (valueLen) std::memcpy(data_ + valueAt, value.data(), valueLen);
  return true;
}

bool RtpPacket::remapExtensionId(uint8_t from, uint8_t to) {
  const ExtensionForm form = form_;
  if (to == 0 || (form == ExtensionForm::OneByte && to > 14)) return false;
  size_t headerAt, valueAt, valueLen;
  if (!locate(from, &headerAt, &valueAt, &valueLen)) return false;
  if (form == ExtensionForm::OneByte) {
    data_[headerAt] = static_cast<uint8_t>(to << 4 | (data_[headerAt] & 0x0f));
  } else {
    data_[headerAt] = to;
  }
  return true;
}

bool RtpPacket::eraseExtension(uint8_t id) {
  size_t headerAt, valueAt, valueLen;
  if (!locate(id, &headerAt, &valueAt, &valueLen)) return false;
  std::memset(data_ + headerAt, 0, valueAt + valueLen - headerAt);
  return true;
}

RtpPacketBuilder::RtpPacketBuilder(util::MutableBytes buffer, const RtpHeaderFields& h)
    : buf_(buffer) {
  if (buf_.size() < RtpPacket::kFixedHeaderSize) {
    failed_ = true;
    return;
  }
  uint8_t* p = buf_.data();
  p[0] = 0x80;  // version 2, no padding, no extension, no CSRC
  p[1] = static_cast<uint8_t>((h.marker ? 0x80 : 0) | (h.payloadType & 0x7f));
  util::storeBe16(p + 2, h.sequence);
  util::storeBe32(p + 4, h.timestamp);
  util::storeBe32(p + 8, h.ssrc);
}

RtpPacketBuilder& RtpPacketBuilder::addExtension(uint8_t id, util::ConstBytes value) {
  if (failed_ || stage_ != Stage::Extensions || id == 0 || id > 14 || value.empty() ||
      value.size() > 16) {
    failed_ = true;
    return *this;
  }
  const size_t need = (extStart_ == 0 ? 4 : 0) + 1 + value.size();
  if (buf_.size() - len_ < need) {
    failed_ = true;
    return *this;
  }
  uint8_t* p = buf_.data();
  if (extStart_ == 0) {
    extStart_ = len_;
    util::storeBe16(p + len_, kOneByteExtensionProfile);
    util::storeBe16(p + len_ + 2, 0);
    len_ += 4;
    p[0] |= 0x10;
  }
  p[len_++] = static_cast<uint8_t>(id << 4 | (value.size() - 1));
  std::memcpy(p + len_, value.data(), value.size());
  len_ += value.size();
  return *this;
}

void RtpPacketBuilder::closeExtensionBlock() {
  if (stage_ != Stage::Extensions) return;
  stage_ = Stage::Payload;
  if (extStart_ == 0 || failed_) return;
  // RFC 8285 §4.1: pad the element list with zero bytes to a 32-bit boundary.
  while ((len_ - extStart_) % 4 != 0) {
    if (len_ >= buf_.size()) {
      failed_ = true;
      return;
    }
    buf_[len_++] = 0;
  }
  util::storeBe16(buf_.data() + extStart_ + 2, static_cast<uint16_t>((len_ - extStart_ - 4) / 4));
}

RtpPacketBuilder& RtpPacketBuilder::setPayload(util::ConstBytes payload) {
  closeExtensionBlock();
  if (failed_ || stage_ != Stage::Payload || buf_.size() - len_ < payload.size()) {
    failed_ = true;
    return *this;
  }
  if (!payload.empty()) std::memcpy(buf_.data() + len_, payload.data(), payload.size());
  len_ += payload.size();
  stage_ = Stage::Padding;
  return *this;
}

RtpPacketBuilder& RtpPacketBuilder::setPadding(uint8_t count) {
  closeExtensionBlock();
  if (failed_ || stage_ == Stage::Done || count == 0 || buf_.size() - len_ < count) {
    failed_ = true;
    return *this;
  }
  std::memset(buf_.data() + len_, 0, count);
  len_ += count;
  buf_[len_ - 1] = count;
  buf_[0] |= 0x20;
  stage_ = Stage::Done;
  return *this;
}

size_t RtpPacketBuilder::finish() {
  closeExtensionBlock();
  return failed_ ? 0 : len_;
}

}  // namespace treff::rtp
