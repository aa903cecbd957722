// A zero-copy view of one STUN message (RFC 8489) and the RFC 7983 demultiplexing test.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ice/stun_constants.hpp"
#include "net/socket_address.hpp"
#include "util/bytes.hpp"

namespace treff::ice {

class HmacSha1Key;

// RFC 7983 §7 plus the STUN header checks of RFC 8489 §6 that need no attribute walk: first
// byte 0..3, magic cookie, length field a multiple of 4 that matches the datagram exactly.
bool looksLikeStun(util::ConstBytes datagram);

// Why parse() rejected a message.
enum class StunParseError : uint8_t {
  None,
  TooShort,              // fewer than 20 bytes
  NotStun,               // first byte above 3 (RFC 7983 §7)
  BadMagicCookie,        // not RFC 5389/8489 STUN
  LengthNotMultipleOf4,  // §5: the length field is always a multiple of 4
  LengthMismatch,        // length field does not match the bytes given
  AttributeTruncated,    // a TLV (with its padding) runs past the message end
  BadIntegrityLength,    // MESSAGE-INTEGRITY value is not 20 bytes
  BadFingerprintLength,  // FINGERPRINT value is not 4 bytes
  FingerprintNotLast,    // §14.7: FINGERPRINT must be the last attribute
};

const char* toString(StunParseError error);

struct StunErrorCode {
  int code;  // 300..699
  std::string_view reason;
};

class StunMessage {
 public:
  // Validates the header and every attribute bound. The view refers to `bytes`, which must
  // outlive it.
  static std::optional<StunMessage> parse(util::ConstBytes bytes, StunParseError* why = nullptr);

  util::ConstBytes bytes() const { return {data_, size_}; }
  uint16_t messageType() const { return util::loadBe16(data_); }
  uint16_t method() const;
  StunClass messageClass() const;
  std::span<const uint8_t, kStunTransactionIdSize> transactionId() const {
    return std::span<const uint8_t, kStunTransactionIdSize>(data_ + 8, kStunTransactionIdSize);
  }

  // First occurrence of an attribute's value. RFC 8489 §14.5: attributes after
  // MESSAGE-INTEGRITY other than FINGERPRINT and MESSAGE-INTEGRITY-SHA256 are ignored, so
  // they are not found here.
  std::optional<util::ConstBytes> attribute(uint16_t type) const;

  std::optional<std::string_view> username() const;
  std::optional<uint32_t> priority() const;
  bool useCandidate() const { return useCandidateAt_ != 0; }
  std::optional<uint64_t> iceControlling() const;  // tie-breaker
  std::optional<uint64_t> iceControlled() const;   // tie-breaker
  std::optional<StunErrorCode> errorCode() const;
  std::optional<net::SocketAddress> xorMappedAddress() const;

  bool hasMessageIntegrity() const { return integrityAt_ != 0; }
  bool hasFingerprint() const { return fingerprintAt_ != 0; }
  // RFC 8489 §14.5: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, the length field
  // counting up to and including it. Short-term credentials: the key is the password itself.
  bool verifyMessageIntegrity(std::string_view key) const;
  bool verifyMessageIntegrity(const HmacSha1Key& key) const;
  // RFC 8489 §14.7.
  bool verifyFingerprint() const;

 private:
  StunMessage() = default;
  // Value bytes of the attribute whose header starts at `at` (0 = absent).
  util::ConstBytes valueAt(uint32_t at) const;

  const uint8_t* data_ = nullptr;
  uint32_t size_ = 0;
  // Where the attribute search stops: MESSAGE-INTEGRITY, else the end.
  uint32_t searchEnd_ = 0;
  // Header offsets of the first occurrence of attributes the ICE agent reads; 0 = absent.
  uint32_t usernameAt_ = 0;
  uint32_t priorityAt_ = 0;
  uint32_t useCandidateAt_ = 0;
  uint32_t controllingAt_ = 0;
  uint32_t controlledAt_ = 0;
  uint32_t errorCodeAt_ = 0;
  uint32_t xorMappedAt_ = 0;
  uint32_t integrityAt_ = 0;
  uint32_t fingerprintAt_ = 0;
};

}  // namespace treff::ice
