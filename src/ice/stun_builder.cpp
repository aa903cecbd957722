#include "ice/stun_builder.hpp"

#include <cstring>

#include "ice/hmac_sha1.hpp"
#include "ice/stun_crc32.hpp"
#include "net/socket_address.hpp"

namespace treff::ice {
namespace {
constexpr size_t padded(size_t n) { return (n + 3) & ~size_t{3}; }
}  // namespace

StunBuilder::StunBuilder(uint8_t* buf, size_t cap, uint16_t method, StunClass messageClass,
                         std::span<const uint8_t, kStunTransactionIdSize> transactionId)
    : buf_(buf), cap_(cap) {
  if (cap < kStunHeaderSize) {
    overflowed_ = true;
    return;
  }
  // §5: class bits C1 (0x100) and C0 (0x010) interleaved with the method bits.
  const auto c = static_cast<uint16_t>(messageClass);
  const auto type =
      static_cast<uint16_t>((method & 0x000F) | ((method & 0x0070) << 1) |
                            ((method & 0x0F80) << 2) | ((c & 0x1) << 4) | ((c & 0x2) << 7));
  util::storeBe16(buf_, type);
  util::storeBe16(buf_ + 2, 0);
  util::storeBe32(buf_ + 4, kStunMagicCookie);
  std::memcpy(buf_ + 8, transactionId.data(), kStunTransactionIdSize);
  length_ = kStunHeaderSize;
}

uint8_t* StunBuilder::beginAttribute(uint16_t type, size_t valueLength) {
  if (overflowed_) return nullptr;
  const size_t total = kStunAttributeHeaderSize + padded(valueLength);
  // The length field is 16 bits: the body can never exceed 65535 bytes.
  if (valueLength > 0xFFFF || total > cap_ - length_ ||
      length_ + total - kStunHeaderSize > 0xFFFC) {
    overflowed_ = true;
    return nullptr;
  }
  uint8_t* p = buf_ + length_;
  util::storeBe16(p, type);
  util::storeBe16(p + 2, static_cast<uint16_t>(valueLength));
  // Padding bytes are zero (§14: senders should zero them, receivers ignore them).
  std::memset(p + kStunAttributeHeaderSize + valueLength, 0, padded(valueLength) - valueLength);
  length_ += total;
  return p + kStunAttributeHeaderSize;
}

void StunBuilder::addAttribute(uint16_t type, util::ConstBytes value) {
  if (uint8_t* v = beginAttribute(type, value.size()); v && !value.empty()) {
    std::memcpy(v, value.data(), value.size());
  }
}

void StunBuilder::addXorMappedAddress(const net::SocketAddress& address) {
  // §14.2: family 1 (IPv4) or 2 (IPv6); X-Port and X-Address masked with the cookie (and the
  // transaction id for IPv6).
  const size_t addressLength = address.addressLength();
  if (addressLength == 0) {
    overflowed_ = true;  // not an IP address: nothing sensible to write
    return;
  }
  uint8_t* v = beginAttribute(stun_attr::kXorMappedAddress, 4 + addressLength);
  if (!v) return;
  v[0] = 0;
  v[1] = address.isV4() ? 0x01 : 0x02;
  util::storeBe16(v + 2, static_cast<uint16_t>(address.port() ^ (kStunMagicCookie >> 16)));
  const uint8_t* mask = buf_ + 4;  // cookie, then transaction id
  const uint8_t* ip = address.addressBytes();
  for (size_t i = 0; i < addressLength; ++i) v[4 + i] = ip[i] ^ mask[i];
}

void StunBuilder::addUsername(std::string_view username) {
  addAttribute(
      stun_attr::kUsername,
      util::ConstBytes(reinterpret_cast<const uint8_t*>(username.data()), username.size()));
}

void StunBuilder::addUsername(std::string_view first, std::string_view second) {
  uint8_t* v = beginAttribute(stun_attr::kUsername, first.size() + 1 + second.size());
  if (!v) return;
  std::memcpy(v, first.data(), first.size());
  v[first.size()] = ':';
  std::memcpy(v + first.size() + 1, second.data(), second.size());
}

void StunBuilder::addPriority(uint32_t priority) {
  if (uint8_t* v = beginAttribute(stun_attr::kPriority, 4)) util::storeBe32(v, priority);
}

void StunBuilder::addUseCandidate() { beginAttribute(stun_attr::kUseCandidate, 0); }

void StunBuilder::addIceControlling(uint64_t tieBreaker) {
  if (uint8_t* v = beginAttribute(stun_attr::kIceControlling, 8)) util::storeBe64(v, tieBreaker);
}

void StunBuilder::addIceControlled(uint64_t tieBreaker) {
  if (uint8_t* v = beginAttribute(stun_attr::kIceControlled, 8)) util::storeBe64(v, tieBreaker);
}

void StunBuilder::addErrorCode(int code, std::string_view reason) {
  // §14.8: class is the hundreds digit (3..6), number the rest.
  if (code < 300 || code > 699) {
    overflowed_ = true;
    return;
  }
  uint8_t* v = beginAttribute(stun_attr::kErrorCode, 4 + reason.size());
  if (!v) return;
  v[0] = 0;
  v[1] = 0;
  v[2] = static_cast<uint8_t>(code / 100);
  v[3] = static_cast<uint8_t>(code % 100);
  std::memcpy(v + 4, reason.data(), reason.size());
}

void StunBuilder::setLengthField(size_t bodyLength) {
  util::storeBe16(buf_ + 2, static_cast<uint16_t>(bodyLength));
}

size_t StunBuilder::finish(std::optional<std::string_view> integrityKey, bool fingerprint) {
  if (!integrityKey) return finishWith(nullptr, fingerprint);
  const HmacSha1Key key(*integrityKey);
  return finishWith(&key, fingerprint);
}

size_t StunBuilder::finish(const HmacSha1Key& integrityKey, bool fingerprint) {
  return finishWith(&integrityKey, fingerprint);
}

size_t StunBuilder::finishWith(const HmacSha1Key* integrityKey, bool fingerprint) {
  if (overflowed_) return 0;
  if (integrityKey) {
    // §14.5: the MAC covers the header with a length that already includes this attribute.
    uint8_t* v = beginAttribute(stun_attr::kMessageIntegrity, kStunIntegritySize);
    if (!v) return 0;
    setLengthField(length_ - kStunHeaderSize);
    integrityKey->compute(util::ConstBytes(buf_, v - kStunAttributeHeaderSize - buf_), {}, {}, v);
  }
  if (fingerprint) {
    uint8_t* v = beginAttribute(stun_attr::kFingerprint, 4);
    if (!v) return 0;
    setLengthField(length_ - kStunHeaderSize);
    const size_t covered = static_cast<size_t>(v - kStunAttributeHeaderSize - buf_);
    util::storeBe32(v, crc32(util::ConstBytes(buf_, covered)) ^ kStunFingerprintXor);
  }
  setLengthField(length_ - kStunHeaderSize);
  return length_;
}

size_t buildControllingBindingRequest(const ControllingBindingRequest& request, uint8_t* buf,
                                      size_t cap) {
  StunBuilder b(buf, cap, kStunMethodBinding, StunClass::Request, request.transactionId);
  b.addUsername(request.remoteUfrag, request.localUfrag);
  b.addPriority(request.priority);
  b.addIceControlling(request.tieBreaker);
  if (request.useCandidate) b.addUseCandidate();
  return b.finish(request.remotePwd, true);
}

}  // namespace treff::ice
