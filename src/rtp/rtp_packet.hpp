// A zero-copy, mutable view of one RTP packet (RFC 3550 §5.1) with RFC 8285 header extensions.
//
// The view points into a buffer it does not own. Setters touch only the bytes of the field they
// change, so the SFU can rewrite a header for one subscriber, protect it into that subscriber's
// send slot and restore the original fields afterwards.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace treff::rtp {

enum class ParseError : uint8_t {
  None,
  TooShort,           // fewer than 12 bytes
  BadVersion,         // version field is not 2
  CsrcOverflow,       // CSRC list runs past the end
  ExtensionOverflow,  // header extension runs past the end
  BadPadding,         // padding count is 0 or larger than what follows the header
};

const char* toString(ParseError e);

// RFC 8285 §4.2 and §4.3: the two profiles of the header extension block.
enum class ExtensionForm : uint8_t { None, OneByte, TwoByte, Other };

inline constexpr uint16_t kOneByteExtensionProfile = 0xBEDE;
inline constexpr uint16_t kTwoByteExtensionProfile = 0x1000;  // low 4 bits: appbits

class RtpPacket {
 public:
  static constexpr size_t kFixedHeaderSize = 12;

  // Parses `len` bytes at `data` into `out`; returns false (with the reason in `why`) if the
  // bytes are not a valid RTP packet. Header extension elements are checked lazily: a malformed
  // element list ends lookups at the bad element but does not fail the parse.
  static bool parse(uint8_t* data, size_t len, RtpPacket* out, ParseError* why = nullptr);

  uint8_t version() const { return data_[0] >> 6; }
  bool hasPadding() const { return (data_[0] & 0x20) != 0; }
  bool hasHeaderExtension() const { return (data_[0] & 0x10) != 0; }
  uint8_t csrcCount() const { return data_[0] & 0x0f; }
  bool marker() const { return (data_[1] & 0x80) != 0; }
  uint8_t payloadType() const { return data_[1] & 0x7f; }
  uint16_t sequence() const { return util::loadBe16(data_ + 2); }
  uint32_t timestamp() const { return util::loadBe32(data_ + 4); }
  uint32_t ssrc() const { return util::loadBe32(data_ + 8); }
  uint32_t csrc(size_t index) const { return util::loadBe32(data_ + 12 + 4 * index); }

  void setMarker(bool marker);
  void setPayloadType(uint8_t pt);
  void setSequence(uint16_t seq) { util::storeBe16(data_ + 2, seq); }
  void setTimestamp(uint32_t ts) { util::storeBe32(data_ + 4, ts); }
  void setSsrc(uint32_t ssrc) { util::storeBe32(data_ + 8, ssrc); }

  // The "defined by profile" field of the extension block, 0 when there is none.
  uint16_t extensionProfile() const { return extProfile_; }
  ExtensionForm extensionForm() const { return form_; }
  // The extension elements (after the 4-byte block header), empty when there is no block.
  util::ConstBytes extensionBlock() const { return {data_ + extOffset_, extLength_}; }

  // The value of extension element `id`, or a default-constructed span (data() == nullptr) if
  // absent. A present zero-length element (two-byte form only) has a non-null data().
  util::ConstBytes findExtension(uint8_t id) const;
  util::MutableBytes findExtensionMutable(uint8_t id);
  bool hasExtension(uint8_t id) const { return findExtension(id).data() != nullptr; }
  // Overwrites element `id` in place if it exists with exactly value.size() bytes.
  bool writeExtension(uint8_t id, util::ConstBytes value);
  // Changes the local id of element `from` to `to` in place (subscriber-specific extmap ids).
  // Fails if `from` is absent or `to` does not fit the block's form (1..14 one-byte, 1..255).
  bool remapExtensionId(uint8_t from, uint8_t to);
  // Turns element `id` (its header and value) into padding bytes (RFC 8285 §4.1), e.g. to strip
  // a RID before forwarding. Destructive: save the bytes first if they must be restored.
  bool eraseExtension(uint8_t id);

  // Walks the extension elements in order. Start with cursor 0; returns false at the end.
  bool nextExtension(size_t* cursor, uint8_t* id, util::ConstBytes* value) const;

  util::ConstBytes payload() const { return {data_ + headerLength_, payloadLength()}; }
  util::MutableBytes payloadMutable() { return {data_ + headerLength_, payloadLength()}; }
  size_t payloadLength() const { return size_ - headerLength_ - paddingLength_; }
  size_t paddingLength() const { return paddingLength_; }
  size_t headerLength() const { return headerLength_; }
  size_t size() const { return size_; }
  const uint8_t* data() const { return data_; }
  uint8_t* data() { return data_; }

 private:
  // Locates element `id`; returns the offset of its header byte(s) and the value's offset/length.
  bool locate(uint8_t id, size_t* headerAt, size_t* valueAt, size_t* valueLen) const;

  uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t headerLength_ = 0;
  uint32_t extOffset_ = 0;  // offset of the first element byte
  uint32_t extLength_ = 0;  // bytes of elements (the block's length field times 4)
  uint16_t extProfile_ = 0;
  ExtensionForm form_ = ExtensionForm::None;
  uint8_t paddingLength_ = 0;
};

// Fields of a fresh RTP header (RFC 3550 §5.1), for RtpPacketBuilder.
struct RtpHeaderFields {
  uint8_t payloadType = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
};

// Writes a new RTP packet into a caller-owned buffer: header, then one-byte extensions, then the
// payload, then padding, in that order. No allocation; any step that would overflow the buffer
// or come out of order marks the builder failed and finish() returns 0.
class RtpPacketBuilder {
 public:
  RtpPacketBuilder(util::MutableBytes buffer, const RtpHeaderFields& header);

  // RFC 8285 §4.2 one-byte element: id 1..14, 1..16 bytes.
  RtpPacketBuilder& addExtension(uint8_t id, util::ConstBytes value);
  RtpPacketBuilder& setPayload(util::ConstBytes payload);
  // RFC 3550 §5.1 padding of `count` bytes (1..255), the last one holding the count.
  RtpPacketBuilder& setPadding(uint8_t count);
  // Completes the packet; returns its size, or 0 if any step failed.
  size_t finish();

 private:
  void closeExtensionBlock();

  util::MutableBytes buf_;
  size_t len_ = RtpPacket::kFixedHeaderSize;
  size_t extStart_ = 0;  // offset of the 0xBEDE word, 0 while no extension was added
  enum class Stage : uint8_t { Extensions, Payload, Padding, Done } stage_ = Stage::Extensions;
  bool failed_ = false;
};

}  // namespace treff::rtp
