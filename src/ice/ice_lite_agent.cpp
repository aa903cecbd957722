#include "ice/ice_lite_agent.hpp"

#include <stdexcept>

#include "ice/hmac_sha1.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "net/socket_address.hpp"

namespace treff::ice {
namespace {

void validate(const IceCredentials& c, const char* which) {
  // RFC 8445 §5.3: ice-char only, so ':' can never be part of a ufrag.
  if (c.ufrag.empty() || c.ufrag.find(':') != std::string::npos) {
    throw std::invalid_argument(std::string(which) + " ICE ufrag is empty or contains ':'");
  }
  if (c.pwd.empty()) throw std::invalid_argument(std::string(which) + " ICE pwd is empty");
}

}  // namespace

const char* toString(CheckOutcome outcome) {
  switch (outcome) {
    case CheckOutcome::Success:
      return "success";
    case CheckOutcome::SuccessNominated:
      return "success (nominated)";
    case CheckOutcome::BadRequest:
      return "bad request";
    case CheckOutcome::Unauthorized:
      return "unauthorized";
    case CheckOutcome::RoleConflict:
      return "role conflict";
    case CheckOutcome::NotARequest:
      return "not a request";
  }
  return "unknown";
}

IceLiteAgent::IceLiteAgent(IceCredentials local, uint64_t createdMs)
    : lastValidCheckMs_(createdMs) {
  validate(local, "local");
  localKey_ = std::make_unique<HmacSha1Key>(local.pwd);
  local_ = std::move(local);
}

IceLiteAgent::~IceLiteAgent() = default;
IceLiteAgent::IceLiteAgent(IceLiteAgent&&) noexcept = default;
IceLiteAgent& IceLiteAgent::operator=(IceLiteAgent&&) noexcept = default;

void IceLiteAgent::setRemote(IceCredentials remote) {
  validate(remote, "remote");
  remote_ = std::move(remote);
}

void IceLiteAgent::restart(IceCredentials newLocal, IceCredentials newRemote) {
  validate(newLocal, "local");
  validate(newRemote, "remote");
  auto key = std::make_unique<HmacSha1Key>(newLocal.pwd);
  local_ = std::move(newLocal);
  localKey_ = std::move(key);
  remote_ = std::move(newRemote);
}

CheckResult IceLiteAgent::reject(const StunMessage& request, int code, std::string_view reason,
                                 bool authenticated, uint8_t* out, size_t cap,
                                 CheckOutcome outcome) {
  StunBuilder b(out, cap, kStunMethodBinding, StunClass::ErrorResponse, request.transactionId());
  b.addErrorCode(code, reason);
  // RFC 8445 §7.3: every ICE STUN message carries FINGERPRINT. Integrity only when the request
  // authenticated, since otherwise the peer may not share our key (RFC 8489 §9.1.3).
  const size_t length = authenticated ? b.finish(*localKey_, true) : b.finish(std::nullopt, true);
  return {outcome, length};
}

CheckResult IceLiteAgent::onBindingRequest(const StunMessage& request,
                                           const net::SocketAddress& from, uint8_t* out, size_t cap,
                                           uint64_t nowMs) {
  if (request.messageClass() != StunClass::Request || request.method() != kStunMethodBinding) {
    ++counters_.notARequest;
    return {CheckOutcome::NotARequest, 0};
  }

  // RFC 8489 §9.1.3: short-term credentials need both USERNAME and MESSAGE-INTEGRITY.
  const std::optional<std::string_view> username = request.username();
  if (!username || !request.hasMessageIntegrity()) {
    ++counters_.badRequest;
    return reject(request, stun_error::kBadRequest, "Bad Request", false, out, cap,
                  CheckOutcome::BadRequest);
  }

  // RFC 8445 §7.2.2: USERNAME is "LFRAG:RFRAG" from our point of view.
  const size_t colon = username->find(':');
  const bool ufragMatches = colon != std::string_view::npos &&
                            username->substr(0, colon) == local_.ufrag &&
                            (!remote_ || username->substr(colon + 1) == remote_->ufrag);
  if (!ufragMatches) {
    ++counters_.badUsername;
    return reject(request, stun_error::kUnauthenticated, "Unauthenticated", false, out, cap,
                  CheckOutcome::Unauthorized);
  }
  if (!request.verifyMessageIntegrity(*localKey_)) {
    ++counters_.badIntegrity;
    return reject(request, stun_error::kUnauthenticated, "Unauthenticated", false, out, cap,
                  CheckOutcome::Unauthorized);
  }

  if (!request.priority()) {
    ++counters_.badRequest;
    return reject(request, stun_error::kBadRequest, "Bad Request", true, out, cap,
                  CheckOutcome::BadRequest);
  }

  // RFC 8445 §7.3.1.1: a lite agent is always controlled and cannot switch roles, so a peer
  // that also claims to be controlled is told to switch, whatever the tie-breakers say.
  if (request.iceControlled()) {
    ++counters_.roleConflicts;
    return reject(request, stun_error::kRoleConflict, "Role Conflict", true, out, cap,
                  CheckOutcome::RoleConflict);
  }

  StunBuilder b(out, cap, kStunMethodBinding, StunClass::SuccessResponse, request.transactionId());
  b.addXorMappedAddress(from);
  const size_t length = b.finish(*localKey_, true);

  // RFC 7675 §5.1: a valid check refreshes consent.
  lastValidCheckMs_ = nowMs;
  ++counters_.validChecks;
  if (request.useCandidate()) {
    ++counters_.nominations;
    return {CheckOutcome::SuccessNominated, length};
  }
  return {CheckOutcome::Success, length};
}

std::optional<std::string_view> localUfragOf(const StunMessage& message) {
  const std::optional<std::string_view> username = message.username();
  if (!username) return std::nullopt;
  const size_t colon = username->find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return username->substr(0, colon);
}

}  // namespace treff::ice
