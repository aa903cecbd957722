// STUN parsing of truncated and hostile input, RFC 7983 demultiplexing, and builder edges.
#include "ice/stun_message.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "chromium_capture.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_crc32.hpp"
#include "rfc5769_vectors.hpp"
#include "util/encoding.hpp"

namespace treff::ice {
namespace {

std::vector<uint8_t> bytesOf(std::string_view hex) { return util::fromHex(hex).value(); }

std::vector<uint8_t> realChromiumCheck() {
  for (auto& d : test::chromiumStunDatagrams()) {
    if (d.payload[0] == 0x00 && d.payload[1] == 0x01) return d.payload;
  }
  throw std::runtime_error("no request in the capture");
}

StunParseError parseError(const std::vector<uint8_t>& bytes) {
  StunParseError why = StunParseError::None;
  EXPECT_FALSE(StunMessage::parse(bytes, &why));
  return why;
}

TEST(StunCrc32, MatchesTheStandardCheckValueAtEveryLengthAndSplit) {
  // CRC-32/ISO-HDLC check value of "123456789".
  const std::string_view digits = "123456789";
  const util::ConstBytes d(reinterpret_cast<const uint8_t*>(digits.data()), digits.size());
  EXPECT_EQ(crc32(d), 0xCBF43926u);
  EXPECT_EQ(crc32(d.subspan(4), crc32(d.first(4))), 0xCBF43926u);
  EXPECT_EQ(crc32({}), 0u);
  // Longer inputs take the 8-byte path: compare against a bit-at-a-time reference.
  std::vector<uint8_t> data(300);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t n = 0; n <= data.size(); n += 7) {
    uint32_t ref = 0xFFFFFFFF;
    for (size_t i = 0; i < n; ++i) {
      ref ^= data[i];
      for (int b = 0; b < 8; ++b) ref = (ref & 1) ? (ref >> 1) ^ 0xEDB88320u : ref >> 1;
    }
    EXPECT_EQ(crc32({data.data(), n}), ~ref) << n;
  }
}

TEST(LooksLikeStun, AcceptsRealChecksAndRfcVectors) {
  EXPECT_TRUE(looksLikeStun(realChromiumCheck()));
  EXPECT_TRUE(looksLikeStun(bytesOf(test::kRfc5769Request)));
  EXPECT_TRUE(looksLikeStun(bytesOf(test::kRfc5769Ipv6Response)));
}

TEST(LooksLikeStun, RejectsOtherProtocolsAndBrokenHeaders) {
  auto stun = bytesOf(test::kRfc5769Request);
  auto rtp = stun;
  rtp[0] = 0x80;  // RFC 7983: 128..191 is RTP/RTCP
  EXPECT_FALSE(looksLikeStun(rtp));
  auto dtls = stun;
  dtls[0] = 22;  // DTLS handshake
  EXPECT_FALSE(looksLikeStun(dtls));
  auto cookie = stun;
  cookie[5] ^= 0xFF;
  EXPECT_FALSE(looksLikeStun(cookie));
  auto longer = stun;
  longer.push_back(0);
  EXPECT_FALSE(looksLikeStun(longer));
  EXPECT_FALSE(looksLikeStun({stun.data(), stun.size() - 4}));
  EXPECT_FALSE(looksLikeStun({stun.data(), 19}));
  EXPECT_FALSE(looksLikeStun({}));
}

TEST(StunMessage_Parse, RejectsEveryTruncationOfARealCheck) {
  const auto check = realChromiumCheck();
  for (size_t n = 0; n < check.size(); ++n) {
    EXPECT_FALSE(StunMessage::parse({check.data(), n})) << "length " << n;
  }
}

TEST(StunMessage_Parse, RejectsHeaderProblemsWithTheirReason) {
  auto m = bytesOf(test::kRfc5769Request);
  EXPECT_EQ(parseError({m.begin(), m.begin() + 10}), StunParseError::TooShort);
  auto notStun = m;
  notStun[0] = 0x40;
  EXPECT_EQ(parseError(notStun), StunParseError::NotStun);
  auto cookie = m;
  cookie[4] = 0;
  EXPECT_EQ(parseError(cookie), StunParseError::BadMagicCookie);
  auto odd = m;
  odd[3] += 1;
  EXPECT_EQ(parseError(odd), StunParseError::LengthNotMultipleOf4);
  auto shorter = m;
  shorter[3] -= 4;
  EXPECT_EQ(parseError(shorter), StunParseError::LengthMismatch);
}

// A truncated message whose header length was fixed up to match, so only the TLV walk notices.
TEST(StunMessage_Parse, RejectsAttributeRunningPastTheEnd) {
  auto m = bytesOf(test::kRfc5769Request);
  m.resize(20 + 20 + 4);  // SOFTWARE, then only PRIORITY's header
  util::storeBe16(m.data() + 2, static_cast<uint16_t>(m.size() - 20));
  EXPECT_EQ(parseError(m), StunParseError::AttributeTruncated);

  // An attribute length of 0xFFFF.
  auto huge = bytesOf(test::kRfc5769Request);
  util::storeBe16(huge.data() + 22, 0xFFFF);
  EXPECT_EQ(parseError(huge), StunParseError::AttributeTruncated);

  // Padding counts: a 13-byte value needs 16 bytes.
  std::vector<uint8_t> pad(20 + 4 + 13, 0);
  util::storeBe16(pad.data(), 0x0001);
  util::storeBe32(pad.data() + 4, kStunMagicCookie);
  util::storeBe16(pad.data() + 20, stun_attr::kSoftware);
  util::storeBe16(pad.data() + 22, 13);
  pad.resize(20 + 4 + 16);
  util::storeBe16(pad.data() + 2, 4 + 16);
  EXPECT_TRUE(StunMessage::parse(pad));
  pad.resize(20 + 4 + 12);
  util::storeBe16(pad.data() + 2, 4 + 12);
  EXPECT_EQ(parseError(pad), StunParseError::AttributeTruncated);
}

TEST(StunMessage_Parse, RejectsMalformedIntegrityAndFingerprint) {
  auto m = bytesOf(test::kRfc5769Request);
  const size_t integrityAt = m.size() - 8 - 24;
  auto shortMac = m;
  util::storeBe16(shortMac.data() + integrityAt + 2, 16);  // 16 + 4 header leaves 4 stray bytes
  EXPECT_EQ(parseError(shortMac), StunParseError::BadIntegrityLength);

  // FINGERPRINT moved in front of MESSAGE-INTEGRITY.
  std::vector<uint8_t> swapped(m.begin(), m.begin() + integrityAt);
  swapped.insert(swapped.end(), m.end() - 8, m.end());
  swapped.insert(swapped.end(), m.begin() + integrityAt, m.end() - 8);
  EXPECT_EQ(parseError(swapped), StunParseError::FingerprintNotLast);

  auto longFp = m;
  longFp.insert(longFp.end(), 4, 0);
  util::storeBe16(longFp.data() + longFp.size() - 12 + 2, 8);
  util::storeBe16(longFp.data() + 2, static_cast<uint16_t>(longFp.size() - 20));
  EXPECT_EQ(parseError(longFp), StunParseError::BadFingerprintLength);
}

TEST(StunMessage_Parse, IgnoresAttributesAfterIntegrityExceptFingerprint) {
  // RFC 8489 §14.5: a USERNAME slipped in after MESSAGE-INTEGRITY must not be believed.
  const StunTransactionId tid{};
  uint8_t buf[200];
  StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::Request, tid);
  b.addPriority(5);
  size_t n = b.finish(std::string_view("key"), false);
  ASSERT_GT(n, 0u);
  const uint8_t user[] = {0, 6, 0, 4, 'e', 'v', 'i', 'l'};
  std::copy(std::begin(user), std::end(user), buf + n);
  n += sizeof(user);
  util::storeBe16(buf + 2, static_cast<uint16_t>(n - 20));
  const auto msg = StunMessage::parse({buf, n});
  ASSERT_TRUE(msg);
  EXPECT_FALSE(msg->username());
  EXPECT_FALSE(msg->attribute(stun_attr::kUsername));
  EXPECT_EQ(msg->priority(), 5u);
  EXPECT_TRUE(msg->verifyMessageIntegrity("key"));  // MAC covers only what precedes it
}

TEST(StunMessage_Accessors, RejectWrongValueLengths) {
  const StunTransactionId tid{};
  uint8_t buf[200];
  StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::Request, tid);
  const uint8_t three[3] = {1, 2, 3};
  b.addAttribute(stun_attr::kPriority, three);
  b.addAttribute(stun_attr::kIceControlling, three);
  b.addAttribute(stun_attr::kIceControlled, three);
  b.addAttribute(stun_attr::kXorMappedAddress, three);
  b.addAttribute(stun_attr::kErrorCode, three);
  const size_t n = b.finish(std::nullopt, true);
  const auto msg = StunMessage::parse({buf, n});
  ASSERT_TRUE(msg);
  EXPECT_FALSE(msg->priority());
  EXPECT_FALSE(msg->iceControlling());
  EXPECT_FALSE(msg->iceControlled());
  EXPECT_FALSE(msg->xorMappedAddress());
  EXPECT_FALSE(msg->errorCode());
  EXPECT_FALSE(msg->verifyMessageIntegrity("anything"));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunMessage_Accessors, XorMappedAddressRejectsUnknownFamilyAndMismatchedLength) {
  const StunTransactionId tid{};
  uint8_t buf[100];
  StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::SuccessResponse, tid);
  const uint8_t ipv6FamilyWithIpv4Length[8] = {0, 2, 0xA1, 0x47, 0xE1, 0x12, 0xA6, 0x43};
  b.addAttribute(stun_attr::kXorMappedAddress, ipv6FamilyWithIpv4Length);
  const size_t n = b.finish(std::nullopt, false);
  EXPECT_FALSE(StunMessage::parse({buf, n})->xorMappedAddress());
}

TEST(StunMessage_Accessors, FirstOccurrenceWins) {
  const StunTransactionId tid{};
  uint8_t buf[100];
  StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::Request, tid);
  b.addUsername("first");
  b.addUsername("second");
  const size_t n = b.finish(std::nullopt, false);
  EXPECT_EQ(StunMessage::parse({buf, n})->username(), "first");
}

TEST(StunBuilder, ErrorCodeLayoutFollowsRfc8489Section14_8) {
  const StunTransactionId tid{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};
  for (int code : {400, 401, 487}) {
    uint8_t buf[100];
    StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::ErrorResponse, tid);
    b.addErrorCode(code, "Reason");
    const size_t n = b.finish(std::nullopt, true);
    ASSERT_EQ(n, 20u + 4 + 12 + 8);
    // Type 0x0111 = Binding error response; ERROR-CODE value: 0, 0, class, number.
    EXPECT_EQ(util::loadBe16(buf), 0x0111);
    EXPECT_EQ(util::loadBe16(buf + 20), stun_attr::kErrorCode);
    EXPECT_EQ(util::loadBe16(buf + 22), 10);
    EXPECT_EQ(buf[24], 0);
    EXPECT_EQ(buf[25], 0);
    EXPECT_EQ(buf[26], code / 100);
    EXPECT_EQ(buf[27], code % 100);
    EXPECT_EQ(buf[34], 0);  // padding zeroed
    const auto msg = StunMessage::parse({buf, n});
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->messageClass(), StunClass::ErrorResponse);
    EXPECT_EQ(msg->errorCode()->code, code);
    EXPECT_EQ(msg->errorCode()->reason, "Reason");
    EXPECT_TRUE(msg->verifyFingerprint());
  }
}

TEST(StunBuilder, XorMappedAddressMatchesRfc5769Bytes) {
  // The attribute values of RFC 5769 §2.2 and §2.3 for the same transaction id.
  const auto tidBytes = bytesOf("b7e7a701bc34d686fa87dfae");
  StunTransactionId tid;
  std::copy(tidBytes.begin(), tidBytes.end(), tid.begin());
  struct Case {
    const char* ip;
    std::string_view value;
  };
  for (const Case& c :
       {Case{"192.0.2.1", "0001a147e112a643"},
        Case{"2001:db8:1234:5678:11:2233:4455:6677", "0002a1470113a9faa5d3f179bc25f4b5bed2b9d9"}}) {
    uint8_t buf[100];
    StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::SuccessResponse, tid);
    b.addXorMappedAddress(*net::SocketAddress::fromString(c.ip, 32853));
    const size_t n = b.finish(std::nullopt, false);
    const auto value = StunMessage::parse({buf, n})->attribute(stun_attr::kXorMappedAddress);
    ASSERT_TRUE(value);
    EXPECT_EQ(util::toHex(*value), c.value);
  }
}

TEST(StunBuilder, ReturnsZeroWhenTheBufferIsTooSmall) {
  const StunTransactionId tid{};
  uint8_t buf[64];
  for (size_t cap = 0; cap < 64; ++cap) {
    StunBuilder b(buf, cap, kStunMethodBinding, StunClass::SuccessResponse, tid);
    b.addXorMappedAddress(*net::SocketAddress::fromString("10.0.0.1", 1));
    const size_t n = b.finish(std::string_view("pwd"), true);
    EXPECT_EQ(n, cap >= 64 ? 64u : 0u) << cap;
  }
  StunBuilder fits(buf, 64, kStunMethodBinding, StunClass::SuccessResponse, tid);
  fits.addXorMappedAddress(*net::SocketAddress::fromString("10.0.0.1", 1));
  EXPECT_EQ(fits.finish(std::string_view("pwd"), true), 64u);
}

TEST(StunBuilder, RejectsUnencodableErrorCodesAndAddresses) {
  const StunTransactionId tid{};
  uint8_t buf[100];
  StunBuilder b(buf, sizeof(buf), kStunMethodBinding, StunClass::ErrorResponse, tid);
  b.addErrorCode(200, "OK?");
  EXPECT_EQ(b.finish(std::nullopt, false), 0u);
  StunBuilder c(buf, sizeof(buf), kStunMethodBinding, StunClass::SuccessResponse, tid);
  c.addXorMappedAddress(net::SocketAddress());
  EXPECT_EQ(c.finish(std::nullopt, false), 0u);
}

TEST(StunMessage_Method, DecodesNonBindingMethodsAndClasses) {
  // 0x0113 = Allocate (0x003) error response (RFC 8656), 0x0016 = Send (0x006) indication.
  std::vector<uint8_t> m(20, 0);
  util::storeBe32(m.data() + 4, kStunMagicCookie);
  util::storeBe16(m.data(), 0x0113);
  EXPECT_EQ(StunMessage::parse(m)->method(), 0x003);
  EXPECT_EQ(StunMessage::parse(m)->messageClass(), StunClass::ErrorResponse);
  util::storeBe16(m.data(), 0x0016);
  EXPECT_EQ(StunMessage::parse(m)->method(), 0x006);
  EXPECT_EQ(StunMessage::parse(m)->messageClass(), StunClass::Indication);
  // And the builder encodes a method with bits in all three groups back to the same type.
  // (Methods from 0x100 up would put more than 3 in the first byte, outside RFC 7983's range.)
  const StunTransactionId tid{};
  uint8_t buf[20];
  StunBuilder b(buf, sizeof(buf), 0x0BC, StunClass::SuccessResponse, tid);
  ASSERT_EQ(b.finish(std::nullopt, false), 20u);
  EXPECT_EQ(util::loadBe16(buf), 0x0000 | 0x000C | (0x030 << 1) | (0x080 << 2) | 0x0100);
  const auto parsed = StunMessage::parse({buf, 20});
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->method(), 0x0BC);
  EXPECT_EQ(parsed->messageClass(), StunClass::SuccessResponse);
}

}  // namespace
}  // namespace treff::ice
