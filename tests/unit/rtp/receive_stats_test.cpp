#include "rtp/receive_stats.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"
#include "util/bytes.hpp"

namespace treff::rtp {
namespace {

constexpr uint32_t kOpusSsrc = 425219805;

TEST(ReceiveStreamStats, RealOpusStreamHasNoLossAndSmallJitter) {
  ReceiveStreamStats stats(kOpusSsrc, 48000);
  uint16_t firstSeq = 0;
  int count = 0;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.ssrc() != kOpusSsrc) continue;
    if (count++ == 0) firstSeq = p.sequence();
    EXPECT_TRUE(stats.onRtp(p, c.timestampUs));
  }
  ASSERT_EQ(count, 400);
  const ReportBlockData b = stats.makeReportBlock(0);
  EXPECT_EQ(b.ssrc, kOpusSsrc);
  EXPECT_EQ(b.cumulativeLost, 0);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.extendedHighestSeq, static_cast<uint32_t>(firstSeq) + 399);
  EXPECT_EQ(stats.packetsReceived(), 400u);
  // Loopback with a 20 ms packetisation: well under 5 ms (240 ticks of 48 kHz).
  EXPECT_LT(b.jitter, 240u);
  EXPECT_EQ(b.lastSr, 0u);
  EXPECT_EQ(b.delaySinceLastSr, 0u);
}

TEST(ReceiveStreamStats, LsrAndDlsrFromCapturedSenderReport) {
  // The first RTCP SR (RFC 3550 §6.4.1, packet type 200) the capture holds for the Opus SSRC.
  ReceiveStreamStats stats(kOpusSsrc, 48000);
  bool found = false;
  for (auto& d : treff::test::readPcapUdp(rtptest::capturePath())) {
    const auto& b = d.payload;
    if (b.size() < 28 || b[0] < 128 || b[0] > 191 || b[1] != 200) continue;
    if (util::loadBe32(b.data() + 4) != kOpusSsrc) continue;
    const uint64_t ntp = util::loadBe64(b.data() + 8);
    stats.onSenderReport(ntp, d.timestampUs);
    const ReportBlockData rb = stats.makeReportBlock(d.timestampUs + 250'000);
    EXPECT_EQ(rb.lastSr, static_cast<uint32_t>(ntp >> 16));
    EXPECT_EQ(rb.lastSr, util::loadBe32(b.data() + 10));  // the middle 32 bits on the wire
    EXPECT_EQ(rb.delaySinceLastSr, 16384u);               // 0.25 s in 1/65536 s
    found = true;
    break;
  }
  EXPECT_TRUE(found);
}

TEST(ReceiveStreamStats, CountsLossAndFractionPerInterval) {
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s = 0; s < 10; ++s) {
    if (s == 3 || s == 4) continue;
    stats.onRtp(s, s * 3000u, s * 33'000u);
  }
  ReportBlockData b = stats.makeReportBlock(0);
  EXPECT_EQ(b.cumulativeLost, 2);
  EXPECT_EQ(b.fractionLost, 2 * 256 / 10);
  EXPECT_EQ(b.extendedHighestSeq, 9u);

  // The next interval loses nothing: the fraction resets, the total stays.
  for (uint16_t s = 10; s < 20; ++s) stats.onRtp(s, s * 3000u, s * 33'000u);
  b = stats.makeReportBlock(0);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.cumulativeLost, 2);

  // A report with no new packets has nothing to measure.
  b = stats.makeReportBlock(0);
  EXPECT_EQ(b.fractionLost, 0);
}

TEST(ReceiveStreamStats, LateRetransmissionReducesLossAndFraction) {
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s : {0, 1, 2, 4, 5, 3}) stats.onRtp(s, s * 3000u, s * 33'000u);
  const ReportBlockData b = stats.makeReportBlock(0);
  EXPECT_EQ(b.cumulativeLost, 0);
  EXPECT_EQ(b.fractionLost, 0);
  EXPECT_EQ(b.extendedHighestSeq, 5u);
}

TEST(ReceiveStreamStats, DuplicatesMakeLossNegative) {
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s : {0, 1, 1, 2}) stats.onRtp(s, 0, 0);
  EXPECT_EQ(stats.cumulativeLost(), -1);
  EXPECT_EQ(stats.makeReportBlock(0).fractionLost, 0);
}

TEST(ReceiveStreamStats, ExtendsSequenceAcrossWrap) {
  ReceiveStreamStats stats(1, 90000);
  uint16_t s = 65530;
  for (int i = 0; i < 12; ++i) stats.onRtp(s++, 0, 0);  // 65530..65535, 0..5
  const ReportBlockData b = stats.makeReportBlock(0);
  EXPECT_EQ(b.extendedHighestSeq, 65536u + 5);
  EXPECT_EQ(b.cumulativeLost, 0);
  // A late packet from before the wrap does not count a second cycle.
  stats.onRtp(65534, 0, 0);
  EXPECT_EQ(stats.extendedHighestSeq(), 65536u + 5);
}

TEST(ReceiveStreamStats, RestartNeedsTwoConsecutivePackets) {
  // RFC 3550 A.1: a jump beyond MAX_DROPOUT is believed only when the next packet follows it.
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s = 100; s < 110; ++s) stats.onRtp(s, 0, 0);
  EXPECT_FALSE(stats.onRtp(30000, 0, 0));
  EXPECT_TRUE(stats.onRtp(110, 0, 0));  // the old stream goes on
  EXPECT_FALSE(stats.onRtp(40000, 0, 0));
  EXPECT_TRUE(stats.onRtp(40001, 0, 0));  // confirmed: a restart
  EXPECT_EQ(stats.extendedHighestSeq(), 40001u);
  EXPECT_EQ(stats.packetsReceived(), 1u);
  EXPECT_TRUE(stats.onRtp(40002, 0, 0));
  EXPECT_EQ(stats.cumulativeLost(), 0);
  EXPECT_EQ(stats.makeReportBlock(0).fractionLost, 0);
}

TEST(ReceiveStreamStats, ForwardGapBelowDropoutIsLoss) {
  ReceiveStreamStats stats(1, 90000);
  stats.onRtp(0, 0, 0);
  EXPECT_TRUE(stats.onRtp(2999, 0, 0));
  EXPECT_EQ(stats.cumulativeLost(), 2998);
  EXPECT_EQ(stats.makeReportBlock(0).fractionLost, 255);  // 2998/3000 of 256
}

TEST(ReceiveStreamStats, JitterIsZeroForConstantTransit) {
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s = 0; s < 200; ++s) stats.onRtp(s, 1234567u + s * 3000u, 5'000'000 + s * 33'333u);
  // 33 333 us is 2999.97 ticks: the rounding alone may add a tick or so.
  EXPECT_LE(stats.jitter(), 1u);
}

TEST(ReceiveStreamStats, JitterConvergesToAlternatingDelay) {
  // RFC 3550 A.8: J += (|D| - J) / 16. With transit alternating by 900 ticks (10 ms at 90 kHz)
  // every |D| is 900, so J approaches 900.
  ReceiveStreamStats stats(1, 90000);
  for (uint16_t s = 0; s < 500; ++s) {
    const uint64_t arrival = 1'000'000 + s * 40'000u + (s % 2 ? 10'000u : 0u);
    stats.onRtp(s, s * 3600u, arrival);
  }
  EXPECT_NEAR(static_cast<double>(stats.jitter()), 900.0, 10.0);
  EXPECT_NEAR(static_cast<double>(stats.makeReportBlock(0).jitter), 900.0, 10.0);
}

TEST(ReceiveStreamStats, PacketsOfOneFrameDoNotAddJitter) {
  // A video frame's packets share a timestamp and are paced out over several milliseconds.
  ReceiveStreamStats stats(1, 90000);
  uint16_t seq = 0;
  for (uint32_t frame = 0; frame < 100; ++frame) {
    for (uint32_t k = 0; k < 5; ++k) {
      stats.onRtp(seq++, frame * 3000u, 1'000'000 + frame * 33'333u + k * 2'000u);
    }
  }
  EXPECT_LE(stats.jitter(), 1u);
}

TEST(ReceiveStreamStats, ReportsNothingBeforeFirstPacket) {
  ReceiveStreamStats stats(77, 48000);
  EXPECT_FALSE(stats.hasReceived());
  const ReportBlockData b = stats.makeReportBlock(1000);
  EXPECT_EQ(b.ssrc, 77u);
  EXPECT_EQ(b.extendedHighestSeq, 0u);
  EXPECT_EQ(b.cumulativeLost, 0);
}

}  // namespace
}  // namespace treff::rtp
