// The sent-packet ring keyed by transport-wide sequence numbers.
#include <gtest/gtest.h>

#include <stdexcept>

#include "bwe/send_history.hpp"

namespace treff::bwe {
namespace {

TEST(SendHistory, FindsWhatWasSent) {
  SendHistory h(16);
  h.onSent(100, 5000, 1200, false);
  h.onSent(101, 6000, 300, true);
  const SentPacket* p = h.find(101);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->seq, 101);
  EXPECT_EQ(p->sendUs, 6000);
  EXPECT_EQ(p->size, 300u);
  EXPECT_TRUE(p->probe);
  EXPECT_EQ(p->feedback, FeedbackState::kUnreported);
  EXPECT_FALSE(h.find(100)->probe);
}

TEST(SendHistory, RoundsCapacityUpToPowerOfTwoAndRejectsNonsense) {
  EXPECT_EQ(SendHistory(1000).capacity(), 1024u);
  EXPECT_EQ(SendHistory().capacity(), 8192u);
  EXPECT_THROW(SendHistory(0), std::invalid_argument);
  EXPECT_THROW(SendHistory(40000), std::invalid_argument);
}

TEST(SendHistory, UnwrapsAcrossSixteenBitWraparound) {
  SendHistory h(64);
  uint16_t seq = 65530;
  for (int i = 0; i < 12; ++i) h.onSent(seq++, 1000 * i, 100 + i, false);
  // 65530..65535 then 0..5: one continuous 64-bit line.
  EXPECT_EQ(h.newestSeq(), 65541);
  const SentPacket* before = h.find(65535);
  const SentPacket* after = h.find(0);
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(before->seq, 65535);
  EXPECT_EQ(after->seq, 65536);
  EXPECT_EQ(after->size, 106u);
  EXPECT_EQ(h.find(5)->sendUs, 11000);
}

TEST(SendHistory, EvictedAndUnsentEntriesAreNotFound) {
  SendHistory h(8);
  for (uint16_t s = 0; s < 20; ++s) h.onSent(s, s, 100, false);
  for (uint16_t s = 0; s < 12; ++s) EXPECT_EQ(h.find(s), nullptr) << s;  // evicted
  for (uint16_t s = 12; s < 20; ++s) EXPECT_NE(h.find(s), nullptr) << s;
  EXPECT_EQ(h.find(20), nullptr);     // not sent yet
  EXPECT_EQ(h.find(40000), nullptr);  // far outside
  EXPECT_EQ(h.find(65535), nullptr);  // before the first packet: maps to -1, an empty slot
}

TEST(SendHistory, EmptyHistoryFindsNothing) {
  SendHistory h(8);
  EXPECT_EQ(h.find(0), nullptr);
  EXPECT_EQ(h.find(65535), nullptr);
}

TEST(SendHistory, LongRunThroughManyWrapsKeepsTheNewestWindow) {
  SendHistory h(1024);
  uint16_t seq = 0;
  for (int i = 0; i < 200'000; ++i) h.onSent(seq++, i, 1000, false);
  EXPECT_EQ(h.newestSeq(), 199'999);
  const uint16_t newest = static_cast<uint16_t>(199'999);
  ASSERT_NE(h.find(newest), nullptr);
  EXPECT_EQ(h.find(newest)->sendUs, 199'999);
  EXPECT_NE(h.find(static_cast<uint16_t>(newest - 1023)), nullptr);
  EXPECT_EQ(h.find(static_cast<uint16_t>(newest - 1024)), nullptr);
}

}  // namespace
}  // namespace treff::bwe
