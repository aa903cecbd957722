// DTLS 1.0/1.2 record headers (RFC 6347 §4.1): a bounds-checked view over the records of one
// datagram, used to vet datagrams before OpenSSL sees them and to split OpenSSL's output into
// datagrams at record boundaries.
#pragma once

#include <cstddef>
#include <cstdint>

#include "util/bytes.hpp"

namespace treff::dtls {

// RFC 6347 §4.1: type(1) version(2) epoch(2) sequence_number(6) length(2).
inline constexpr size_t kRecordHeaderSize = 13;
// RFC 6347 §4.1 (via RFC 5246 §6.2.3): a ciphertext fragment is at most 2^14 + 2048 bytes.
inline constexpr size_t kMaxRecordFragment = 16384 + 2048;

enum class ContentType : uint8_t {
  ChangeCipherSpec = 20,
  Alert = 21,
  Handshake = 22,
  ApplicationData = 23,
};

enum class RecordError : uint8_t {
  None,
  Empty,              // a datagram with no record at all
  TruncatedHeader,    // fewer than 13 bytes left where a record header should start
  TruncatedFragment,  // the length field runs past the end of the datagram
  BadContentType,     // not one of the four DTLS 1.2 content types
  BadVersion,         // major version byte is not 0xFE (DTLS 1.0 = FEFF, DTLS 1.2 = FEFD)
  FragmentTooLong,    // length above 2^14 + 2048
};

const char* toString(RecordError error);

struct DtlsRecord {
  ContentType contentType{};
  uint16_t version = 0;
  uint16_t epoch = 0;
  uint64_t sequenceNumber = 0;  // 48 bits on the wire
  util::ConstBytes fragment;    // the (possibly encrypted) payload
  util::ConstBytes whole;       // header + fragment
};

// RFC 7983 §7: a first byte in 20..63 marks DTLS among STUN, TURN channel data and RTP/RTCP.
inline bool looksLikeDtls(util::ConstBytes datagram) {
  return !datagram.empty() && datagram[0] >= 20 && datagram[0] <= 63;
}

// Walks the records of one datagram. next() returns false at the end of the datagram or at the
// first malformed record; error() then says which (None at a clean end).
class RecordIterator {
 public:
  explicit RecordIterator(util::ConstBytes datagram) : data_(datagram) {}

  bool next(DtlsRecord& out);
  RecordError error() const { return error_; }
  // Bytes consumed so far (the start of the next record).
  size_t offset() const { return offset_; }

 private:
  util::ConstBytes data_;
  size_t offset_ = 0;
  RecordError error_ = RecordError::None;
};

// The whole datagram holds one or more well-formed records and nothing else.
RecordError validateDatagram(util::ConstBytes datagram);

}  // namespace treff::dtls
