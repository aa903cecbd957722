// RTCP common header (RFC 3550 §6.4) and iteration over a compound packet (RFC 3550 §6.1),
// including reduced-size RTCP (RFC 5506): any sequence of well-formed packets is accepted.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace treff::rtp {

// RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2.
enum class RtcpType : uint8_t {
  kSenderReport = 200,
  kReceiverReport = 201,
  kSdes = 202,
  kBye = 203,
  kApp = 204,
  kRtpFeedback = 205,      // RTPFB
  kPayloadFeedback = 206,  // PSFB
  kExtendedReport = 207,   // XR
};

// Feedback message types (the FMT field) of RTPFB and PSFB.
namespace rtpfb {
inline constexpr uint8_t kNack = 1;          // RFC 4585 §6.2.1
inline constexpr uint8_t kTransportCc = 15;  // draft-holmer-rmcat-transport-wide-cc-extensions-01
}  // namespace rtpfb
namespace psfb {
inline constexpr uint8_t kPli = 1;   // RFC 4585 §6.3.1
inline constexpr uint8_t kFir = 4;   // RFC 5104 §4.3.1
inline constexpr uint8_t kAfb = 15;  // RFC 4585 §6.4, carries REMB
}  // namespace psfb

// Why an RTCP packet was rejected.
enum class RtcpError : uint8_t {
  kNone = 0,
  kTooShort,            // fewer bytes than a header or the fixed part of the packet type
  kBadVersion,          // version field is not 2
  kLengthBeyondBuffer,  // the length field points past the end of the datagram
  kBadPadding,          // padding count zero or larger than the packet, or padding not last
  kWrongType,           // a typed view was given a packet of another type or FMT
  kBadCount,            // the count field does not match the packet's length
  kBadSdesItem,         // an SDES chunk or item runs past the packet
  kBadReason,           // a BYE reason runs past the packet
  kNotRemb,             // an AFB packet without the "REMB" identifier
  kBadTwccChunk,        // a TWCC status chunk uses the reserved symbol or is missing
  kMissingTwccDeltas,   // a TWCC packet ends before all receive deltas
  kBadXrBlock,          // an XR block runs past the packet or has a bad size for its type
};

const char* toString(RtcpError error);

inline constexpr size_t kRtcpHeaderSize = 4;

// RFC 5761 §4: with RTP and RTCP multiplexed, version 2 and a second byte of 192..223
// (payload type 64..95 with the marker bit set) is RTCP.
bool looksLikeRtcp(util::ConstBytes datagram);

// The common header of one RTCP packet and where it sits.
struct RtcpPacket {
  uint8_t version = 0;
  bool padding = false;
  uint8_t count = 0;  // report count, source count or FMT (5 bits)
  uint8_t packetType = 0;
  uint16_t lengthWords = 0;  // the length field: 32-bit words minus one
  // The whole packet as on the wire, header and padding included; what the typed views take.
  util::ConstBytes bytes;
  size_t paddingSize = 0;
  // Offset of the packet from the start of the compound.
  size_t offset = 0;

  size_t wireSize() const { return (static_cast<size_t>(lengthWords) + 1) * 4; }
  // The bytes after the 4-byte common header, padding excluded.
  util::ConstBytes body() const {
    return bytes.subspan(kRtcpHeaderSize, bytes.size() - kRtcpHeaderSize - paddingSize);
  }
};

// Parses the header of the packet at the start of `data`. `lastInCompound` says whether padding
// is allowed (RFC 3550 §6.4.1: only the last packet of a compound may be padded); pass true to
// accept it anywhere the caller knows the packet ends the datagram.
RtcpError parseRtcpPacket(util::ConstBytes data, bool lastInCompound, RtcpPacket& out);

// Iterates the packets of one compound RTCP datagram without copying:
//   RtcpCompound c(datagram); RtcpPacket p;
//   while (c.next(p)) { ... }
//   if (c.error() != RtcpError::kNone) { drop and count }
// Iteration stops at the first malformed packet; packets before it were well-formed.
class RtcpCompound {
 public:
  explicit RtcpCompound(util::ConstBytes datagram) : data_(datagram) {}

  bool next(RtcpPacket& out);
  RtcpError error() const { return error_; }
  // Number of packets yielded so far.
  size_t packetCount() const { return packets_; }

 private:
  util::ConstBytes data_;
  size_t offset_ = 0;
  size_t packets_ = 0;
  RtcpError error_ = RtcpError::kNone;
};

// Writes a common header (no padding) for a packet of `totalSize` bytes, which must be a multiple
// of 4 and at least 4.
void writeRtcpHeader(uint8_t* out, uint8_t count, RtcpType type, size_t totalSize);
void writeRtcpHeader(uint8_t* out, uint8_t count, uint8_t type, size_t totalSize);

// Base of the typed views: binds to the bytes of exactly one RTCP packet (as RtcpPacket::bytes,
// or a packet at the start of a buffer). A view bound with bindWritable() may rewrite fields in
// place; a read-only view's setters do nothing and return false.
class RtcpView {
 public:
  bool valid() const { return data_ != nullptr; }
  // The packet, header included, padding excluded.
  util::ConstBytes content() const { return {data_, size_}; }
  uint8_t count() const { return count_; }
  bool writable() const { return writable_ != nullptr; }

 protected:
  // Checks the header, the packet type (and FMT if `fmt` >= 0) and that at least `minSize` bytes
  // are present.
  RtcpError bind(util::ConstBytes packet, uint8_t* writable, uint8_t type, int fmt, size_t minSize);
  bool writeBe32(size_t offset, uint32_t value);
  // Forgets the packet if `error` is set; returns `error`.
  RtcpError settle(RtcpError error) {
    if (error != RtcpError::kNone) {
      data_ = nullptr;
      writable_ = nullptr;
      size_ = 0;
      count_ = 0;
    }
    return error;
  }

  const uint8_t* data_ = nullptr;
  uint8_t* writable_ = nullptr;
  size_t size_ = 0;
  uint8_t count_ = 0;
};

}  // namespace treff::rtp
