// The fixed-size per-SSRC table: lookups, LRU eviction, and deletion inside probe chains.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <utility>

#include "srtp/stream_table.hpp"

namespace treff::srtp {
namespace {

TEST(StreamTable, FindsWhatWasInserted) {
  StreamTable t(8);
  EXPECT_EQ(t.find(42), nullptr);
  t.insert(42).rtcpNextIndex = 7;
  ASSERT_NE(t.find(42), nullptr);
  EXPECT_EQ(t.find(42)->rtcpNextIndex, 7u);
  EXPECT_EQ(t.size(), 1u);
}

TEST(StreamTable, EvictsLeastRecentlyUsedWhenFull) {
  StreamTable t(3);
  t.insert(1);
  t.insert(2);
  t.insert(3);
  ASSERT_NE(t.find(2), nullptr);  // a lookup alone is not a use
  t.touch(*t.find(1));            // 2 is now the least recently used
  t.insert(4);
  EXPECT_EQ(t.evictions(), 1u);
  EXPECT_EQ(t.size(), 3u);
  EXPECT_EQ(t.find(2), nullptr);
  EXPECT_NE(t.find(1), nullptr);
  EXPECT_NE(t.find(3), nullptr);
  EXPECT_NE(t.find(4), nullptr);
}

TEST(StreamTable, ReinsertedStreamStartsFresh) {
  StreamTable t(1);
  t.insert(5).rtcpNextIndex = 99;
  t.insert(6);
  StreamState& again = t.insert(5);
  EXPECT_EQ(again.rtcpNextIndex, 0u);
  EXPECT_TRUE(again.rtp.empty());
}

TEST(StreamTable, RejectsZeroCapacity) { EXPECT_THROW(StreamTable(0), std::invalid_argument); }

TEST(StreamTable, AgreesWithLruModelUnderChurn) {
  // SSRCs from a small range collide in the probe chains; evictions exercise deletion.
  std::mt19937 rng(7);
  StreamTable t(16);
  std::map<uint32_t, uint64_t> model;  // ssrc -> last use
  uint64_t clock = 0;
  for (int step = 0; step < 100000; ++step) {
    const uint32_t ssrc = rng() % 40 * 0x01000000u + rng() % 3;
    StreamState* s = t.find(ssrc);
    const bool inModel = model.count(ssrc) != 0;
    ASSERT_EQ(s != nullptr, inModel) << step;
    if (s) {
      ASSERT_EQ(s->ssrc, ssrc);
      t.touch(*s);
      model[ssrc] = ++clock;
      continue;
    }
    if (model.size() == 16) {
      auto lru = model.begin();
      for (auto it = model.begin(); it != model.end(); ++it) {
        if (it->second < lru->second) lru = it;
      }
      model.erase(lru);
    }
    t.insert(ssrc);
    model[ssrc] = ++clock;
    ASSERT_EQ(t.size(), model.size());
  }
  for (const auto& [ssrc, _] : model) EXPECT_NE(std::as_const(t).find(ssrc), nullptr);
}

}  // namespace
}  // namespace treff::srtp
