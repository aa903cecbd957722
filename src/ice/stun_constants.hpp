// STUN wire constants (RFC 8489 §5, §18; RFC 8445 §16 for the ICE attributes).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace treff::ice {

inline constexpr uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr size_t kStunHeaderSize = 20;
inline constexpr size_t kStunTransactionIdSize = 12;
inline constexpr size_t kStunAttributeHeaderSize = 4;
inline constexpr size_t kStunIntegritySize = 20;  // HMAC-SHA1 (RFC 8489 §14.5)
// RFC 8489 §14.7: the CRC-32 is XORed with this so STUN cannot be mistaken for other protocols.
inline constexpr uint32_t kStunFingerprintXor = 0x5354554E;

using StunTransactionId = std::array<uint8_t, kStunTransactionIdSize>;

inline constexpr uint16_t kStunMethodBinding = 0x001;

// RFC 8489 §5: the class is two bits spread over the message type.
enum class StunClass : uint8_t {
  Request = 0,
  Indication = 1,
  SuccessResponse = 2,
  ErrorResponse = 3
};

// Attribute types. Comprehension-required ones are below 0x8000 (RFC 8489 §14).
namespace stun_attr {
inline constexpr uint16_t kMappedAddress = 0x0001;
inline constexpr uint16_t kUsername = 0x0006;
inline constexpr uint16_t kMessageIntegrity = 0x0008;
inline constexpr uint16_t kErrorCode = 0x0009;
inline constexpr uint16_t kUnknownAttributes = 0x000A;
inline constexpr uint16_t kRealm = 0x0014;
inline constexpr uint16_t kNonce = 0x0015;
inline constexpr uint16_t kMessageIntegritySha256 = 0x001C;
inline constexpr uint16_t kXorMappedAddress = 0x0020;
inline constexpr uint16_t kPriority = 0x0024;      // RFC 8445 §16.1
inline constexpr uint16_t kUseCandidate = 0x0025;  // RFC 8445 §16.1
inline constexpr uint16_t kSoftware = 0x8022;
inline constexpr uint16_t kFingerprint = 0x8028;
inline constexpr uint16_t kIceControlled = 0x8029;   // RFC 8445 §16.1
inline constexpr uint16_t kIceControlling = 0x802A;  // RFC 8445 §16.1
}  // namespace stun_attr

// Error codes the ICE agent sends (RFC 8489 §14.8, RFC 8445 §7.3.1.1).
namespace stun_error {
inline constexpr int kBadRequest = 400;
inline constexpr int kUnauthenticated = 401;
inline constexpr int kRoleConflict = 487;
}  // namespace stun_error

}  // namespace treff::ice
