#include "ice/stun_message.hpp"

#include <openssl/crypto.h>

#include "ice/hmac_sha1.hpp"
#include "ice/stun_crc32.hpp"

namespace treff::ice {
namespace {

constexpr size_t padded(size_t n) { return (n + 3) & ~size_t{3}; }

bool headerLooksLikeStun(util::ConstBytes d, StunParseError* why) {
  auto fail = [why](StunParseError e) {
    if (why) *why = e;
    return false;
  };
  if (d.size() < kStunHeaderSize) return fail(StunParseError::TooShort);
  if (d[0] > 3) return fail(StunParseError::NotStun);
  if (util::loadBe32(d.data() + 4) != kStunMagicCookie) {
    return fail(StunParseError::BadMagicCookie);
  }
  size_t length = util::loadBe16(d.data() + 2);
  if (length % 4 != 0) return fail(StunParseError::LengthNotMultipleOf4);
  if (length != d.size() - kStunHeaderSize) return fail(StunParseError::LengthMismatch);
  return true;
}

}  // namespace

bool looksLikeStun(util::ConstBytes datagram) { return headerLooksLikeStun(datagram, nullptr); }

const char* toString(StunParseError error) {
  switch (error) {
    case StunParseError::None:
      return "none";
    case StunParseError::TooShort:
      return "too short";
    case StunParseError::NotStun:
      return "first byte above 3";
    case StunParseError::BadMagicCookie:
      return "bad magic cookie";
    case StunParseError::LengthNotMultipleOf4:
      return "length not a multiple of 4";
    case StunParseError::LengthMismatch:
      return "length field does not match the message";
    case StunParseError::AttributeTruncated:
      return "attribute runs past the message end";
    case StunParseError::BadIntegrityLength:
      return "MESSAGE-INTEGRITY is not 20 bytes";
    case StunParseError::BadFingerprintLength:
      return "FINGERPRINT is not 4 bytes";
    case StunParseError::FingerprintNotLast:
      return "FINGERPRINT is not the last attribute";
  }
  return "unknown";
}

std::optional<StunMessage> StunMessage::parse(util::ConstBytes bytes, StunParseError* why) {
  if (why) *why = StunParseError::None;
  if (!headerLooksLikeStun(bytes, why)) return std::nullopt;
  auto fail = [why](StunParseError e) -> std::optional<StunMessage> {
    if (why) *why = e;
    return std::nullopt;
  };

  StunMessage m;
  m.data_ = bytes.data();
  m.size_ = static_cast<uint32_t>(bytes.size());
  m.searchEnd_ = m.size_;
  size_t at = kStunHeaderSize;
  while (at < bytes.size()) {
    if (bytes.size() - at < kStunAttributeHeaderSize)
      return fail(StunParseError::AttributeTruncated);
    const uint16_t type = util::loadBe16(bytes.data() + at);
    const size_t length = util::loadBe16(bytes.data() + at + 2);
    const size_t total = kStunAttributeHeaderSize + padded(length);
    if (total > bytes.size() - at) return fail(StunParseError::AttributeTruncated);
    const auto here = static_cast<uint32_t>(at);
    const bool afterIntegrity = m.integrityAt_ != 0;

    if (type == stun_attr::kFingerprint) {
      if (length != 4) return fail(StunParseError::BadFingerprintLength);
      if (at + total != bytes.size()) return fail(StunParseError::FingerprintNotLast);
      m.fingerprintAt_ = here;
      if (!afterIntegrity) m.searchEnd_ = here;
    } else if (type == stun_attr::kMessageIntegrity && !afterIntegrity) {
      if (length != kStunIntegritySize) return fail(StunParseError::BadIntegrityLength);
      m.integrityAt_ = here;
      m.searchEnd_ = here;
    } else if (!afterIntegrity) {
      // §14: only the first occurrence of an attribute counts.
      auto remember = [here](uint32_t& slot) {
        if (slot == 0) slot = here;
      };
      switch (type) {
        case stun_attr::kUsername:
          remember(m.usernameAt_);
          break;
        case stun_attr::kPriority:
          remember(m.priorityAt_);
          break;
        case stun_attr::kUseCandidate:
          remember(m.useCandidateAt_);
          break;
        case stun_attr::kIceControlling:
          remember(m.controllingAt_);
          break;
        case stun_attr::kIceControlled:
          remember(m.controlledAt_);
          break;
        case stun_attr::kErrorCode:
          remember(m.errorCodeAt_);
          break;
        case stun_attr::kXorMappedAddress:
          remember(m.xorMappedAt_);
          break;
        default:
          break;
      }
    }
    at += total;
  }
  return m;
}

uint16_t StunMessage::method() const {
  // §5: M11..M7 in bits 13..9, M6..M4 in bits 7..5, M3..M0 in bits 3..0.
  const uint16_t t = messageType();
  return static_cast<uint16_t>((t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2));
}

StunClass StunMessage::messageClass() const {
  const uint16_t t = messageType();
  return static_cast<StunClass>(((t >> 7) & 0x2) | ((t >> 4) & 0x1));
}

util::ConstBytes StunMessage::valueAt(uint32_t at) const {
  if (at == 0) return {};
  return {data_ + at + kStunAttributeHeaderSize, util::loadBe16(data_ + at + 2)};
}

std::optional<util::ConstBytes> StunMessage::attribute(uint16_t type) const {
  if (type == stun_attr::kMessageIntegrity && integrityAt_) return valueAt(integrityAt_);
  if (type == stun_attr::kFingerprint && fingerprintAt_) return valueAt(fingerprintAt_);
  size_t at = kStunHeaderSize;
  while (at < searchEnd_) {  // bounds were checked by parse()
    const uint16_t length = util::loadBe16(data_ + at + 2);
    if (util::loadBe16(data_ + at) == type) {
      return util::ConstBytes(data_ + at + kStunAttributeHeaderSize, length);
    }
    at += kStunAttributeHeaderSize + padded(length);
  }
  return std::nullopt;
}

std::optional<std::string_view> StunMessage::username() const {
  if (!usernameAt_) return std::nullopt;
  util::ConstBytes v = valueAt(usernameAt_);
  return std::string_view(reinterpret_cast<const char*>(v.data()), v.size());
}

std::optional<uint32_t> StunMessage::priority() const {
  util::ConstBytes v = valueAt(priorityAt_);
  if (!priorityAt_ || v.size() != 4) return std::nullopt;
  return util::loadBe32(v.data());
}

std::optional<uint64_t> StunMessage::iceControlling() const {
  util::ConstBytes v = valueAt(controllingAt_);
  if (!controllingAt_ || v.size() != 8) return std::nullopt;
  return util::loadBe64(v.data());
}

std::optional<uint64_t> StunMessage::iceControlled() const {
  util::ConstBytes v = valueAt(controlledAt_);
  if (!controlledAt_ || v.size() != 8) return std::nullopt;
  return util::loadBe64(v.data());
}

std::optional<StunErrorCode> StunMessage::errorCode() const {
  // §14.8: 21 reserved bits, a 3-bit class (3..6) and a number 0..99, then the reason phrase.
  util::ConstBytes v = valueAt(errorCodeAt_);
  if (!errorCodeAt_ || v.size() < 4) return std::nullopt;
  const int errorClass = v[2] & 0x07;
  const int number = v[3];
  if (errorClass < 3 || errorClass > 6 || number > 99) return std::nullopt;
  return StunErrorCode{errorClass * 100 + number,
                       std::string_view(reinterpret_cast<const char*>(v.data() + 4), v.size() - 4)};
}

std::optional<net::SocketAddress> StunMessage::xorMappedAddress() const {
  // §14.2: port XOR the cookie's top 16 bits; address XOR the cookie (IPv4) or the cookie
  // followed by the transaction id (IPv6).
  util::ConstBytes v = valueAt(xorMappedAt_);
  if (!xorMappedAt_ || v.size() < 4) return std::nullopt;
  const uint8_t family = v[1];
  const auto port = static_cast<uint16_t>(util::loadBe16(v.data() + 2) ^ (kStunMagicCookie >> 16));
  const uint8_t* mask = data_ + 4;  // cookie, then transaction id
  if (family == 0x01 && v.size() == 8) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    auto* addr = reinterpret_cast<uint8_t*>(&sa.sin_addr);
    for (int i = 0; i < 4; ++i) addr[i] = v[4 + i] ^ mask[i];
    return net::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
  }
  if (family == 0x02 && v.size() == 20) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_port = htons(port);
    auto* addr = reinterpret_cast<uint8_t*>(&sa.sin6_addr);
    for (int i = 0; i < 16; ++i) addr[i] = v[4 + i] ^ mask[i];
    return net::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
  }
  return std::nullopt;
}

bool StunMessage::verifyMessageIntegrity(std::string_view key) const {
  if (!integrityAt_) return false;
  return verifyMessageIntegrity(HmacSha1Key(key));
}

bool StunMessage::verifyMessageIntegrity(const HmacSha1Key& key) const {
  if (!integrityAt_) return false;
  // §14.5: the length field covers everything up to and including MESSAGE-INTEGRITY, as if
  // no attribute (FINGERPRINT) followed it.
  uint8_t adjustedLength[2];
  util::storeBe16(adjustedLength, static_cast<uint16_t>(integrityAt_ + kStunAttributeHeaderSize +
                                                        kStunIntegritySize - kStunHeaderSize));
  uint8_t mac[HmacSha1Key::kDigestSize];
  key.compute(util::ConstBytes(data_, 2), util::ConstBytes(adjustedLength, 2),
              util::ConstBytes(data_ + 4, integrityAt_ - 4), mac);
  const uint8_t* expected = data_ + integrityAt_ + kStunAttributeHeaderSize;
  return CRYPTO_memcmp(mac, expected, sizeof(mac)) == 0;
}

bool StunMessage::verifyFingerprint() const {
  if (!fingerprintAt_) return false;
  // §14.7: CRC-32 of the message up to FINGERPRINT (which is last, so the length field is
  // already right), XOR 0x5354554e.
  const uint32_t crc = crc32(util::ConstBytes(data_, fingerprintAt_)) ^ kStunFingerprintXor;
  return crc == util::loadBe32(data_ + fingerprintAt_ + kStunAttributeHeaderSize);
}

}  // namespace treff::ice
