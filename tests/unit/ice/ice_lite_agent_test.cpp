// ICE-lite agent behaviour: checks built the way a controlling browser builds them (the
// builder is checked byte for byte against real Chromium checks in the capture test).
#include "ice/ice_lite_agent.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "net/socket_address.hpp"

namespace treff::ice {
namespace {

// Credentials of the captured Chromium call: the server plays the answerer (7TQQ).
const IceCredentials kLocal{"7TQQ", "cwevJP3IDJaTsG+Vm1xZphnU"};
const IceCredentials kRemote{"PeQf", "1j3mdia8np1JbWgDAt0xouPt"};
const StunTransactionId kTid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

struct Packet {
  uint8_t bytes[512];
  size_t length = 0;
  StunMessage message() const { return StunMessage::parse({bytes, length}).value(); }
};

Packet check(bool useCandidate = false, std::string_view localUfrag = kLocal.ufrag,
             std::string_view pwd = kLocal.pwd, std::string_view remoteUfrag = kRemote.ufrag) {
  Packet p;
  ControllingBindingRequest r;
  r.localUfrag = remoteUfrag;  // the browser's own ufrag
  r.remoteUfrag = localUfrag;  // ours
  r.remotePwd = pwd;
  r.priority = 0x6E7F1EFF;
  r.tieBreaker = 0x37B6F7E488CB2C1C;
  r.useCandidate = useCandidate;
  r.transactionId = kTid;
  p.length = buildControllingBindingRequest(r, p.bytes, sizeof(p.bytes));
  return p;
}

const net::SocketAddress kFrom = *net::SocketAddress::fromString("192.0.2.7", 54904);

class IceLiteAgentTest : public ::testing::Test {
 protected:
  IceLiteAgentTest() : agent_(kLocal, 1000) { agent_.setRemote(kRemote); }

  CheckResult run(const Packet& p, uint64_t nowMs = 2000, const net::SocketAddress& from = kFrom) {
    return agent_.onBindingRequest(p.message(), from, out_, sizeof(out_), nowMs);
  }
  StunMessage response(const CheckResult& r) const {
    return StunMessage::parse({out_, r.responseLength}).value();
  }

  IceLiteAgent agent_;
  uint8_t out_[512];
};

TEST_F(IceLiteAgentTest, ValidCheck_GetsSignedSuccessWithMappedAddress) {
  const CheckResult r = run(check());
  ASSERT_EQ(r.outcome, CheckOutcome::Success);
  ASSERT_GT(r.responseLength, 0u);
  const StunMessage resp = response(r);
  EXPECT_EQ(resp.messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(resp.method(), kStunMethodBinding);
  EXPECT_TRUE(std::equal(kTid.begin(), kTid.end(), resp.transactionId().begin()));
  EXPECT_EQ(resp.xorMappedAddress(), kFrom);
  EXPECT_TRUE(resp.verifyMessageIntegrity(kLocal.pwd));
  EXPECT_FALSE(resp.verifyMessageIntegrity(kRemote.pwd));
  EXPECT_TRUE(resp.verifyFingerprint());
  EXPECT_EQ(agent_.counters().validChecks, 1u);
  EXPECT_EQ(agent_.lastValidCheckMs(), 2000u);
}

TEST_F(IceLiteAgentTest, Ipv6Source_IsMappedBack) {
  const auto from6 = *net::SocketAddress::fromString("2001:db8::42", 40000);
  const CheckResult r = run(check(), 2000, from6);
  ASSERT_EQ(r.outcome, CheckOutcome::Success);
  EXPECT_EQ(response(r).xorMappedAddress(), from6);
}

TEST_F(IceLiteAgentTest, UseCandidate_IsReportedAsNomination) {
  const CheckResult r = run(check(true));
  EXPECT_EQ(r.outcome, CheckOutcome::SuccessNominated);
  EXPECT_EQ(response(r).messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(agent_.counters().nominations, 1u);
}

TEST_F(IceLiteAgentTest, WrongLocalUfrag_Gets401WithoutIntegrity) {
  const CheckResult r = run(check(false, "XXXX"));
  ASSERT_EQ(r.outcome, CheckOutcome::Unauthorized);
  const StunMessage resp = response(r);
  EXPECT_EQ(resp.messageClass(), StunClass::ErrorResponse);
  EXPECT_EQ(resp.errorCode()->code, 401);
  EXPECT_FALSE(resp.hasMessageIntegrity());
  EXPECT_TRUE(resp.verifyFingerprint());
  EXPECT_EQ(agent_.counters().badUsername, 1u);
  EXPECT_EQ(agent_.counters().validChecks, 0u);
  EXPECT_EQ(agent_.lastValidCheckMs(), 1000u);
}

TEST_F(IceLiteAgentTest, WrongRemoteUfrag_Gets401) {
  EXPECT_EQ(run(check(false, kLocal.ufrag, kLocal.pwd, "ZZZZ")).outcome,
            CheckOutcome::Unauthorized);
  EXPECT_EQ(agent_.counters().badUsername, 1u);
}

TEST_F(IceLiteAgentTest, RemoteUfragUnknownYet_AnyRemotePartIsAccepted) {
  IceLiteAgent fresh(kLocal, 0);
  uint8_t out[256];
  const Packet p = check(false, kLocal.ufrag, kLocal.pwd, "anyone");
  EXPECT_EQ(fresh.onBindingRequest(p.message(), kFrom, out, sizeof(out), 5).outcome,
            CheckOutcome::Success);
}

TEST_F(IceLiteAgentTest, BadIntegrity_Gets401AndIsCountedWithoutRefreshingConsent) {
  const CheckResult r = run(check(false, kLocal.ufrag, "wrong-password-wrong-pwd"), 25000);
  ASSERT_EQ(r.outcome, CheckOutcome::Unauthorized);
  EXPECT_EQ(response(r).errorCode()->code, 401);
  EXPECT_FALSE(response(r).hasMessageIntegrity());
  EXPECT_EQ(agent_.counters().badIntegrity, 1u);
  EXPECT_EQ(agent_.counters().badUsername, 0u);
  EXPECT_EQ(agent_.lastValidCheckMs(), 1000u);
  EXPECT_TRUE(agent_.consentExpired(31000));
}

TEST_F(IceLiteAgentTest, TamperedCheck_FailsIntegrity) {
  Packet p = check();
  p.bytes[p.length - 8 - 24 - 1] ^= 0x01;  // last byte before MESSAGE-INTEGRITY (in PRIORITY)
  // FINGERPRINT no longer matches either; the agent relies on integrity, not the fingerprint.
  EXPECT_EQ(run(p).outcome, CheckOutcome::Unauthorized);
  EXPECT_EQ(agent_.counters().badIntegrity, 1u);
}

TEST_F(IceLiteAgentTest, MissingUsername_Gets400) {
  Packet p;
  StunBuilder b(p.bytes, sizeof(p.bytes), kStunMethodBinding, StunClass::Request, kTid);
  b.addPriority(1);
  b.addIceControlling(7);
  p.length = b.finish(kLocal.pwd, true);
  const CheckResult r = run(p);
  ASSERT_EQ(r.outcome, CheckOutcome::BadRequest);
  EXPECT_EQ(response(r).errorCode()->code, 400);
  EXPECT_FALSE(response(r).hasMessageIntegrity());
  EXPECT_EQ(agent_.counters().badRequest, 1u);
}

TEST_F(IceLiteAgentTest, MissingIntegrity_Gets400) {
  Packet p;
  StunBuilder b(p.bytes, sizeof(p.bytes), kStunMethodBinding, StunClass::Request, kTid);
  b.addUsername(kLocal.ufrag, kRemote.ufrag);
  b.addPriority(1);
  b.addIceControlling(7);
  p.length = b.finish(std::nullopt, true);
  EXPECT_EQ(run(p).outcome, CheckOutcome::BadRequest);
  EXPECT_EQ(agent_.counters().badRequest, 1u);
  EXPECT_EQ(agent_.counters().validChecks, 0u);
}

TEST_F(IceLiteAgentTest, MissingPriority_Gets400SignedBecauseItAuthenticated) {
  Packet p;
  StunBuilder b(p.bytes, sizeof(p.bytes), kStunMethodBinding, StunClass::Request, kTid);
  b.addUsername(kLocal.ufrag, kRemote.ufrag);
  b.addIceControlling(7);
  p.length = b.finish(kLocal.pwd, true);
  const CheckResult r = run(p);
  ASSERT_EQ(r.outcome, CheckOutcome::BadRequest);
  EXPECT_EQ(response(r).errorCode()->code, 400);
  EXPECT_TRUE(response(r).verifyMessageIntegrity(kLocal.pwd));
  EXPECT_EQ(agent_.lastValidCheckMs(), 1000u);
}

TEST_F(IceLiteAgentTest, ControlledPeer_Gets487RoleConflict) {
  Packet p;
  StunBuilder b(p.bytes, sizeof(p.bytes), kStunMethodBinding, StunClass::Request, kTid);
  b.addUsername(kLocal.ufrag, kRemote.ufrag);
  b.addPriority(1);
  b.addIceControlled(0xFFFFFFFFFFFFFFFF);  // even the highest tie-breaker cannot make us switch
  p.length = b.finish(kLocal.pwd, true);
  const CheckResult r = run(p);
  ASSERT_EQ(r.outcome, CheckOutcome::RoleConflict);
  const StunMessage resp = response(r);
  EXPECT_EQ(resp.errorCode()->code, 487);
  EXPECT_EQ(resp.errorCode()->reason, "Role Conflict");
  EXPECT_TRUE(resp.verifyMessageIntegrity(kLocal.pwd));
  EXPECT_TRUE(resp.verifyFingerprint());
  EXPECT_EQ(agent_.counters().roleConflicts, 1u);
  EXPECT_EQ(agent_.lastValidCheckMs(), 1000u);
}

TEST_F(IceLiteAgentTest, ResponsesAndIndications_AreNotRequests) {
  const CheckResult first = run(check());
  ASSERT_EQ(first.outcome, CheckOutcome::Success);
  Packet resp;
  std::copy(out_, out_ + first.responseLength, resp.bytes);
  resp.length = first.responseLength;
  const CheckResult r = run(resp);
  EXPECT_EQ(r.outcome, CheckOutcome::NotARequest);
  EXPECT_EQ(r.responseLength, 0u);

  Packet indication;
  StunBuilder b(indication.bytes, sizeof(indication.bytes), kStunMethodBinding,
                StunClass::Indication, kTid);
  indication.length = b.finish(std::nullopt, true);
  EXPECT_EQ(run(indication).outcome, CheckOutcome::NotARequest);
  EXPECT_EQ(agent_.counters().notARequest, 2u);
}

TEST_F(IceLiteAgentTest, Restart_OldCredentialsFailNewOnesSucceed) {
  const IceCredentials newLocal{"nEwL", "brandNewPasswordForIce1"};
  const IceCredentials newRemote{"nEwR", "remoteNewPasswordForIce"};
  agent_.restart(newLocal, newRemote);
  EXPECT_EQ(agent_.local().ufrag, "nEwL");
  EXPECT_EQ(run(check()).outcome, CheckOutcome::Unauthorized);
  EXPECT_EQ(run(check(false, newLocal.ufrag, kLocal.pwd, newRemote.ufrag)).outcome,
            CheckOutcome::Unauthorized);
  EXPECT_EQ(agent_.counters().badIntegrity, 1u);
  EXPECT_EQ(run(check(false, newLocal.ufrag, newLocal.pwd, newRemote.ufrag)).outcome,
            CheckOutcome::Success);
}

TEST_F(IceLiteAgentTest, Consent_ExpiresThirtySecondsAfterCreationWithoutChecks) {
  EXPECT_FALSE(agent_.consentExpired(1000));
  EXPECT_FALSE(agent_.consentExpired(30999));
  EXPECT_TRUE(agent_.consentExpired(31000));
}

TEST_F(IceLiteAgentTest, Consent_ValidCheckRestartsTheThirtySeconds) {
  ASSERT_EQ(run(check(), 20000).outcome, CheckOutcome::Success);
  EXPECT_EQ(agent_.lastValidCheckMs(), 20000u);
  EXPECT_FALSE(agent_.consentExpired(49999));
  EXPECT_TRUE(agent_.consentExpired(50000));
  // Failed checks do not keep consent alive.
  run(check(false, kLocal.ufrag, "not-the-password-at-all"), 45000);
  run(check(false, "XXXX"), 46000);
  EXPECT_TRUE(agent_.consentExpired(50000));
}

TEST_F(IceLiteAgentTest, ResponseThatDoesNotFit_ReportsOutcomeWithZeroLength) {
  uint8_t small[40];
  const Packet p = check(true);
  const CheckResult r = agent_.onBindingRequest(p.message(), kFrom, small, sizeof(small), 3000);
  EXPECT_EQ(r.outcome, CheckOutcome::SuccessNominated);
  EXPECT_EQ(r.responseLength, 0u);
}

TEST_F(IceLiteAgentTest, InvalidCredentials_AreRejectedOnTheControlPath) {
  EXPECT_THROW(IceLiteAgent({"", "pwd"}, 0), std::invalid_argument);
  EXPECT_THROW(IceLiteAgent({"a:b", "pwd"}, 0), std::invalid_argument);
  EXPECT_THROW(IceLiteAgent({"ufrag", ""}, 0), std::invalid_argument);
  EXPECT_THROW(agent_.setRemote({"x:y", "pwd"}), std::invalid_argument);
  EXPECT_THROW(agent_.restart({"ok", "pwd"}, {"", "pwd"}), std::invalid_argument);
  EXPECT_EQ(agent_.local().ufrag, kLocal.ufrag);  // unchanged after a failed restart
}

TEST(LocalUfragOf, ReturnsThePartBeforeTheColon) {
  const Packet p = check();
  EXPECT_EQ(localUfragOf(p.message()), "7TQQ");

  Packet noColon;
  StunBuilder b(noColon.bytes, sizeof(noColon.bytes), kStunMethodBinding, StunClass::Request, kTid);
  b.addUsername("nocolon");
  noColon.length = b.finish(std::nullopt, false);
  EXPECT_FALSE(localUfragOf(noColon.message()));

  Packet none;
  StunBuilder c(none.bytes, sizeof(none.bytes), kStunMethodBinding, StunClass::Request, kTid);
  none.length = c.finish(std::nullopt, false);
  EXPECT_FALSE(localUfragOf(none.message()));
}

}  // namespace
}  // namespace treff::ice
