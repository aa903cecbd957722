// STUN codec against the RFC 5769 test vectors.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "ice/stun_message.hpp"
#include "net/socket_address.hpp"
#include "rfc5769_vectors.hpp"
#include "util/encoding.hpp"

namespace treff::ice {
namespace {

using test::kRfc5769Password;

std::vector<uint8_t> bytesOf(std::string_view hex) { return util::fromHex(hex).value(); }

std::string textOf(util::ConstBytes b) { return std::string(b.begin(), b.end()); }

const std::vector<uint8_t> kTransactionId = bytesOf("b7e7a701bc34d686fa87dfae");

TEST(StunRfc5769, SampleRequest_ParsesEveryAttribute) {
  const auto bytes = bytesOf(test::kRfc5769Request);
  ASSERT_EQ(bytes.size(), 108u);
  StunParseError why;
  const auto msg = StunMessage::parse(bytes, &why);
  ASSERT_TRUE(msg) << toString(why);
  EXPECT_EQ(msg->messageClass(), StunClass::Request);
  EXPECT_EQ(msg->method(), kStunMethodBinding);
  EXPECT_EQ(std::vector<uint8_t>(msg->transactionId().begin(), msg->transactionId().end()),
            kTransactionId);
  EXPECT_EQ(msg->username(), "evtj:h6vY");
  EXPECT_EQ(msg->priority(), 0x6e0001ffu);
  EXPECT_EQ(msg->iceControlled(), 0x932ff9b151263b36u);
  EXPECT_FALSE(msg->iceControlling());
  EXPECT_FALSE(msg->useCandidate());
  const auto software = msg->attribute(stun_attr::kSoftware);
  ASSERT_TRUE(software);
  EXPECT_EQ(textOf(*software), "STUN test client");
  EXPECT_FALSE(msg->xorMappedAddress());
  EXPECT_FALSE(msg->errorCode());
}

TEST(StunRfc5769, SampleRequest_IntegrityAndFingerprintVerify) {
  const auto bytes = bytesOf(test::kRfc5769Request);
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_FALSE(msg->verifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBu"));
  EXPECT_FALSE(msg->verifyMessageIntegrity(""));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunRfc5769, SampleRequest_AnyFlippedByteBreaksIntegrityOrParse) {
  const auto original = bytesOf(test::kRfc5769Request);
  // Every byte the MAC covers, and the MAC itself (the 24 bytes before FINGERPRINT's 8).
  const size_t macEnd = original.size() - 8;
  for (size_t i = 0; i < macEnd; ++i) {
    auto bytes = original;
    bytes[i] ^= 0x01;
    const auto msg = StunMessage::parse(bytes);
    if (msg) {
      EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password)) << "byte " << i;
      EXPECT_FALSE(msg->verifyFingerprint()) << "byte " << i;
    }
  }
  // Padding after USERNAME is covered too: flipping a space must fail.
  auto bytes = original;
  bytes[20 + 20 + 8 + 12 + 4 + 9] = 0x00;
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->username(), "evtj:h6vY");
  EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password));
}

TEST(StunRfc5769, SampleRequest_FlippedFingerprintFailsOnlyFingerprint) {
  auto bytes = bytesOf(test::kRfc5769Request);
  bytes.back() ^= 0x80;
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_FALSE(msg->verifyFingerprint());
}

TEST(StunRfc5769, Ipv4Response_XorMappedAddressIs192_0_2_1Port32853) {
  const auto bytes = bytesOf(test::kRfc5769Ipv4Response);
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(msg->method(), kStunMethodBinding);
  const auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->isV4());
  EXPECT_EQ(mapped->ipString(), "192.0.2.1");
  EXPECT_EQ(mapped->port(), 32853);
  EXPECT_EQ(textOf(msg->attribute(stun_attr::kSoftware).value()), "test vector");
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunRfc5769, Ipv6Response_XorMappedAddressUsesTransactionIdInMask) {
  const auto bytes = bytesOf(test::kRfc5769Ipv6Response);
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::SuccessResponse);
  const auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped);
  EXPECT_TRUE(mapped->isV6());
  EXPECT_EQ(*mapped, net::SocketAddress::fromString("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunRfc5769, ResponsesFailIntegrityWhenOneByteFlips) {
  for (auto hex : {test::kRfc5769Ipv4Response, test::kRfc5769Ipv6Response}) {
    auto bytes = bytesOf(hex);
    bytes[30] ^= 0x04;  // inside SOFTWARE
    const auto msg = StunMessage::parse(bytes);
    ASSERT_TRUE(msg);
    EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password));
    EXPECT_FALSE(msg->verifyFingerprint());
  }
}

TEST(StunRfc5769, LongTermRequest_ParsesAndVerifiesWithMd5Key) {
  const auto bytes = bytesOf(test::kRfc5769LongTermRequest);
  const auto msg = StunMessage::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::Request);
  EXPECT_EQ(msg->username(),
            "\xE3\x83\x9E\xE3\x83\x88\xE3\x83\xAA\xE3\x83\x83\xE3\x82\xAF\xE3\x82\xB9");
  EXPECT_EQ(textOf(msg->attribute(stun_attr::kRealm).value()), "example.org");
  EXPECT_EQ(textOf(msg->attribute(stun_attr::kNonce).value()), "f//499k954d6OL34oL9FSTvy64sA");
  EXPECT_FALSE(msg->hasFingerprint());
  EXPECT_FALSE(msg->verifyFingerprint());

  // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" SASLprep(password)).
  const std::string keyInput = std::string(*msg->username()) + ":example.org:TheMatrIX";
  uint8_t md5[16];
  unsigned int md5Length = 0;
  ASSERT_EQ(EVP_Digest(keyInput.data(), keyInput.size(), md5, &md5Length, EVP_md5(), nullptr), 1);
  const std::string_view key(reinterpret_cast<const char*>(md5), md5Length);
  EXPECT_TRUE(msg->verifyMessageIntegrity(key));
  EXPECT_FALSE(msg->verifyMessageIntegrity("TheMatrIX"));
}

}  // namespace
}  // namespace treff::ice
