// ICE-lite (RFC 8445 §2.5) for the server: always the controlled agent, it answers the
// browser's connectivity checks and tracks consent freshness (RFC 7675). It does not track
// addresses or candidate pairs (the transport does); it only validates and answers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/time.hpp"

namespace treff::net {
class SocketAddress;
}

namespace treff::ice {

class StunMessage;
class HmacSha1Key;

struct IceCredentials {
  std::string ufrag;
  std::string pwd;
};

enum class CheckOutcome : uint8_t {
  Success,           // valid check; success response written
  SuccessNominated,  // valid check with USE-CANDIDATE (RFC 8445 §7.3.1.5)
  BadRequest,        // 400: USERNAME, MESSAGE-INTEGRITY or PRIORITY missing
  Unauthorized,      // 401: unknown ufrag, or MESSAGE-INTEGRITY did not verify
  RoleConflict,      // 487: the peer claims to be controlled too (RFC 8445 §7.3.1.1)
  NotARequest,       // not a Binding request: nothing written
};

const char* toString(CheckOutcome outcome);

struct CheckResult {
  CheckOutcome outcome;
  size_t responseLength;  // bytes written to `out`; 0 = send nothing
};

struct IceAgentCounters {
  uint64_t validChecks = 0;
  uint64_t nominations = 0;
  uint64_t badUsername = 0;
  uint64_t badIntegrity = 0;
  uint64_t badRequest = 0;
  uint64_t roleConflicts = 0;
  uint64_t notARequest = 0;
};

class IceLiteAgent {
 public:
  // RFC 7675 §5.1: consent lapses 30 s after the last valid check.
  static constexpr uint64_t kConsentTimeoutMs = 30'000;

  // `createdMs` on the same clock as the `nowMs` later passed in (util::nowMs() by default):
  // consent runs from here until the first valid check. Throws std::invalid_argument on
  // unusable credentials.
  explicit IceLiteAgent(IceCredentials local, uint64_t createdMs = util::nowMs());
  ~IceLiteAgent();
  IceLiteAgent(IceLiteAgent&&) noexcept;
  IceLiteAgent& operator=(IceLiteAgent&&) noexcept;

  // The remote ufrag, once known, must match the second half of USERNAME. The remote pwd is
  // not needed by a lite agent (it sends no checks) but is kept for completeness.
  void setRemote(IceCredentials remote);
  const IceCredentials& local() const { return local_; }
  const std::optional<IceCredentials>& remote() const { return remote_; }
  // ICE restart (RFC 8445 §9): checks with the old credentials fail from now on. Consent
  // timing carries on.
  void restart(IceCredentials newLocal, IceCredentials newRemote);

  // Answers one Binding request from `from`, writing the response into `out`.
  //
  // Failed authentication (unknown ufrag or bad MESSAGE-INTEGRITY) gets a 401 without
  // MESSAGE-INTEGRITY, as RFC 8489 §9.1.3 requires for requests (only indications are dropped
  // silently); the 401 is 52 bytes and a request that reaches it at least 48. Missing
  // USERNAME or MESSAGE-INTEGRITY gets an unauthenticated 400 (48 bytes, so a bare 20-byte
  // header is answered 2.4x larger: callers may rate-limit error answers per source). A
  // missing PRIORITY (RFC 8445 §7.2.2) is reported after authentication with a 400 that
  // carries MESSAGE-INTEGRITY. A failed check changes only the counters.
  CheckResult onBindingRequest(const StunMessage& request, const net::SocketAddress& from,
                               uint8_t* out, size_t cap, uint64_t nowMs);

  bool consentExpired(uint64_t nowMs) const {
    return nowMs > lastValidCheckMs_ && nowMs - lastValidCheckMs_ >= kConsentTimeoutMs;
  }
  uint64_t lastValidCheckMs() const { return lastValidCheckMs_; }
  const IceAgentCounters& counters() const { return counters_; }

 private:
  CheckResult reject(const StunMessage& request, int code, std::string_view reason,
                     bool authenticated, uint8_t* out, size_t cap, CheckOutcome outcome);

  IceCredentials local_;
  std::optional<IceCredentials> remote_;
  std::unique_ptr<HmacSha1Key> localKey_;  // local pwd, keyed once
  uint64_t lastValidCheckMs_;
  IceAgentCounters counters_;
};

// The part of USERNAME before ':' (our local ufrag, RFC 8445 §7.2.2), so the worker can find
// the transport a check belongs to before it knows the 5-tuple. nullopt without a ':'.
std::optional<std::string_view> localUfragOf(const StunMessage& message);

}  // namespace treff::ice
