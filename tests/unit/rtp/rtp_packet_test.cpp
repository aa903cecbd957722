#include "rtp/rtp_packet.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

// The first Opus packet of tests/data/chromium-loopback-unencrypted.pcap, typed in: marker set,
// pt 111, one-byte extensions abs-send-time (id 2), transport-wide seq (3), MID (4), audio
// level (1), one padding byte closing the block.
const std::vector<uint8_t> kChromiumOpus = {
    0x90, 0xef, 0x2a, 0xf9, 0xa7, 0x2a, 0xa6, 0x17, 0x19, 0x58, 0x56, 0xdd, 0xbe, 0xde, 0x00,
    0x03, 0x22, 0xa5, 0x7e, 0xb6, 0x31, 0x00, 0x01, 0x40, 0x30, 0x10, 0xff, 0x00, 0x78, 0x0b,
    0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x8d, 0x8c, 0x49, 0x46, 0x99, 0x04, 0xc5, 0xaa, 0xed, 0x92,
    0xe7, 0x63, 0x4a, 0x3a, 0x18, 0x98, 0xee, 0x62, 0xcb, 0x60, 0xff, 0x6c, 0x1b, 0x29, 0x00};

std::vector<uint8_t> bytesOf(std::initializer_list<uint8_t> b) { return b; }

// A minimal header (pt 96, seq 1, ts 2, ssrc 3) with a one-byte extension block holding
// `elements`, zero-padded to a word boundary, and one payload byte.
std::vector<uint8_t> withOneByteBlock(std::initializer_list<uint8_t> elements) {
  std::vector<uint8_t> p = {0x90, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xbe, 0xde, 0, 0};
  p.insert(p.end(), elements);
  while ((p.size() - 16) % 4) p.push_back(0);
  p[15] = static_cast<uint8_t>((p.size() - 16) / 4);
  p.push_back(0xaa);  // one payload byte
  return p;
}

TEST(RtpPacket, ParsesChromiumOpusHeaderFields) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_EQ(p.version(), 2);
  EXPECT_TRUE(p.marker());
  EXPECT_EQ(p.payloadType(), 111);
  EXPECT_EQ(p.sequence(), 0x2af9);
  EXPECT_EQ(p.timestamp(), 0xa72aa617u);
  EXPECT_EQ(p.ssrc(), 425219805u);  // a=ssrc in chromium-offer-simulcast-unencrypted.sdp
  EXPECT_EQ(p.csrcCount(), 0);
  EXPECT_EQ(p.extensionForm(), ExtensionForm::OneByte);
  EXPECT_EQ(p.headerLength(), 28u);
  EXPECT_EQ(p.paddingLength(), 0u);
  EXPECT_EQ(p.payloadLength(), 32u);
  EXPECT_EQ(p.payload()[0], 0x78);  // Opus TOC byte
}

TEST(RtpPacket, FindsOneByteExtensionsOfChromiumOpus) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_EQ(std::vector<uint8_t>(p.findExtension(2).begin(), p.findExtension(2).end()),
            bytesOf({0xa5, 0x7e, 0xb6}));
  EXPECT_EQ(std::vector<uint8_t>(p.findExtension(3).begin(), p.findExtension(3).end()),
            bytesOf({0x00, 0x01}));
  EXPECT_EQ(std::vector<uint8_t>(p.findExtension(4).begin(), p.findExtension(4).end()),
            bytesOf({'0'}));
  EXPECT_EQ(std::vector<uint8_t>(p.findExtension(1).begin(), p.findExtension(1).end()),
            bytesOf({0xff}));
  EXPECT_TRUE(p.findExtension(5).empty());
  EXPECT_EQ(p.findExtension(5).data(), nullptr);
  EXPECT_FALSE(p.hasExtension(0));
  EXPECT_FALSE(p.hasExtension(15));
}

TEST(RtpPacket, WalksExtensionsInWireOrder) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  std::vector<uint8_t> ids;
  size_t cursor = 0;
  uint8_t id;
  util::ConstBytes value;
  while (p.nextExtension(&cursor, &id, &value)) ids.push_back(id);
  EXPECT_EQ(ids, bytesOf({2, 3, 4, 1}));
}

TEST(RtpPacket, ParsesEveryCapturedRtpPacket) {
  const auto captured = rtptest::capturedRtp();
  std::map<uint8_t, int> byPt;
  for (auto c : captured) {
    RtpPacket p;
    ParseError why = ParseError::None;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p, &why)) << toString(why);
    EXPECT_EQ(p.headerLength() + p.payloadLength() + p.paddingLength(), c.bytes.size());
    EXPECT_NE(p.extensionForm(), ExtensionForm::None);
    ++byPt[p.payloadType()];
  }
  // The capture's README: 400 Opus, 183 RED video, 15 RTX.
  EXPECT_EQ(byPt[111], 400);
  EXPECT_EQ(byPt[118], 183);
  EXPECT_EQ(byPt[97] + byPt[119], 15);
  EXPECT_EQ(captured.size(), 598u);
}

TEST(RtpPacket, ParsesTwoByteExtensionsOfChromiumVideo) {
  // Chromium's first video packet carries the 23-byte dependency descriptor, too long for the
  // one-byte form, so the whole block uses the two-byte form (profile 0x1000).
  auto captured = rtptest::capturedRtp();
  auto it = std::find_if(captured.begin(), captured.end(),
                         [](const auto& c) { return (c.bytes[1] & 0x7f) == 118; });
  ASSERT_NE(it, captured.end());
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(it->bytes.data(), it->bytes.size(), &p));
  ASSERT_EQ(p.extensionForm(), ExtensionForm::TwoByte);
  EXPECT_EQ(p.ssrc(), 0x383114d1u);
  EXPECT_EQ(p.findExtension(4).size(), 1u);
  EXPECT_EQ(p.findExtension(4)[0], '1');       // MID
  EXPECT_EQ(p.findExtension(10)[0], 'q');      // RID
  EXPECT_EQ(p.findExtension(3).size(), 2u);    // transport-wide seq
  EXPECT_EQ(p.findExtension(12).size(), 23u);  // dependency descriptor
  EXPECT_EQ(p.findExtension(9).size(), 11u);   // video layers allocation
  EXPECT_EQ(p.payload()[0], 0x60);             // RED: last block header, F=0, pt 96
}

TEST(RtpPacket, ReadsPaddingOfChromiumRtxProbe) {
  // Chromium's bandwidth probes on the RTX SSRC are padding-only packets.
  auto captured = rtptest::capturedRtp();
  int probes = 0;
  for (auto& c : captured) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (!p.hasPadding()) continue;
    ++probes;
    EXPECT_EQ(p.paddingLength(), c.bytes.back());
    EXPECT_GT(p.paddingLength(), 0u);
  }
  EXPECT_GT(probes, 0);
}

TEST(RtpPacket, RejectsShortPacket) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ParseError why;
  EXPECT_FALSE(RtpPacket::parse(buf.data(), 11, &p, &why));
  EXPECT_EQ(why, ParseError::TooShort);
}

TEST(RtpPacket, RejectsVersionOtherThanTwo) {
  auto buf = kChromiumOpus;
  buf[0] = (buf[0] & 0x3f) | 0x40;
  RtpPacket p;
  ParseError why;
  EXPECT_FALSE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(why, ParseError::BadVersion);
}

TEST(RtpPacket, RejectsCsrcListBeyondPacket) {
  std::vector<uint8_t> buf = {0x83, 0x60, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6, 7, 8};
  RtpPacket p;
  ParseError why;
  EXPECT_FALSE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(why, ParseError::CsrcOverflow);
  buf[0] = 0x82;  // two CSRCs fit exactly
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(p.csrc(1), 0x05060708u);
  EXPECT_EQ(p.payloadLength(), 0u);
}

TEST(RtpPacket, RejectsExtensionLengthBeyondPacket) {
  auto buf = kChromiumOpus;
  buf[14] = 1;  // 266 words of elements; 44 bytes follow the block header
  buf[15] = 10;
  RtpPacket p;
  ParseError why;
  EXPECT_FALSE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(why, ParseError::ExtensionOverflow);
  EXPECT_FALSE(RtpPacket::parse(buf.data(), 14, &p, &why));
  EXPECT_EQ(why, ParseError::ExtensionOverflow);
}

TEST(RtpPacket, RejectsZeroOrOversizedPaddingCount) {
  auto buf = kChromiumOpus;
  buf[0] |= 0x20;
  buf.back() = 0;
  RtpPacket p;
  ParseError why;
  EXPECT_FALSE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(why, ParseError::BadPadding);
  buf.back() = 33;  // the payload is 32 bytes
  EXPECT_FALSE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(why, ParseError::BadPadding);
  buf.back() = 32;  // all of the payload is padding
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p, &why));
  EXPECT_EQ(p.payloadLength(), 0u);
  EXPECT_EQ(p.paddingLength(), 32u);
}

TEST(RtpPacket, SkipsOneByteZeroPaddingBetweenElements) {
  auto buf = withOneByteBlock({0x00, 0x00, 0x10, 0xaa, 0x00, 0x21, 0x01, 0x02});
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  ASSERT_EQ(p.findExtension(1).size(), 1u);
  EXPECT_EQ(p.findExtension(1)[0], 0xaa);
  ASSERT_EQ(p.findExtension(2).size(), 2u);
  EXPECT_EQ(p.findExtension(2)[1], 0x02);
}

TEST(RtpPacket, StopsOneByteParsingAtId15) {
  // RFC 8285 §4.2: ID 15 ends processing; elements after it are not seen.
  // Were ID 15 an ordinary element, id 2 would follow its one value byte.
  auto buf = withOneByteBlock({0x10, 0xaa, 0xf0, 0x00, 0x20, 0xbb});
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_TRUE(p.hasExtension(1));
  EXPECT_FALSE(p.hasExtension(2));
  EXPECT_FALSE(p.hasExtension(15));
}

TEST(RtpPacket, IgnoresTruncatedTrailingElement) {
  auto buf = withOneByteBlock({0x10, 0xaa, 0x3f, 0x01});  // id 3 claims 16 bytes
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_TRUE(p.hasExtension(1));
  EXPECT_FALSE(p.hasExtension(3));
}

TEST(RtpPacket, TwoByteFormAllowsZeroLengthAndLargeIds) {
  std::vector<uint8_t> buf = {0x90, 0x60, 0, 1, 0,    0,    0,    2,    0,    0,    0,    3,
                              0x10, 0x00, 0, 2, 0x00, 0x07, 0x00, 0xc8, 0x02, 0x11, 0x22, 0x00};
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_EQ(p.extensionForm(), ExtensionForm::TwoByte);
  EXPECT_TRUE(p.hasExtension(7));
  EXPECT_TRUE(p.findExtension(7).empty());
  ASSERT_EQ(p.findExtension(200).size(), 2u);
  EXPECT_EQ(p.findExtension(200)[1], 0x22);
}

TEST(RtpPacket, UnknownProfileHasNoElements) {
  std::vector<uint8_t> buf = {0x90, 0x60, 0,    1,    0, 0, 0,    2,    0, 0,
                              0,    3,    0x12, 0x34, 0, 1, 0x10, 0xaa, 0, 0};
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  EXPECT_EQ(p.extensionForm(), ExtensionForm::Other);
  EXPECT_EQ(p.extensionProfile(), 0x1234);
  EXPECT_FALSE(p.hasExtension(1));
  EXPECT_EQ(p.headerLength(), 20u);
}

TEST(RtpPacket, SettersChangeOnlyTheirOwnBytes) {
  auto original = kChromiumOpus;
  auto buf = original;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  auto changedBytes = [&] {
    std::vector<size_t> at;
    for (size_t i = 0; i < buf.size(); ++i)
      if (buf[i] != original[i]) at.push_back(i);
    original = buf;
    return at;
  };
  p.setSequence(0x1234);
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{2, 3}));
  p.setTimestamp(0x01020304);
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{4, 5, 6, 7}));
  p.setSsrc(0xdeadbeef);
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{8, 9, 10, 11}));
  p.setPayloadType(96);
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{1}));
  EXPECT_TRUE(p.marker());
  EXPECT_EQ(p.payloadType(), 96);
  p.setMarker(false);
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{1}));
  EXPECT_EQ(p.payloadType(), 96);
  const uint8_t tw[2] = {0xab, 0xcd};
  ASSERT_TRUE(p.writeExtension(3, tw));
  EXPECT_EQ(changedBytes(), (std::vector<size_t>{21, 22}));
  EXPECT_EQ(p.sequence(), 0x1234);
  EXPECT_EQ(p.timestamp(), 0x01020304u);
  EXPECT_EQ(p.ssrc(), 0xdeadbeefu);
}

TEST(RtpPacket, RestoringFieldsRecoversTheReceivedBytes) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  const auto seq = p.sequence();
  const auto ts = p.timestamp();
  const auto ssrc = p.ssrc();
  const auto pt = p.payloadType();
  p.setSequence(1);
  p.setTimestamp(2);
  p.setSsrc(3);
  p.setPayloadType(4);
  p.setSequence(seq);
  p.setTimestamp(ts);
  p.setSsrc(ssrc);
  p.setPayloadType(pt);
  EXPECT_EQ(buf, kChromiumOpus);
}

TEST(RtpPacket, WriteExtensionRefusesOtherLengthOrAbsentId) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  const uint8_t three[3] = {1, 2, 3};
  EXPECT_FALSE(p.writeExtension(3, three));  // transport-wide seq is 2 bytes
  EXPECT_FALSE(p.writeExtension(9, three));  // absent
  EXPECT_EQ(buf, kChromiumOpus);
  EXPECT_TRUE(p.writeExtension(2, three));
  EXPECT_EQ(p.findExtension(2)[2], 3);
}

TEST(RtpPacket, RemapsExtensionIdInPlace) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  ASSERT_TRUE(p.remapExtensionId(3, 5));
  EXPECT_FALSE(p.hasExtension(3));
  ASSERT_EQ(p.findExtension(5).size(), 2u);
  EXPECT_EQ(p.findExtension(5)[1], 0x01);
  EXPECT_FALSE(p.remapExtensionId(5, 15));  // reserved in the one-byte form
  EXPECT_FALSE(p.remapExtensionId(9, 6));   // absent
}

TEST(RtpPacket, ErasedExtensionBecomesPadding) {
  auto buf = kChromiumOpus;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &p));
  ASSERT_TRUE(p.eraseExtension(4));
  EXPECT_FALSE(p.hasExtension(4));
  EXPECT_EQ(buf[23], 0);
  EXPECT_EQ(buf[24], 0);
  // The elements after it are still found, by this parser and any other.
  RtpPacket again;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &again));
  EXPECT_EQ(again.findExtension(1)[0], 0xff);
  EXPECT_EQ(again.findExtension(3)[1], 0x01);
}

TEST(RtpPacketBuilder, RebuildsChromiumOpusPacketByteForByte) {
  auto buf = kChromiumOpus;
  RtpPacket real;
  ASSERT_TRUE(RtpPacket::parse(buf.data(), buf.size(), &real));
  std::vector<uint8_t> out(1500);
  RtpPacketBuilder b(
      out, {real.payloadType(), real.marker(), real.sequence(), real.timestamp(), real.ssrc()});
  for (uint8_t id : {2, 3, 4, 1}) b.addExtension(id, real.findExtension(id));
  b.setPayload(real.payload());
  const size_t n = b.finish();
  ASSERT_EQ(n, kChromiumOpus.size());
  out.resize(n);
  EXPECT_EQ(out, kChromiumOpus);
}

TEST(RtpPacketBuilder, WritesPaddingOnlyProbe) {
  std::vector<uint8_t> out(300);
  RtpPacketBuilder b(out, {97, false, 7, 0, 0xcf3f81d0});
  const uint8_t tw[2] = {0, 2};
  b.addExtension(3, tw).setPadding(255);
  const size_t n = b.finish();
  ASSERT_EQ(n, 12u + 4 + 4 + 255);
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(out.data(), n, &p));
  EXPECT_TRUE(p.hasPadding());
  EXPECT_EQ(p.paddingLength(), 255u);
  EXPECT_EQ(p.payloadLength(), 0u);
  EXPECT_EQ(p.findExtension(3)[1], 2);
}

TEST(RtpPacketBuilder, FailsWhenBufferTooSmallOrOutOfOrder) {
  std::vector<uint8_t> small(14);
  const uint8_t v[3] = {1, 2, 3};
  EXPECT_EQ(RtpPacketBuilder(small, {}).addExtension(1, v).finish(), 0u);
  std::vector<uint8_t> out(100);
  EXPECT_EQ(RtpPacketBuilder(out, {}).setPayload(v).addExtension(1, v).finish(), 0u);
  EXPECT_EQ(RtpPacketBuilder(out, {}).addExtension(15, v).finish(), 0u);
  EXPECT_EQ(RtpPacketBuilder(out, {}).setPayload(v).finish(), 15u);
  std::vector<uint8_t> tiny(11);
  EXPECT_EQ(RtpPacketBuilder(tiny, {}).finish(), 0u);
}

}  // namespace
}  // namespace treff::rtp
