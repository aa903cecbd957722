#include "rtp/seq_num.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace treff::rtp {
namespace {

// Reference model, written differently from the code under test: the forward distance from b
// to a on the 16-bit circle, mapped into (-32768, 32768] with the tie broken by value.
int32_t referenceSeqDiff(uint16_t a, uint16_t b) {
  int32_t forward = (static_cast<int32_t>(a) - static_cast<int32_t>(b) + 65536) % 65536;
  if (forward < 32768) return forward;
  if (forward > 32768) return forward - 65536;
  return a > b ? 32768 : -32768;
}

// Every a against a spread of b values (every 1021st plus the edges): about 73 x 65536 pairs,
// every difference a - b with many bases. A full 2^32 sweep is too slow in the sanitizer build;
// the functions depend only on a - b and the tie at 0x8000, which this covers exhaustively.
// The loops count mismatches with plain comparisons (a gtest assertion per pair would dominate
// the run time) and report the first one.
std::vector<uint16_t> probeValues() {
  std::vector<uint16_t> v = {0, 1, 2, 0x7ffe, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff};
  for (uint32_t b = 0; b < 65536; b += 1021) v.push_back(static_cast<uint16_t>(b));
  return v;
}

struct Mismatch {
  uint64_t count = 0;
  uint32_t a = 0, b = 0;
  void note(uint32_t a_, uint32_t b_) {
    if (count++ == 0) a = a_, b = b_;
  }
};

TEST(SeqNum, SeqDiffMatchesReferenceForAllDifferences) {
  Mismatch diff, newer;
  for (uint16_t b : probeValues()) {
    for (uint32_t a = 0; a < 65536; ++a) {
      const auto a16 = static_cast<uint16_t>(a);
      const int32_t want = referenceSeqDiff(a16, b);
      if (seqDiff(a16, b) != want) diff.note(a, b);
      if (isNewerSeq(a16, b) != (want > 0)) newer.note(a, b);
    }
  }
  EXPECT_EQ(diff.count, 0u) << "first at a=" << diff.a << " b=" << diff.b;
  EXPECT_EQ(newer.count, 0u) << "first at a=" << newer.a << " b=" << newer.b;
}

TEST(SeqNum, IsNewerIsAntisymmetricAndIrreflexive) {
  Mismatch reflexive, asymmetric, step;
  for (uint16_t b : probeValues()) {
    for (uint32_t a = 0; a < 65536; ++a) {
      const auto a16 = static_cast<uint16_t>(a);
      if (a16 == b) {
        if (isNewerSeq(a16, b)) reflexive.note(a, b);
      } else if (isNewerSeq(a16, b) == isNewerSeq(b, a16) || seqDiff(a16, b) != -seqDiff(b, a16)) {
        asymmetric.note(a, b);
      }
      // Stepping forward by the difference lands on a.
      if (static_cast<uint16_t>(b + seqDiff(a16, b)) != a16) step.note(a, b);
    }
  }
  EXPECT_EQ(reflexive.count, 0u) << "first at a=" << reflexive.a;
  EXPECT_EQ(asymmetric.count, 0u) << "first at a=" << asymmetric.a << " b=" << asymmetric.b;
  EXPECT_EQ(step.count, 0u) << "first at a=" << step.a << " b=" << step.b;
}

TEST(SeqNum, WrapsAcrossZero) {
  EXPECT_TRUE(isNewerSeq(0, 0xffff));
  EXPECT_TRUE(isNewerSeq(5, 0xfff0));
  EXPECT_FALSE(isNewerSeq(0xffff, 0));
  EXPECT_EQ(seqDiff(2, 0xfffe), 4);
  EXPECT_EQ(seqDiff(0xfffe, 2), -4);
  EXPECT_EQ(seqDiff(0x8000, 0), 0x8000);
  EXPECT_EQ(seqDiff(0, 0x8000), -0x8000);
}

TEST(SeqNum, TimestampHelpersMatchReferenceOnSampledPairs) {
  std::mt19937 rng(7);
  const uint32_t edges[] = {0, 1, 0x7fffffff, 0x80000000, 0x80000001, 0xffffffff};
  std::vector<uint32_t> values(std::begin(edges), std::end(edges));
  for (int i = 0; i < 200; ++i) values.push_back(rng());
  for (uint32_t b : values) {
    for (uint32_t a : values) {
      const int64_t forward = static_cast<int64_t>(static_cast<uint32_t>(a - b));
      int64_t want = forward < 0x80000000LL ? forward : forward - (1LL << 32);
      if (forward == 0x80000000LL) want = a > b ? 0x80000000LL : -0x80000000LL;
      ASSERT_EQ(timestampDiff(a, b), want);
      ASSERT_EQ(isNewerTimestamp(a, b), want > 0);
    }
    for (int64_t d : {-3LL, -1LL, 1LL, 90000LL, 0x7fffffffLL, -0x7fffffffLL}) {
      const auto a = static_cast<uint32_t>(b + d);
      ASSERT_EQ(timestampDiff(a, b), d);
    }
  }
}

TEST(SeqUnwrapper, CountsThroughSeveralWrapsInOrder) {
  SeqUnwrapper u;
  const int64_t start = 65000;
  Mismatch m;
  for (int64_t i = start; i < start + 4 * 65536; ++i) {
    if (u.unwrap(static_cast<uint16_t>(i)) != i) m.note(static_cast<uint32_t>(i), 0);
  }
  EXPECT_EQ(m.count, 0u) << "first at " << m.a;
}

TEST(SeqUnwrapper, PlacesReorderedPacketsAroundWraps) {
  // Deliver 0..300000 with each block of 50 shuffled; every value must come back exactly.
  SeqUnwrapper u;
  std::mt19937 rng(1);
  int64_t base = 100;  // the first delivered value defines the origin
  std::vector<int64_t> block;
  Mismatch m;
  bool first = true;
  for (int64_t start = base; start < 300000; start += 50) {
    block.clear();
    for (int64_t i = start; i < start + 50; ++i) block.push_back(i);
    std::shuffle(block.begin() + (first ? 1 : 0), block.end(), rng);
    first = false;
    for (int64_t v : block) {
      if (u.unwrap(static_cast<uint16_t>(v)) != v) m.note(static_cast<uint32_t>(v), 0);
    }
  }
  EXPECT_EQ(m.count, 0u) << "first at " << m.a;
}

TEST(SeqUnwrapper, LatePacketBeforeFirstMapsBelowIt) {
  SeqUnwrapper u;
  EXPECT_EQ(u.unwrap(2), 2);
  EXPECT_EQ(u.unwrap(0xfffe), -2);
  EXPECT_EQ(u.unwrap(3), 3);
  EXPECT_EQ(u.peek(0), 0);
  EXPECT_EQ(u.unwrap(0x8003), 0x8003);  // exactly half ahead of 3, and larger: newer
}

TEST(SeqUnwrapper, PeekDoesNotAdvance) {
  SeqUnwrapper u;
  u.unwrap(65535);
  EXPECT_EQ(u.peek(10), 65536 + 10);
  EXPECT_EQ(u.peek(65530), 65530);
  EXPECT_EQ(u.unwrap(65534), 65534);
  u.reset();
  EXPECT_FALSE(u.started());
  EXPECT_EQ(u.unwrap(7), 7);
}

TEST(TimestampUnwrapper, FollowsVideoClockThroughWrap) {
  // 90 kHz, 30 fps: 3000 ticks a frame, starting just below the wrap.
  TimestampUnwrapper u;
  const int64_t start = 0xffffffffLL - 10 * 3000;
  for (int64_t t = start; t < start + 100 * 3000; t += 3000) {
    ASSERT_EQ(u.unwrap(static_cast<uint32_t>(t)), t);
  }
  // A late frame from before the wrap.
  EXPECT_EQ(u.unwrap(static_cast<uint32_t>(start + 3000)), start + 3000);
}

}  // namespace
}  // namespace treff::rtp
