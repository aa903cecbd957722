#include "rtp/keyframe_request_throttle.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace treff::rtp {
namespace {

TEST(KeyframeRequestThrottle, PassesTheFirstRequestAndHoldsTheNextUntilTheIntervalEnds) {
  KeyframeRequestThrottle t;  // 300 ms
  EXPECT_TRUE(t.shouldRequest(1000));
  EXPECT_FALSE(t.pending());
  EXPECT_FALSE(t.shouldRequest(1100));
  EXPECT_FALSE(t.shouldRequest(1200));  // several subscribers: still one request upstream
  EXPECT_TRUE(t.pending());
  EXPECT_FALSE(t.pendingDue(1299));
  EXPECT_TRUE(t.pendingDue(1300));
  EXPECT_FALSE(t.pendingDue(1320));  // fired once
  EXPECT_FALSE(t.pending());
  // The fired request restarted the interval.
  EXPECT_FALSE(t.shouldRequest(1599));
  EXPECT_TRUE(t.pendingDue(1600));
  EXPECT_TRUE(t.shouldRequest(1900));
}

TEST(KeyframeRequestThrottle, PollingWithoutARequestFiresNothing) {
  KeyframeRequestThrottle t;
  for (uint64_t now = 0; now < 2000; now += 20) EXPECT_FALSE(t.pendingDue(now));
  EXPECT_TRUE(t.shouldRequest(2000));
  for (uint64_t now = 2000; now < 4000; now += 20) EXPECT_FALSE(t.pendingDue(now));
}

TEST(KeyframeRequestThrottle, AKeyframeAnswersTheRememberedRequest) {
  KeyframeRequestThrottle t;
  EXPECT_TRUE(t.shouldRequest(0));
  EXPECT_FALSE(t.shouldRequest(50));
  t.onKeyframe();
  EXPECT_FALSE(t.pending());
  EXPECT_FALSE(t.pendingDue(300));
  // A request after the keyframe is a new one; it still waits for the interval.
  EXPECT_FALSE(t.shouldRequest(120));
  EXPECT_TRUE(t.pendingDue(300));
}

TEST(KeyframeRequestThrottle, UsesTheConfiguredInterval) {
  KeyframeRequestThrottle t(1000);
  EXPECT_TRUE(t.shouldRequest(5000));
  EXPECT_FALSE(t.shouldRequest(5999));
  EXPECT_FALSE(t.pendingDue(5999));
  EXPECT_TRUE(t.pendingDue(6000));
  KeyframeRequestThrottle none(0);
  EXPECT_TRUE(none.shouldRequest(10));
  EXPECT_TRUE(none.shouldRequest(10));
}

TEST(KeyframeRequestThrottle, AClockGoingBackwardsDoesNotReleaseARequestEarly) {
  KeyframeRequestThrottle t;
  EXPECT_TRUE(t.shouldRequest(1000));
  EXPECT_FALSE(t.shouldRequest(900));
  EXPECT_FALSE(t.pendingDue(950));
  EXPECT_TRUE(t.pendingDue(1300));
}

// RFC 5104 §4.3.1.2: a new request increments the FIR sequence number, a repetition of an
// unanswered one keeps it, and it wraps at 8 bits.
TEST(KeyframeRequestThrottle, IncrementsTheFirSequenceNumberPerNewRequestOnly) {
  KeyframeRequestThrottle t;
  ASSERT_TRUE(t.shouldRequest(0));
  EXPECT_EQ(t.firSeqNr(), 0);
  ASSERT_TRUE(t.shouldRequest(400));  // no keyframe came: a repetition
  EXPECT_EQ(t.firSeqNr(), 0);
  t.onKeyframe();
  ASSERT_TRUE(t.shouldRequest(800));
  EXPECT_EQ(t.firSeqNr(), 1);
  ASSERT_FALSE(t.shouldRequest(900));
  t.onKeyframe();
  ASSERT_FALSE(t.shouldRequest(950));
  ASSERT_TRUE(t.pendingDue(1100));  // new after the keyframe
  EXPECT_EQ(t.firSeqNr(), 2);
  for (int i = 0; i < 256; ++i) {
    t.onKeyframe();
    ASSERT_TRUE(t.shouldRequest(1400 + 300 * static_cast<uint64_t>(i)));
  }
  EXPECT_EQ(t.firSeqNr(), 2);  // 258 modulo 256
}

// Random subscriber requests and keyframes, polled every 20 ms: requests upstream are at least
// an interval apart, and every subscriber request is answered (by a keyframe, or by a request
// upstream at or after it) within the interval plus one tick.
TEST(KeyframeRequestThrottle, NeverLosesARequestAndNeverExceedsTheRate) {
  std::mt19937 rng(7);
  for (int round = 0; round < 50; ++round) {
    const uint64_t interval = 100 + rng() % 500;
    KeyframeRequestThrottle t(interval);
    std::vector<uint64_t> sent;
    std::vector<uint64_t> asked;
    std::vector<uint64_t> keyframes;
    for (uint64_t now = 0; now < 20000; ++now) {
      if (rng() % 97 == 0) {
        asked.push_back(now);
        if (t.shouldRequest(now)) sent.push_back(now);
      }
      if (rng() % 2003 == 0) {
        t.onKeyframe();
        keyframes.push_back(now);
      }
      if (now % 20 == 0 && t.pendingDue(now)) sent.push_back(now);
    }
    for (size_t i = 1; i < sent.size(); ++i) ASSERT_GE(sent[i] - sent[i - 1], interval);
    for (uint64_t a : asked) {
      if (a + interval + 20 >= 20000) continue;
      bool answered = false;
      for (uint64_t s : sent) answered |= s >= a && s <= a + interval + 20;
      for (uint64_t k : keyframes) answered |= k >= a && k <= a + interval + 20;
      ASSERT_TRUE(answered) << "round " << round << " request at " << a;
    }
  }
}

}  // namespace
}  // namespace treff::rtp
