#include "dtls/dtls_record.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "dtls_test_link.hpp"

namespace treff::dtls {
namespace {

// A DTLS 1.2 ChangeCipherSpec record (RFC 6347 §4.1 header, RFC 5246 §7.1 body = 0x01),
// epoch 0, sequence number 0x0000_1234_5678 ... typed field by field.
const std::vector<uint8_t> kChangeCipherSpec = {
    0x14,                                // type: change_cipher_spec
    0xFE, 0xFD,                          // version: DTLS 1.2
    0x00, 0x00,                          // epoch 0
    0x00, 0x00, 0x12, 0x34, 0x56, 0x78,  // sequence number
    0x00, 0x01,                          // length
    0x01,                                // change_cipher_spec
};

// An encrypted Finished in epoch 1 with the largest 48-bit sequence number, 4 bytes of body.
const std::vector<uint8_t> kEpochOneHandshake = {
    0x16, 0xFE, 0xFD, 0x00, 0x01, 0xFF, 0xFF, 0xFF, 0xFF,
    0xFF, 0xFF, 0x00, 0x04, 0xDE, 0xAD, 0xBE, 0xEF,
};

TEST(DtlsRecord, ParsesHandcraftedChangeCipherSpec) {
  RecordIterator it(kChangeCipherSpec);
  DtlsRecord record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.contentType, ContentType::ChangeCipherSpec);
  EXPECT_EQ(record.version, 0xFEFD);
  EXPECT_EQ(record.epoch, 0);
  EXPECT_EQ(record.sequenceNumber, 0x12345678u);
  ASSERT_EQ(record.fragment.size(), 1u);
  EXPECT_EQ(record.fragment[0], 0x01);
  EXPECT_EQ(record.whole.size(), kChangeCipherSpec.size());
  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::None);
}

TEST(DtlsRecord, IteratesEveryRecordOfADatagram) {
  std::vector<uint8_t> datagram = kChangeCipherSpec;
  datagram.insert(datagram.end(), kEpochOneHandshake.begin(), kEpochOneHandshake.end());
  RecordIterator it(datagram);
  DtlsRecord record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(it.offset(), kChangeCipherSpec.size());
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.contentType, ContentType::Handshake);
  EXPECT_EQ(record.epoch, 1);
  EXPECT_EQ(record.sequenceNumber, 0xFFFFFFFFFFFFull);
  ASSERT_EQ(record.fragment.size(), 4u);
  EXPECT_EQ(record.fragment[3], 0xEF);
  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::None);
  EXPECT_EQ(validateDatagram(datagram), RecordError::None);
}

TEST(DtlsRecord, RejectsTruncatedHeaderAfterAValidRecord) {
  std::vector<uint8_t> datagram = kChangeCipherSpec;
  datagram.insert(datagram.end(), {0x16, 0xFE, 0xFD, 0x00});
  RecordIterator it(datagram);
  DtlsRecord record;
  EXPECT_TRUE(it.next(record));
  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::TruncatedHeader);
  EXPECT_EQ(validateDatagram(datagram), RecordError::TruncatedHeader);
}

TEST(DtlsRecord, RejectsLengthBeyondDatagram) {
  std::vector<uint8_t> datagram = kEpochOneHandshake;
  datagram.pop_back();
  EXPECT_EQ(validateDatagram(datagram), RecordError::TruncatedFragment);
}

TEST(DtlsRecord, RejectsUnknownContentTypeAndVersion) {
  std::vector<uint8_t> heartbeat = kChangeCipherSpec;
  heartbeat[0] = 24;  // RFC 6520 heartbeat: not accepted for WebRTC
  EXPECT_EQ(validateDatagram(heartbeat), RecordError::BadContentType);
  std::vector<uint8_t> tls = kChangeCipherSpec;
  tls[1] = 0x03;  // a TLS 1.2 record (0x0303), not DTLS
  tls[2] = 0x03;
  EXPECT_EQ(validateDatagram(tls), RecordError::BadVersion);
}

TEST(DtlsRecord, RejectsFragmentAboveRfcLimit) {
  std::vector<uint8_t> datagram(kRecordHeaderSize + kMaxRecordFragment + 1, 0);
  datagram[0] = 23;
  datagram[1] = 0xFE;
  datagram[2] = 0xFD;
  util::storeBe16(datagram.data() + 11, static_cast<uint16_t>(kMaxRecordFragment + 1));
  EXPECT_EQ(validateDatagram(datagram), RecordError::FragmentTooLong);
  util::storeBe16(datagram.data() + 11, static_cast<uint16_t>(kMaxRecordFragment));
  datagram.pop_back();
  EXPECT_EQ(validateDatagram(datagram), RecordError::None);
}

TEST(DtlsRecord, RejectsEmptyDatagram) {
  EXPECT_EQ(validateDatagram({}), RecordError::Empty);
  RecordIterator it({});
  DtlsRecord record;
  EXPECT_FALSE(it.next(record));
}

TEST(DtlsRecord, LooksLikeDtlsFollowsRfc7983FirstByteRanges) {
  const uint8_t stun[] = {0x00, 0x01};
  const uint8_t below[] = {19};
  const uint8_t first[] = {20};
  const uint8_t last[] = {63};
  const uint8_t turnChannel[] = {64};
  const uint8_t rtp[] = {0x80};
  EXPECT_FALSE(looksLikeDtls(stun));
  EXPECT_FALSE(looksLikeDtls(below));
  EXPECT_TRUE(looksLikeDtls(first));
  EXPECT_TRUE(looksLikeDtls(last));
  EXPECT_FALSE(looksLikeDtls(turnChannel));
  EXPECT_FALSE(looksLikeDtls(rtp));
  EXPECT_FALSE(looksLikeDtls({}));
  EXPECT_TRUE(looksLikeDtls(kChangeCipherSpec));
}

TEST(DtlsRecord, ParsesTheClientHelloOurClientSends) {
  test::Link link;
  link.client.start();
  ASSERT_EQ(link.clientSide.sent.size(), 1u);
  const test::Datagram& hello = link.clientSide.sent[0];
  RecordIterator it(hello);
  DtlsRecord record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.contentType, ContentType::Handshake);
  // RFC 6347 §4.2.1: the ClientHello record may carry DTLS 1.0 for compatibility.
  EXPECT_TRUE(record.version == 0xFEFF || record.version == 0xFEFD);
  EXPECT_EQ(record.epoch, 0);
  EXPECT_EQ(record.sequenceNumber, 0u);
  // RFC 6347 §4.2.2 handshake header: msg_type 1 (client_hello), length, message_seq 0,
  // fragment_offset 0, fragment_length; the whole hello fits in one record.
  ASSERT_GE(record.fragment.size(), 12u);
  EXPECT_EQ(record.fragment[0], 1);
  const uint32_t length = util::loadBe24(record.fragment.data() + 1);
  EXPECT_EQ(util::loadBe16(record.fragment.data() + 4), 0);
  EXPECT_EQ(util::loadBe24(record.fragment.data() + 6), 0u);
  EXPECT_EQ(util::loadBe24(record.fragment.data() + 9), length);
  EXPECT_EQ(record.fragment.size(), 12u + length);
  EXPECT_FALSE(it.next(record));
  EXPECT_EQ(it.error(), RecordError::None);
}

TEST(DtlsRecord, EveryHandshakeDatagramParsesAndEpochOneFollowsChangeCipherSpec) {
  test::Link link;
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  for (const auto* side : {&link.clientSide.sent, &link.serverSide.sent}) {
    bool sawChangeCipherSpec = false;
    for (const test::Datagram& d : *side) {
      RecordIterator it(d);
      DtlsRecord record;
      while (it.next(record)) {
        EXPECT_EQ(record.epoch, sawChangeCipherSpec ? 1 : 0);
        if (record.contentType == ContentType::ChangeCipherSpec) sawChangeCipherSpec = true;
      }
      EXPECT_EQ(it.error(), RecordError::None);
    }
    EXPECT_TRUE(sawChangeCipherSpec);
  }
}

}  // namespace
}  // namespace treff::dtls
