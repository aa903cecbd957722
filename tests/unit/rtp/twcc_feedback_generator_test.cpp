// The receive side of transport-wide CC: what the generator reports, checked with the parser.
#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_twcc.hpp"
#include "rtp/twcc_feedback_generator.hpp"

namespace treff::rtp {
namespace {

struct Reported {
  uint16_t baseSeq = 0;
  uint16_t count = 0;
  uint8_t feedbackCount = 0;
  std::vector<TwccPacketStatus> packets;
};

// Builds one feedback and parses it back.
bool take(TwccFeedbackGenerator& g, Reported& out, size_t cap = 1200) {
  std::vector<uint8_t> buf(cap);
  const size_t n = g.buildFeedback(buf.data(), buf.size(), 0x11111111, 0x22222222);
  if (n == 0) return false;
  EXPECT_LE(n, cap);
  EXPECT_EQ(n % 4, 0u);
  TwccFeedbackView fb;
  EXPECT_EQ(fb.parse(util::ConstBytes(buf.data(), n)), RtcpError::kNone);
  if (!fb.valid()) return false;
  EXPECT_EQ(fb.senderSsrc(), 0x11111111u);
  EXPECT_EQ(fb.mediaSsrc(), 0x22222222u);
  out = {};
  out.baseSeq = fb.baseSeq();
  out.count = fb.packetStatusCount();
  out.feedbackCount = fb.feedbackCount();
  auto it = fb.packets();
  TwccPacketStatus s;
  while (it.next(s)) out.packets.push_back(s);
  return true;
}

TEST(TwccFeedbackGenerator, NothingPendingBeforeThePackets) {
  TwccFeedbackGenerator g;
  EXPECT_FALSE(g.hasPending());
  uint8_t buf[100];
  EXPECT_EQ(g.buildFeedback(buf, sizeof(buf), 1, 2), 0u);
}

TEST(TwccFeedbackGenerator, ReportsInOrderPacketsAndTheirArrivalTimes) {
  TwccFeedbackGenerator g;
  const uint64_t t0 = 5'000'000'000;  // an arbitrary monotonic clock value
  for (uint16_t i = 0; i < 50; ++i) g.onPacket(1000 + i, t0 + i * 3'100);
  EXPECT_TRUE(g.hasPending());
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_FALSE(g.hasPending());
  EXPECT_EQ(r.baseSeq, 1000);
  EXPECT_EQ(r.count, 50);
  EXPECT_EQ(r.feedbackCount, 0);
  for (size_t i = 0; i < 50; ++i) {
    EXPECT_TRUE(r.packets[i].received);
    // The 24-bit reference time wraps; compare times relative to the first packet, to 250 us.
    const int64_t got = r.packets[i].arrivalUs - r.packets[0].arrivalUs;
    EXPECT_NEAR(got, static_cast<int64_t>(i * 3'100), 250) << i;
  }
  // The next feedback starts where this one ended and counts up.
  g.onPacket(1050, t0 + 200'000);
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 1050);
  EXPECT_EQ(r.count, 1);
  EXPECT_EQ(r.feedbackCount, 1);
}

TEST(TwccFeedbackGenerator, RoundTripGivesBackArrivalTimesTo250Us) {
  TwccFeedbackGenerator g;
  std::map<uint16_t, uint64_t> sent;
  uint64_t t = 1'000'000;  // small, so the 24-bit reference time does not wrap
  for (uint16_t seq = 0; seq < 300; ++seq) {
    t += 137 + (seq * 7919u) % 9000;  // irregular gaps, some above 64 ms of small deltas
    if (seq % 11 == 5) continue;      // lost
    g.onPacket(seq, t);
    sent[seq] = t;
  }
  std::map<uint16_t, int64_t> got;
  Reported r;
  while (take(g, r)) {
    for (const auto& p : r.packets) {
      if (p.received)
        got[p.seq] = p.arrivalUs;
      else
        EXPECT_EQ(sent.count(p.seq), 0u) << p.seq;
    }
  }
  ASSERT_EQ(got.size(), sent.size());
  for (const auto& [seq, at] : sent) {
    EXPECT_LE(got[seq], static_cast<int64_t>(at)) << seq;
    EXPECT_GT(got[seq], static_cast<int64_t>(at) - 250) << seq;
  }
}

TEST(TwccFeedbackGenerator, ReportsLostPacketsAsNotReceived) {
  TwccFeedbackGenerator g;
  for (uint16_t seq : {10, 11, 14, 15, 17}) g.onPacket(seq, 100'000 + seq * 1000);
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 10);
  ASSERT_EQ(r.count, 8);
  const bool expected[] = {true, true, false, false, true, true, false, true};
  for (size_t i = 0; i < 8; ++i) EXPECT_EQ(r.packets[i].received, expected[i]) << i;
}

TEST(TwccFeedbackGenerator, HandlesReorderingWithNegativeDeltas) {
  TwccFeedbackGenerator g;
  g.onPacket(101, 100'000);
  g.onPacket(100, 101'000);  // before the first one seen, not yet reported
  g.onPacket(103, 102'000);
  g.onPacket(102, 103'000);
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 100);
  ASSERT_EQ(r.count, 4);
  EXPECT_EQ(r.packets[1].arrivalUs - r.packets[0].arrivalUs, -1000);
  EXPECT_EQ(r.packets[3].arrivalUs - r.packets[2].arrivalUs, -1000);
  for (const auto& p : r.packets) EXPECT_TRUE(p.received);
  // A packet older than what was reported is ignored, not reported again.
  g.onPacket(99, 104'000);
  EXPECT_FALSE(g.hasPending());
  g.onPacket(101, 104'000);  // duplicate of a reported packet
  EXPECT_FALSE(g.hasPending());
}

TEST(TwccFeedbackGenerator, UnwrapsAcrossSequence65535) {
  TwccFeedbackGenerator g;
  for (uint16_t seq : {65533, 65534, 65535, 0, 1, 2}) g.onPacket(seq, 100'000 + seq % 16 * 100);
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 65533);
  ASSERT_EQ(r.count, 6);
  EXPECT_EQ(r.packets[3].seq, 0);
  EXPECT_EQ(r.packets[5].seq, 2);
  for (const auto& p : r.packets) EXPECT_TRUE(p.received);
  g.onPacket(3, 300'000);
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 3);
  EXPECT_EQ(r.count, 1);
}

TEST(TwccFeedbackGenerator, ReportsGapsLongerThanAStatusChunk) {
  // 8000 lost packets between two received ones: more than a vector chunk's 14 symbols,
  // within the window.
  TwccFeedbackGenerator g;
  g.onPacket(500, 100'000);
  g.onPacket(8501, 150'000);
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.baseSeq, 500);
  ASSERT_EQ(r.count, 8002);
  EXPECT_TRUE(r.packets.front().received);
  EXPECT_TRUE(r.packets.back().received);
  for (size_t i = 1; i + 1 < r.packets.size(); ++i) ASSERT_FALSE(r.packets[i].received) << i;
  EXPECT_EQ(r.packets.back().arrivalUs - r.packets.front().arrivalUs, 50'000);
  EXPECT_FALSE(g.hasPending());
}

TEST(TwccFeedbackGenerator, ForgetsPacketsBeyondTheWindow) {
  TwccFeedbackGenerator g;
  g.onPacket(0, 100'000);
  g.onPacket(20000, 200'000);  // 20000 ahead: the first falls out of the window
  Reported r;
  ASSERT_TRUE(take(g, r));
  EXPECT_EQ(r.count, TwccFeedbackGenerator::kWindow);
  EXPECT_EQ(r.baseSeq, static_cast<uint16_t>(20000 - TwccFeedbackGenerator::kWindow + 1));
  EXPECT_TRUE(r.packets.back().received);
  EXPECT_FALSE(r.packets.front().received);
}

TEST(TwccFeedbackGenerator, SplitsWhenADeltaExceeds8Seconds) {
  TwccFeedbackGenerator g;
  g.onPacket(1, 1'000'000);
  g.onPacket(2, 1'010'000);
  g.onPacket(3, 10'010'000);  // 9 s later
  g.onPacket(4, 10'020'000);
  Reported first;
  ASSERT_TRUE(take(g, first));
  EXPECT_EQ(first.baseSeq, 1);
  EXPECT_EQ(first.count, 2);
  EXPECT_TRUE(g.hasPending());
  Reported second;
  ASSERT_TRUE(take(g, second));
  EXPECT_EQ(second.baseSeq, 3);
  EXPECT_EQ(second.count, 2);
  EXPECT_EQ(second.feedbackCount, static_cast<uint8_t>(first.feedbackCount + 1));
  EXPECT_EQ(second.packets[0].arrivalUs, 10'010'000);
  EXPECT_EQ(second.packets[1].arrivalUs, 10'020'000);
  EXPECT_FALSE(g.hasPending());
}

TEST(TwccFeedbackGenerator, SplitsWhenTooManyPacketsForTheBuffer) {
  TwccFeedbackGenerator g;
  // Alternate received / lost with large deltas, so each packet costs bytes.
  for (uint16_t seq = 0; seq < 400; seq += 2) g.onPacket(seq, 1'000'000 + seq * 40'000ull);
  std::vector<bool> seen(399, false);
  Reported r;
  int feedbacks = 0;
  uint16_t expectedBase = 0;
  while (take(g, r, 100)) {
    ++feedbacks;
    EXPECT_EQ(r.baseSeq, expectedBase);
    expectedBase = static_cast<uint16_t>(r.baseSeq + r.count);
    for (const auto& p : r.packets) {
      if (p.received) seen[p.seq] = true;
    }
  }
  EXPECT_GT(feedbacks, 3);
  EXPECT_EQ(expectedBase, 399);
  for (uint16_t seq = 0; seq < 399; ++seq) EXPECT_EQ(seen[seq], seq % 2 == 0) << seq;
}

TEST(TwccFeedbackGenerator, FeedbackCountWrapsAt255) {
  TwccFeedbackGenerator g;
  uint8_t buf[64];
  for (int i = 0; i < 256; ++i) {
    g.onPacket(static_cast<uint16_t>(i), 100'000 + i * 1000);
    ASSERT_GT(g.buildFeedback(buf, sizeof(buf), 1, 2), 0u);
  }
  EXPECT_EQ(buf[19], 255);
  EXPECT_EQ(g.nextFeedbackCount(), 0);
}

}  // namespace
}  // namespace treff::rtp
