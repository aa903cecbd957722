// Writes one STUN message (RFC 8489) into a caller's buffer, without allocating.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "ice/stun_constants.hpp"
#include "util/bytes.hpp"

namespace treff::net {
class SocketAddress;
}

namespace treff::ice {

class HmacSha1Key;

// Add attributes in wire order, then finish(). An attribute that does not fit marks the
// builder as overflowed and finish() returns 0.
class StunBuilder {
 public:
  StunBuilder(uint8_t* buf, size_t cap, uint16_t method, StunClass messageClass,
              std::span<const uint8_t, kStunTransactionIdSize> transactionId);

  void addXorMappedAddress(const net::SocketAddress& address);
  void addUsername(std::string_view username);
  // ICE's "RFRAG:LFRAG" form (RFC 8445 §7.2.2), written without building a string.
  void addUsername(std::string_view first, std::string_view second);
  void addPriority(uint32_t priority);
  void addUseCandidate();
  void addIceControlling(uint64_t tieBreaker);
  void addIceControlled(uint64_t tieBreaker);
  void addErrorCode(int code, std::string_view reason);
  void addAttribute(uint16_t type, util::ConstBytes value);

  // Appends MESSAGE-INTEGRITY (when a key is given) and FINGERPRINT (when asked), in that
  // order (RFC 8489 §14.5, §14.7). Returns the message length, 0 if it did not fit.
  size_t finish(std::optional<std::string_view> integrityKey, bool fingerprint);
  size_t finish(const HmacSha1Key& integrityKey, bool fingerprint);

  bool overflowed() const { return overflowed_; }
  size_t length() const { return length_; }

 private:
  // Reserves an attribute header plus padded value; nullptr (and overflow) when it does not fit.
  uint8_t* beginAttribute(uint16_t type, size_t valueLength);
  void setLengthField(size_t bodyLength);
  size_t finishWith(const HmacSha1Key* integrityKey, bool fingerprint);

  uint8_t* buf_;
  size_t cap_;
  size_t length_ = 0;
  bool overflowed_ = false;
};

// A Binding request as a controlling full agent sends it (RFC 8445 §7.2.2): USERNAME
// "remoteUfrag:localUfrag", PRIORITY, ICE-CONTROLLING, optionally USE-CANDIDATE, integrity
// keyed with the remote password, FINGERPRINT. Used by the load generator and tests.
struct ControllingBindingRequest {
  std::string_view localUfrag;
  std::string_view remoteUfrag;
  std::string_view remotePwd;
  uint32_t priority = 0;
  uint64_t tieBreaker = 0;
  bool useCandidate = false;
  StunTransactionId transactionId{};
};

// Returns the message length, 0 if `cap` was too small.
size_t buildControllingBindingRequest(const ControllingBindingRequest& request, uint8_t* buf,
                                      size_t cap);

}  // namespace treff::ice
