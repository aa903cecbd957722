// Packet grouping, trendline and over-use detection on synthetic arrival patterns.
#include <gtest/gtest.h>

#include "bwe/delay_based.hpp"

namespace treff::bwe {
namespace {

// Feeds packets every `sendGapUs` for `count` packets; each arrives `extraPerPacketUs` later than
// the one before relative to its send time (positive: a queue builds).
BandwidthUsage feed(DelayBasedDetector& d, int64_t& sendUs, int64_t& arrivalUs, int count,
                    int64_t sendGapUs, int64_t extraPerPacketUs) {
  for (int i = 0; i < count; ++i) {
    sendUs += sendGapUs;
    arrivalUs += sendGapUs + extraPerPacketUs;
    d.onPacket(sendUs, arrivalUs);
  }
  return d.usage();
}

TEST(PacketGrouper, GroupsPacketsSentWithinFiveMilliseconds) {
  PacketGrouper g;
  GroupDelta delta;
  // Group A: sent 0..4 ms; group B: sent 10..12 ms; group C starts at 20 ms.
  EXPECT_EQ(g.onPacket(0, 100'000, delta), PacketGrouper::Result::kNone);
  EXPECT_EQ(g.onPacket(4000, 104'000, delta), PacketGrouper::Result::kNone);
  EXPECT_EQ(g.onPacket(10'000, 111'000, delta), PacketGrouper::Result::kNone);
  EXPECT_EQ(g.onPacket(12'000, 115'000, delta), PacketGrouper::Result::kNone);
  ASSERT_EQ(g.onPacket(20'000, 121'000, delta), PacketGrouper::Result::kDelta);
  EXPECT_DOUBLE_EQ(delta.sendDeltaMs, 8.0);      // 12 - 4
  EXPECT_DOUBLE_EQ(delta.arrivalDeltaMs, 11.0);  // 115 - 104
  EXPECT_EQ(delta.arrivalUs, 115'000);
}

TEST(PacketGrouper, BurstArrivingTogetherJoinsTheGroup) {
  PacketGrouper g;
  GroupDelta delta;
  g.onPacket(0, 50'000, delta);
  // Sent 8 ms later but arrives 1 ms after: it was queued behind the group (§5.2).
  EXPECT_EQ(g.onPacket(8000, 51'000, delta), PacketGrouper::Result::kNone);
  EXPECT_EQ(g.onPacket(20'000, 70'000, delta), PacketGrouper::Result::kNone);  // group 2 starts
  ASSERT_EQ(g.onPacket(40'000, 90'000, delta), PacketGrouper::Result::kDelta);
  EXPECT_DOUBLE_EQ(delta.sendDeltaMs, 12.0);  // 20 - 8: the burst packet ended group 1
}

TEST(PacketGrouper, ArrivalClockJumpResets) {
  PacketGrouper g;
  GroupDelta delta;
  g.onPacket(0, 1'000'000, delta);
  EXPECT_EQ(g.onPacket(10'000, 9'000'000, delta), PacketGrouper::Result::kReset);
}

TEST(DelayBasedDetector, SteadyDelayIsNormal) {
  DelayBasedDetector d;
  int64_t s = 0, a = 40'000;
  EXPECT_EQ(feed(d, s, a, 500, 10'000, 0), BandwidthUsage::kNormal);
  EXPECT_NEAR(d.modifiedTrend(), 0.0, 0.5);
}

TEST(DelayBasedDetector, GrowingQueueIsOverusingAndDrainingIsUnderusing) {
  DelayBasedDetector d;
  int64_t s = 0, a = 40'000;
  feed(d, s, a, 100, 10'000, 0);
  ASSERT_EQ(d.usage(), BandwidthUsage::kNormal);
  // Each packet 2 ms later than the one before: the queue grows 200 ms per second.
  EXPECT_EQ(feed(d, s, a, 30, 10'000, 2000), BandwidthUsage::kOverusing);
  EXPECT_GT(d.modifiedTrend(), d.thresholdMs());
  // Queue drains.
  EXPECT_EQ(feed(d, s, a, 40, 10'000, -2000), BandwidthUsage::kUnderusing);
}

TEST(DelayBasedDetector, ThresholdAdaptsWithinDraftBounds) {
  DelayBasedDetector d;
  int64_t s = 0, a = 40'000;
  feed(d, s, a, 2000, 10'000, 0);
  // A quiet link lets gamma decay toward its floor, never below it.
  EXPECT_LT(d.thresholdMs(), OveruseDetector::kInitialThresholdMs);
  EXPECT_GE(d.thresholdMs(), OveruseDetector::kMinThresholdMs);
}

}  // namespace
}  // namespace treff::bwe
