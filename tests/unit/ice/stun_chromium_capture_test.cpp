// STUN codec and ICE-lite agent on the connectivity checks of a real Chromium call
// (tests/data/chromium-loopback-unencrypted.pcap; credentials from the call's two SDP files).
//
// Both ends were full Chromium agents. The offerer (ufrag PeQf) was controlling; the answerer
// (7TQQ) controlled. A request with USERNAME "X:Y" is sent to the agent whose ufrag is X and is
// keyed with X's pwd (RFC 8445 §7.2.2); the response is keyed with the same pwd.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <vector>

#include "chromium_capture.hpp"
#include "ice/ice_lite_agent.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"

namespace treff::ice {
namespace {

using test::CapturedDatagram;

class ChromiumCapture : public ::testing::Test {
 protected:
  void SetUp() override {
    datagrams_ = test::chromiumStunDatagrams();
    offer_ = test::iceCredentialsFromSdp("chromium-offer-simulcast-unencrypted.sdp");
    answer_ = test::iceCredentialsFromSdp("chromium-answer-unencrypted.sdp");
  }

  const IceCredentials& credentialsOf(std::string_view ufrag) const {
    return ufrag == offer_.ufrag ? offer_ : answer_;
  }

  std::vector<CapturedDatagram> datagrams_;
  IceCredentials offer_;
  IceCredentials answer_;
};

TEST_F(ChromiumCapture, CredentialsComeFromTheSdpFiles) {
  EXPECT_EQ(offer_.ufrag, "PeQf");
  EXPECT_EQ(offer_.pwd, "1j3mdia8np1JbWgDAt0xouPt");
  EXPECT_EQ(answer_.ufrag, "7TQQ");
  EXPECT_EQ(answer_.pwd, "cwevJP3IDJaTsG+Vm1xZphnU");
}

TEST_F(ChromiumCapture, All28ChecksParseAndCarryAValidFingerprint) {
  ASSERT_EQ(datagrams_.size(), 28u);
  size_t requests = 0, responses = 0;
  for (const auto& d : datagrams_) {
    StunParseError why;
    const auto msg = StunMessage::parse(d.payload, &why);
    ASSERT_TRUE(msg) << "frame " << d.frameNumber << ": " << toString(why);
    EXPECT_EQ(msg->method(), kStunMethodBinding);
    EXPECT_TRUE(msg->verifyFingerprint()) << "frame " << d.frameNumber;
    if (msg->messageClass() == StunClass::Request) ++requests;
    if (msg->messageClass() == StunClass::SuccessResponse) ++responses;
  }
  EXPECT_EQ(requests, 14u);
  EXPECT_EQ(responses, 14u);
}

TEST_F(ChromiumCapture, RequestsCarryPlausibleIceAttributes) {
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    ASSERT_TRUE(msg);
    if (msg->messageClass() != StunClass::Request) continue;
    const auto username = msg->username();
    ASSERT_TRUE(username) << "frame " << d.frameNumber;
    ASSERT_TRUE(*username == "PeQf:7TQQ" || *username == "7TQQ:PeQf") << *username;
    EXPECT_EQ(localUfragOf(*msg), username->substr(0, 4));

    // RFC 8445 §7.1.1: PRIORITY as a peer-reflexive candidate: type preference 110 (§5.1.2.2),
    // component 1 in the low byte (256 - 1).
    const auto priority = msg->priority();
    ASSERT_TRUE(priority);
    EXPECT_EQ(*priority >> 24, 110u);
    EXPECT_EQ(*priority & 0xFF, 255u);

    // The offerer (PeQf) controls: its checks go to 7TQQ and carry ICE-CONTROLLING and
    // USE-CANDIDATE (aggressive-style nomination); the answerer's carry ICE-CONTROLLED.
    if (*username == "7TQQ:PeQf") {
      EXPECT_TRUE(msg->iceControlling());
      EXPECT_FALSE(msg->iceControlled());
      EXPECT_TRUE(msg->useCandidate());
    } else {
      EXPECT_TRUE(msg->iceControlled());
      EXPECT_FALSE(msg->iceControlling());
      EXPECT_FALSE(msg->useCandidate());
    }
    EXPECT_NE(msg->iceControlling().value_or(0) | msg->iceControlled().value_or(0), 0u);
  }
}

TEST_F(ChromiumCapture, IntegrityVerifiesWithTheReceiversPwdOnly) {
  std::map<std::vector<uint8_t>, std::string> keyByTransaction;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    ASSERT_TRUE(msg);
    if (msg->messageClass() != StunClass::Request) continue;
    const auto username = *msg->username();
    const IceCredentials& receiver = credentialsOf(username.substr(0, 4));
    const IceCredentials& sender = credentialsOf(username.substr(5));
    EXPECT_TRUE(msg->verifyMessageIntegrity(receiver.pwd)) << "frame " << d.frameNumber;
    EXPECT_FALSE(msg->verifyMessageIntegrity(sender.pwd)) << "frame " << d.frameNumber;
    keyByTransaction[{msg->transactionId().begin(), msg->transactionId().end()}] = receiver.pwd;
  }
  size_t responses = 0;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    if (msg->messageClass() != StunClass::SuccessResponse) continue;
    const auto it =
        keyByTransaction.find({msg->transactionId().begin(), msg->transactionId().end()});
    ASSERT_NE(it, keyByTransaction.end()) << "response without request, frame " << d.frameNumber;
    EXPECT_TRUE(msg->verifyMessageIntegrity(it->second)) << "frame " << d.frameNumber;
    const std::string& other = it->second == offer_.pwd ? answer_.pwd : offer_.pwd;
    EXPECT_FALSE(msg->verifyMessageIntegrity(other));
    ++responses;
  }
  EXPECT_EQ(responses, 14u);
}

TEST_F(ChromiumCapture, ResponsesMapTheRequestersAddress) {
  std::map<std::vector<uint8_t>, net::SocketAddress> requester;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    const std::vector<uint8_t> id(msg->transactionId().begin(), msg->transactionId().end());
    if (msg->messageClass() == StunClass::Request) {
      requester[id] = d.source;
    } else {
      const auto mapped = msg->xorMappedAddress();
      ASSERT_TRUE(mapped);
      EXPECT_EQ(mapped->ipString(), "127.0.0.1");
      EXPECT_EQ(*mapped, requester.at(id)) << "frame " << d.frameNumber;
      EXPECT_EQ(*mapped, d.destination);
    }
  }
}

// Our agent, in the answerer's place, answers the offerer's real checks with exactly the bytes
// Chromium sent back (the same attributes: XOR-MAPPED-ADDRESS, MESSAGE-INTEGRITY, FINGERPRINT).
TEST_F(ChromiumCapture, AgentAnswersRealChecksByteForByteLikeChromium) {
  IceLiteAgent agent(answer_, 0);
  agent.setRemote(offer_);
  std::map<std::vector<uint8_t>, std::vector<uint8_t>> chromiumResponse;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    if (msg->messageClass() == StunClass::SuccessResponse) {
      chromiumResponse[{msg->transactionId().begin(), msg->transactionId().end()}] = d.payload;
    }
  }
  size_t answered = 0;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    if (msg->messageClass() != StunClass::Request || localUfragOf(*msg) != answer_.ufrag) continue;
    uint8_t out[256];
    const CheckResult r = agent.onBindingRequest(*msg, d.source, out, sizeof(out), 1000);
    EXPECT_EQ(r.outcome, CheckOutcome::SuccessNominated) << "frame " << d.frameNumber;
    const auto& expected =
        chromiumResponse.at({msg->transactionId().begin(), msg->transactionId().end()});
    EXPECT_EQ(std::vector<uint8_t>(out, out + r.responseLength), expected)
        << "frame " << d.frameNumber;
    ++answered;
  }
  EXPECT_EQ(answered, 7u);
  EXPECT_EQ(agent.counters().validChecks, 7u);
  EXPECT_EQ(agent.counters().nominations, 7u);
  EXPECT_EQ(agent.lastValidCheckMs(), 1000u);
}

// In the offerer's place our lite agent cannot be controlling: the answerer's real checks
// (ICE-CONTROLLED) authenticate but get 487.
TEST_F(ChromiumCapture, AgentAnswersControlledPeerChecksWithRoleConflict) {
  IceLiteAgent agent(offer_, 0);
  agent.setRemote(answer_);
  size_t checked = 0;
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    if (msg->messageClass() != StunClass::Request || localUfragOf(*msg) != offer_.ufrag) continue;
    uint8_t out[256];
    const CheckResult r = agent.onBindingRequest(*msg, d.source, out, sizeof(out), 5000);
    EXPECT_EQ(r.outcome, CheckOutcome::RoleConflict);
    const auto response = StunMessage::parse({out, r.responseLength});
    ASSERT_TRUE(response);
    EXPECT_EQ(response->messageClass(), StunClass::ErrorResponse);
    EXPECT_EQ(response->errorCode()->code, 487);
    EXPECT_TRUE(response->verifyMessageIntegrity(offer_.pwd));
    ++checked;
  }
  EXPECT_EQ(checked, 7u);
  EXPECT_EQ(agent.counters().roleConflicts, 7u);
  EXPECT_EQ(agent.counters().validChecks, 0u);
  EXPECT_EQ(agent.lastValidCheckMs(), 0u);
}

// The builder reproduces a real Chromium request exactly when given the same attributes in the
// same order (GOOG-NETWORK-INFO included as an opaque attribute).
TEST_F(ChromiumCapture, BuilderReproducesARealRequest) {
  for (const auto& d : datagrams_) {
    const auto msg = StunMessage::parse(d.payload);
    if (msg->messageClass() != StunClass::Request || !msg->iceControlling()) continue;
    constexpr uint16_t kGoogNetworkInfo = 0xC057;
    const auto networkInfo = msg->attribute(kGoogNetworkInfo);
    ASSERT_TRUE(networkInfo);
    uint8_t out[256];
    StunBuilder b(out, sizeof(out), kStunMethodBinding, StunClass::Request, msg->transactionId());
    b.addUsername(answer_.ufrag, offer_.ufrag);
    b.addAttribute(kGoogNetworkInfo, *networkInfo);
    b.addIceControlling(*msg->iceControlling());
    b.addUseCandidate();
    b.addPriority(*msg->priority());
    const size_t n = b.finish(answer_.pwd, true);
    EXPECT_EQ(std::vector<uint8_t>(out, out + n), d.payload) << "frame " << d.frameNumber;
  }
}

}  // namespace
}  // namespace treff::ice
