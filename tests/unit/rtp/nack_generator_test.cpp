#include "rtp/nack_generator.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "rtp/rtcp_nack.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

constexpr uint64_t kMs = 1000;

std::vector<uint16_t> collect(NackGenerator& g, uint64_t nowUs, uint32_t rttMs = 50) {
  std::array<uint16_t, 1024> buf{};
  const size_t n = g.collectNacks(nowUs, rttMs, buf);
  return {buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n)};
}

using Seqs = std::vector<uint16_t>;

TEST(NackGenerator, RequestsNothingWithoutLoss) {
  NackGenerator g;
  EXPECT_EQ(g.onPacket(100, 0, false), NackPacketEvent::First);
  for (uint16_t s = 101; s < 200; ++s)
    EXPECT_EQ(g.onPacket(s, s * kMs, false), NackPacketEvent::InOrder);
  EXPECT_TRUE(collect(g, 300 * kMs).empty());
  EXPECT_EQ(g.missingCount(), 0u);
}

TEST(NackGenerator, RequestsEachMissingPacketAtTheNextCollect) {
  NackGenerator g;
  g.onPacket(10, 0, false);
  EXPECT_EQ(g.onPacket(11, 1 * kMs, false), NackPacketEvent::InOrder);
  EXPECT_EQ(g.onPacket(14, 2 * kMs, false), NackPacketEvent::Gap);
  EXPECT_EQ(g.missingCount(), 2u);
  EXPECT_EQ(collect(g, 3 * kMs), (Seqs{12, 13}));
  EXPECT_TRUE(collect(g, 4 * kMs).empty());  // requested once; not again before the RTT
}

// Every start sequence number: a loss right across any position of the 16-bit wrap is found,
// reported with the right numbers, in RTP order.
TEST(NackGenerator, FindsLossesForEveryStartSequence) {
  NackGenerator::Config small;
  small.capacity = 8;
  for (uint32_t start = 0; start < 0x10000; ++start) {
    NackGenerator g(small);
    const uint16_t s = static_cast<uint16_t>(start);
    g.onPacket(s, 0, false);
    g.onPacket(static_cast<uint16_t>(s + 1), kMs, false);
    ASSERT_EQ(g.onPacket(static_cast<uint16_t>(s + 4), 2 * kMs, false), NackPacketEvent::Gap);
    std::array<uint16_t, 8> out{};
    ASSERT_EQ(g.collectNacks(3 * kMs, 50, out), 2u) << start;
    ASSERT_EQ(out[0], static_cast<uint16_t>(s + 2)) << start;
    ASSERT_EQ(out[1], static_cast<uint16_t>(s + 3)) << start;
    ASSERT_EQ(g.onPacket(static_cast<uint16_t>(s + 3), 4 * kMs, false), NackPacketEvent::Recovered);
    ASSERT_EQ(g.missingCount(), 1u);
  }
}

TEST(NackGenerator, RetriesAfterTheRoundTripTime) {
  NackGenerator g;
  g.onPacket(1, 0, false);
  g.onPacket(3, 0, false);
  EXPECT_EQ(collect(g, 10 * kMs, 80), (Seqs{2}));
  EXPECT_TRUE(collect(g, 89 * kMs, 80).empty());
  EXPECT_EQ(collect(g, 90 * kMs, 80), (Seqs{2}));
  // A short RTT is floored at 20 ms.
  EXPECT_TRUE(collect(g, 109 * kMs, 5).empty());
  EXPECT_EQ(collect(g, 110 * kMs, 5), (Seqs{2}));
}

TEST(NackGenerator, RequestsAPacketAtMostMaxRequestsTimes) {
  NackGenerator::Config config;
  config.maxRequests = 10;
  config.maxAgeUs = 10'000'000;
  NackGenerator g(config);
  g.onPacket(1, 0, false);
  g.onPacket(3, 0, false);
  int requests = 0;
  for (uint64_t t = 0; t < 2'000 * kMs; t += 5 * kMs)
    requests += static_cast<int>(collect(g, t, 20).size());
  EXPECT_EQ(requests, 10);
  EXPECT_EQ(g.missingCount(), 0u);
  EXPECT_EQ(g.onPacket(2, 2'000 * kMs, false), NackPacketEvent::Old);  // given up
}

TEST(NackGenerator, GivesUpOnPacketsMissingLongerThanTheMaxAge) {
  NackGenerator g;  // 1 s
  g.onPacket(1, 0, false);
  g.onPacket(3, 0, false);  // 2 missing since 0 ms
  EXPECT_EQ(collect(g, 0, 300), (Seqs{2}));
  g.onPacket(5, 600 * kMs, false);  // 4 missing since 600 ms
  EXPECT_EQ(collect(g, 600 * kMs, 300), (Seqs{2, 4}));
  EXPECT_EQ(collect(g, 1'000 * kMs, 300), (Seqs{2, 4}));  // 2 is exactly 1 s old: still asked
  EXPECT_TRUE(collect(g, 1'001 * kMs, 300).empty());      // 2 is over 1 s old: dropped
  EXPECT_EQ(g.missingCount(), 1u);
  EXPECT_TRUE(collect(g, 1'601 * kMs, 300).empty());
  EXPECT_EQ(g.missingCount(), 0u);
}

TEST(NackGenerator, StopsRequestingRecoveredPackets) {
  NackGenerator g;
  g.onPacket(100, 0, false);
  g.onPacket(105, 0, false);
  EXPECT_EQ(g.onPacket(102, kMs, false), NackPacketEvent::Recovered);  // reordered, not lost
  EXPECT_EQ(collect(g, 2 * kMs), (Seqs{101, 103, 104}));
  EXPECT_EQ(g.onPacket(103, 30 * kMs, false), NackPacketEvent::Recovered);  // retransmitted
  EXPECT_EQ(g.onPacket(103, 31 * kMs, false), NackPacketEvent::Old);        // a duplicate
  EXPECT_EQ(collect(g, 60 * kMs), (Seqs{101, 104}));
  g.onPacket(101, 61 * kMs, false);
  g.onPacket(104, 62 * kMs, false);
  EXPECT_TRUE(collect(g, 200 * kMs).empty());
  EXPECT_EQ(g.missingCount(), 0u);
}

TEST(NackGenerator, AKeyframeClearsTheLossesBeforeIt) {
  NackGenerator g;
  g.onPacket(10, 0, false);
  g.onPacket(13, 0, false);  // 11, 12 missing
  g.onPacket(16, 0, true);   // 14, 15 missing; a keyframe starts at 16
  EXPECT_EQ(g.missingCount(), 0u);
  g.onPacket(19, 0, false);  // 17, 18 are part of the keyframe: still wanted
  EXPECT_EQ(collect(g, kMs), (Seqs{17, 18}));
}

TEST(NackGenerator, TreatsAJumpOfMoreThan1000AsARestart) {
  NackGenerator g;
  g.onPacket(60000, 0, false);
  g.onPacket(60002, 0, false);
  EXPECT_EQ(g.onPacket(static_cast<uint16_t>(60002 + 1001), kMs, false), NackPacketEvent::Restart);
  EXPECT_EQ(g.missingCount(), 0u);
  EXPECT_TRUE(collect(g, 2 * kMs).empty());
  // The new sequence is followed from there, across the wrap.
  g.onPacket(static_cast<uint16_t>(60002 + 1003), 3 * kMs, false);
  EXPECT_EQ(collect(g, 4 * kMs), (Seqs{static_cast<uint16_t>(60002 + 1002)}));
  // Backwards too.
  EXPECT_EQ(g.onPacket(static_cast<uint16_t>(60002 + 1003 - 1001), 5 * kMs, false),
            NackPacketEvent::Restart);
  EXPECT_EQ(g.missingCount(), 0u);
}

TEST(NackGenerator, AJumpOfExactly1000IsLossKeptToTheCapacity) {
  NackGenerator::Config config;
  config.capacity = 300;
  NackGenerator g(config);
  g.onPacket(0, 0, false);
  EXPECT_EQ(g.onPacket(1000, kMs, false), NackPacketEvent::Overflow);
  EXPECT_EQ(g.missingCount(), 300u);
  const Seqs nacks = collect(g, 2 * kMs);
  ASSERT_EQ(nacks.size(), 300u);
  EXPECT_EQ(nacks.front(), 700);  // the newest 300 of 1..999
  EXPECT_EQ(nacks.back(), 999);
}

TEST(NackGenerator, ForgetsTheOldestWhenTheListIsFull) {
  NackGenerator::Config config;
  config.capacity = 4;
  NackGenerator g(config);
  g.onPacket(0, 0, false);
  EXPECT_EQ(g.onPacket(3, 0, false), NackPacketEvent::Gap);  // 1 2
  EXPECT_EQ(g.onPacket(1, 0, false), NackPacketEvent::Recovered);
  EXPECT_EQ(g.onPacket(6, 0, false), NackPacketEvent::Gap);       // 2 4 5: fits
  EXPECT_EQ(g.onPacket(9, 0, false), NackPacketEvent::Overflow);  // 2 4 5 7 8: 2 goes
  EXPECT_EQ(collect(g, kMs), (Seqs{4, 5, 7, 8}));
}

TEST(NackGenerator, LeavesWhatDoesNotFitTheOutputDue) {
  NackGenerator g;
  g.onPacket(0, 0, false);
  g.onPacket(6, 0, false);
  std::array<uint16_t, 3> out{};
  ASSERT_EQ(g.collectNacks(kMs, 50, out), 3u);
  EXPECT_EQ(out, (std::array<uint16_t, 3>{1, 2, 3}));
  ASSERT_EQ(g.collectNacks(2 * kMs, 50, out), 2u);
  EXPECT_EQ(out[0], 4);
  EXPECT_EQ(out[1], 5);
}

// The captured Chromium video stream with every 7th packet held back and delivered late (as a
// retransmission would be): each held-back packet is NACKed exactly once, and the NACK built
// from the list names exactly those packets when parsed back.
TEST(NackGenerator, NacksExactlyThePacketsHeldBackFromCapturedVideo) {
  std::vector<std::pair<uint16_t, uint64_t>> video;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.payloadType() == 118) video.emplace_back(p.sequence(), c.timestampUs);
  }
  ASSERT_EQ(video.size(), 183u);
  NackGenerator g;
  std::set<uint16_t> held, nacked;
  std::vector<uint16_t> pending;
  for (size_t i = 0; i < video.size(); ++i) {
    const auto [seq, t] = video[i];
    if (i % 7 == 3) {
      held.insert(seq);
      pending.push_back(seq);
      continue;
    }
    g.onPacket(seq, t, false);
    std::array<uint16_t, 64> out{};
    const size_t n = g.collectNacks(t, 200, out);
    if (n > 0) {
      uint8_t rtcp[256];
      const size_t len = buildNack(rtcp, sizeof(rtcp), 1, 0x383114d1, {out.data(), n});
      ASSERT_GT(len, 0u);
      NackView view;
      ASSERT_EQ(view.parse({rtcp, len}), RtcpError::kNone);
      std::array<uint16_t, 64> lost{};
      ASSERT_EQ(view.lostSequenceNumbers(lost), n);
      for (size_t k = 0; k < n; ++k) {
        EXPECT_EQ(lost[k], out[k]);
        EXPECT_TRUE(nacked.insert(lost[k]).second) << "requested twice: " << lost[k];
      }
    }
    // The retransmission of what was NACKed arrives with the next packet.
    for (auto it = pending.begin(); it != pending.end();) {
      if (nacked.count(*it)) {
        EXPECT_EQ(g.onPacket(*it, t, false), NackPacketEvent::Recovered);
        it = pending.erase(it);
      } else {
        ++it;
      }
    }
  }
  EXPECT_EQ(nacked, held);
  EXPECT_EQ(g.missingCount(), 0u);
}

}  // namespace
}  // namespace treff::rtp
