// The RTCP common header, compound iteration (RFC 3550 §6.1, §6.4.1 padding, RFC 5506
// reduced-size) and demultiplexing (RFC 5761 §4).
#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtcp_report.hpp"

namespace treff::rtp {
namespace {

TEST(RtcpPacket, LooksLikeRtcpOnlyForPayloadTypes192To223) {
  const uint8_t sr[] = {0x80, 0xc8, 0x00, 0x06};
  const uint8_t xr[] = {0x80, 0xcf, 0x00, 0x06};
  const uint8_t opus[] = {0x80, 0x6f, 0x00, 0x01};        // RTP, PT 111
  const uint8_t opusMarker[] = {0x80, 0xef, 0x00, 0x01};  // RTP, PT 111 with marker
  const uint8_t pt63Marker[] = {0x80, 0xbf, 0x00, 0x01};  // 191
  const uint8_t pt96Marker[] = {0x80, 0xe0, 0x00, 0x01};  // 224
  const uint8_t version1[] = {0x40, 0xc8, 0x00, 0x06};
  EXPECT_TRUE(looksLikeRtcp(sr));
  EXPECT_TRUE(looksLikeRtcp(xr));
  EXPECT_FALSE(looksLikeRtcp(opus));
  EXPECT_FALSE(looksLikeRtcp(opusMarker));
  EXPECT_FALSE(looksLikeRtcp(pt63Marker));
  EXPECT_FALSE(looksLikeRtcp(pt96Marker));
  EXPECT_FALSE(looksLikeRtcp(version1));
  EXPECT_FALSE(looksLikeRtcp(util::ConstBytes(sr, 3)));
}

// A reduced-size RTCP packet (RFC 5506 §3): one PLI alone.
const uint8_t kPli[] = {0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02};

TEST(RtcpCompound, AcceptsReducedSizeSingleFeedback) {
  RtcpCompound compound(kPli);
  RtcpPacket packet;
  ASSERT_TRUE(compound.next(packet));
  EXPECT_EQ(packet.packetType, 206);
  EXPECT_EQ(packet.count, 1);
  EXPECT_EQ(packet.lengthWords, 2);
  EXPECT_EQ(packet.bytes.size(), 12u);
  EXPECT_EQ(packet.body().size(), 8u);
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kNone);
}

TEST(RtcpCompound, RejectsEmptyDatagram) {
  RtcpCompound compound(util::ConstBytes{});
  RtcpPacket packet;
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kTooShort);
}

TEST(RtcpCompound, StopsAtBadVersionAfterGoodPackets) {
  std::vector<uint8_t> d(std::begin(kPli), std::end(kPli));
  d.insert(d.end(), {0x41, 0xce, 0x00, 0x00});
  RtcpCompound compound(d);
  RtcpPacket packet;
  EXPECT_TRUE(compound.next(packet));
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kBadVersion);
  EXPECT_FALSE(compound.next(packet));  // stays stopped
}

TEST(RtcpCompound, RejectsLengthBeyondDatagram) {
  std::vector<uint8_t> d(std::begin(kPli), std::end(kPli));
  d[3] = 3;  // claims 16 bytes, has 12
  RtcpCompound compound(d);
  RtcpPacket packet;
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kLengthBeyondBuffer);
}

TEST(RtcpCompound, RejectsTrailingBytesShorterThanAHeader) {
  std::vector<uint8_t> d(std::begin(kPli), std::end(kPli));
  d.insert(d.end(), {0x80, 0xc9});
  RtcpCompound compound(d);
  RtcpPacket packet;
  EXPECT_TRUE(compound.next(packet));
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kTooShort);
}

TEST(RtcpCompound, AcceptsPaddingOnlyOnTheLastPacket) {
  // RR with no blocks, padded by 4 octets (RFC 3550 §6.4.1: last octet is the count).
  const uint8_t paddedRr[] = {0xa0, 0xc9, 0x00, 0x02, 0x00, 0x00,
                              0x00, 0x07, 0x00, 0x00, 0x00, 0x04};
  {
    RtcpCompound compound(paddedRr);
    RtcpPacket packet;
    ASSERT_TRUE(compound.next(packet));
    EXPECT_TRUE(packet.padding);
    EXPECT_EQ(packet.paddingSize, 4u);
    EXPECT_EQ(packet.body().size(), 4u);
    ReceiverReportView rr;
    ASSERT_EQ(rr.parse(packet.bytes), RtcpError::kNone);
    EXPECT_EQ(rr.senderSsrc(), 7u);
    EXPECT_EQ(rr.content().size(), 8u);
  }
  {
    std::vector<uint8_t> d(std::begin(paddedRr), std::end(paddedRr));
    d.insert(d.end(), std::begin(kPli), std::end(kPli));
    RtcpCompound compound(d);
    RtcpPacket packet;
    EXPECT_FALSE(compound.next(packet));
    EXPECT_EQ(compound.error(), RtcpError::kBadPadding);
  }
}

TEST(RtcpCompound, RejectsPaddingCountZeroOrBeyondThePacket) {
  uint8_t d[] = {0xa0, 0xc9, 0x00, 0x02, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00};
  RtcpPacket packet;
  EXPECT_EQ(parseRtcpPacket(d, true, packet), RtcpError::kBadPadding);
  d[11] = 9;  // more than the 8 bytes after the header
  EXPECT_EQ(parseRtcpPacket(d, true, packet), RtcpError::kBadPadding);
  d[11] = 8;
  EXPECT_EQ(parseRtcpPacket(d, true, packet), RtcpError::kNone);
  EXPECT_EQ(parseRtcpPacket(d, false, packet), RtcpError::kBadPadding);
}

TEST(RtcpViews, RejectWrongTypeAndCountsBeyondTheLength) {
  SenderReportView sr;
  EXPECT_EQ(sr.parse(kPli), RtcpError::kWrongType);
  EXPECT_FALSE(sr.valid());
  FirView fir;
  EXPECT_EQ(fir.parse(kPli), RtcpError::kWrongType);  // PSFB, but FMT 1
  // RR claiming one report block but carrying none.
  const uint8_t rr[] = {0x81, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};
  ReceiverReportView view;
  EXPECT_EQ(view.parse(rr), RtcpError::kBadCount);
  EXPECT_FALSE(view.valid());
  // SR shorter than its sender info.
  const uint8_t shortSr[] = {0x80, 0xc8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07};
  EXPECT_EQ(sr.parse(shortSr), RtcpError::kTooShort);
}

TEST(RtcpReport, ReportBlockCumulativeLossIsSigned24Bit) {
  ReportBlockData block{1, 2, -3, 4, 5, 6, 7};
  uint8_t out[24];
  writeReportBlock(out, block);
  EXPECT_EQ(out[5], 0xff);
  EXPECT_EQ(out[6], 0xff);
  EXPECT_EQ(out[7], 0xfd);
  EXPECT_EQ(readReportBlock(out).cumulativeLost, -3);
  block.cumulativeLost = 0x1000000;  // clamps to the largest 24-bit value
  writeReportBlock(out, block);
  EXPECT_EQ(readReportBlock(out).cumulativeLost, 0x7fffff);
}

TEST(RtcpReport, BuildersReturnZeroWhenTheBufferIsTooSmall) {
  uint8_t out[64];
  const ReportBlockData blocks[2] = {};
  EXPECT_EQ(buildReceiverReport(out, 8 + 48 - 1, 1, blocks), 0u);
  EXPECT_EQ(buildReceiverReport(out, 8 + 48, 1, blocks), 56u);
  EXPECT_EQ(buildSenderReport(out, 27, 1, SenderInfo{}, {}), 0u);
  EXPECT_EQ(buildSenderReport(out, 28, 1, SenderInfo{}, {}), 28u);
}

}  // namespace
}  // namespace treff::rtp
