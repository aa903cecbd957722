// RFC 3711 §3.3.2 replay window, checked against a model that remembers every index.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "srtp/replay_window.hpp"

namespace treff::srtp {
namespace {

using Verdict = ReplayWindow::Verdict;

TEST(ReplayWindow, EmptyWindowAcceptsAnything) {
  ReplayWindow w;
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.check(0), Verdict::New);
  EXPECT_EQ(w.check(123456), Verdict::New);
}

TEST(ReplayWindow, RejectsDuplicateOfHighest) {
  ReplayWindow w;
  w.accept(1000);
  EXPECT_EQ(w.check(1000), Verdict::Duplicate);
  EXPECT_EQ(w.check(1001), Verdict::New);
}

TEST(ReplayWindow, AcceptsLateIndexesInsideWindowOnce) {
  ReplayWindow w;
  w.accept(1000);
  for (uint64_t i = 1000 - 127; i < 1000; ++i) {
    ASSERT_EQ(w.check(i), Verdict::New) << i;
    w.accept(i);
    ASSERT_EQ(w.check(i), Verdict::Duplicate) << i;
  }
  EXPECT_EQ(w.check(1000 - 128), Verdict::Old);
}

TEST(ReplayWindow, ShiftsKeepBitsAtEveryDistance) {
  for (uint64_t jump : {1u, 63u, 64u, 65u, 127u, 128u, 129u, 1000u}) {
    ReplayWindow w;
    w.accept(500);
    w.accept(499);
    w.accept(500 + jump);
    EXPECT_EQ(w.check(500), jump < 128 ? Verdict::Duplicate : Verdict::Old) << jump;
    EXPECT_EQ(w.check(499), jump + 1 < 128 ? Verdict::Duplicate : Verdict::Old) << jump;
    if (jump > 1 && jump < 128) {
      EXPECT_EQ(w.check(501), Verdict::New) << jump;
    }
  }
}

TEST(ReplayWindow, AgreesWithModelOnRandomTraffic) {
  std::mt19937_64 rng(42);
  ReplayWindow w;
  std::set<uint64_t> seen;
  uint64_t highest = 1000;
  for (int step = 0; step < 200000; ++step) {
    // Mostly forward with jitter, sometimes a large jump.
    int64_t delta = static_cast<int64_t>(rng() % 300) - 200;
    if (rng() % 1000 == 0) delta = 5000;
    const uint64_t index = static_cast<uint64_t>(static_cast<int64_t>(highest) + delta);
    Verdict expected;
    if (seen.empty() || index > highest) {
      expected = Verdict::New;
    } else if (highest - index >= 128) {
      expected = Verdict::Old;
    } else {
      expected = seen.count(index) ? Verdict::Duplicate : Verdict::New;
    }
    ASSERT_EQ(w.check(index), expected) << step;
    if (expected == Verdict::New) {
      w.accept(index);
      seen.insert(index);
      if (index > highest || seen.size() == 1) highest = index;
    }
    ASSERT_EQ(w.highest(), highest);
  }
}

}  // namespace
}  // namespace treff::srtp
