#include "rtp/retransmission_ring.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"
#include "util/packet_pool.hpp"

namespace treff::rtp {
namespace {

// A pooled buffer stamped with its sequence number, so a wrong answer is visible.
util::PacketRef packetFor(util::PacketPool& pool, uint16_t seq) {
  util::PacketRef p = pool.acquire();
  if (!p) return p;
  p->data()[0] = static_cast<uint8_t>(seq >> 8);
  p->data()[1] = static_cast<uint8_t>(seq);
  p->size = 2;
  return p;
}

uint16_t stampOf(const util::PacketRef* p) {
  return static_cast<uint16_t>((*p)->data()[0] << 8 | (*p)->data()[1]);
}

TEST(RetransmissionRing, RejectsCapacityThatIsNotAPowerOfTwo) {
  EXPECT_THROW(RetransmissionRing(1000), std::invalid_argument);
  EXPECT_THROW(RetransmissionRing(0), std::invalid_argument);
  EXPECT_THROW(RetransmissionRing(65536), std::invalid_argument);
  EXPECT_NO_THROW(RetransmissionRing(1024));
}

TEST(RetransmissionRing, KeepsTheReceivedBufferItselfWithoutACopy) {
  util::PacketPool pool(4);
  RetransmissionRing ring(16);
  util::PacketRef p = packetFor(pool, 77);
  util::PacketBuffer* const raw = p.get();
  EXPECT_EQ(ring.insert(77, p, 0), RingInsert::Stored);
  p.reset();  // the receive path lets go; the ring still holds the buffer
  EXPECT_EQ(pool.available(), 3u);
  const util::PacketRef* found = ring.find(77, 0);
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->get(), raw);
  EXPECT_EQ(ring.find(78, 0), nullptr);
  EXPECT_EQ(ring.find(76, 0), nullptr);
}

TEST(RetransmissionRing, FindsPacketsAcrossTheSequenceWrap) {
  util::PacketPool pool(64);
  RetransmissionRing ring(32);
  for (uint16_t s = 65520; s != 16; ++s) ring.insert(s, packetFor(pool, s), 0);
  for (uint16_t s = 65520; s != 16; ++s) {
    const util::PacketRef* f = ring.find(s, 0);
    ASSERT_NE(f, nullptr) << s;
    EXPECT_EQ(stampOf(f), s);
  }
  EXPECT_EQ(ring.held(), 32u);
}

TEST(RetransmissionRing, StoresOutOfOrderAndRetransmittedPackets) {
  util::PacketPool pool(16);
  RetransmissionRing ring(16);
  for (uint16_t s : {10, 12, 11, 15, 13}) {
    EXPECT_EQ(ring.insert(s, packetFor(pool, s), 0), RingInsert::Stored) << s;
  }
  EXPECT_EQ(ring.find(14, 0), nullptr);                                    // still missing
  EXPECT_EQ(ring.insert(14, packetFor(pool, 14), 0), RingInsert::Stored);  // the retransmission
  for (uint16_t s = 10; s <= 15; ++s) EXPECT_EQ(stampOf(ring.find(s, 0)), s);
  EXPECT_EQ(ring.insert(12, packetFor(pool, 12), 0), RingInsert::Duplicate);
  EXPECT_EQ(ring.held(), 6u);
  EXPECT_EQ(pool.available(), 10u);  // the duplicate's buffer went back
}

TEST(RetransmissionRing, ReleasesOverwrittenBuffersToThePool) {
  util::PacketPool pool(8);
  RetransmissionRing ring(4);
  for (uint16_t s = 0; s < 100; ++s) {
    ASSERT_EQ(ring.insert(s, packetFor(pool, s), 0), RingInsert::Stored) << s;
    ASSERT_EQ(pool.available(), 4u - std::min<size_t>(s + 1, 4u) + 4u);
  }
  EXPECT_EQ(ring.find(95, 0), nullptr);  // overwritten by 99
  EXPECT_EQ(stampOf(ring.find(96, 0)), 96);
}

// A small ring driven through several laps of the 16-bit space with losses: every lookup of
// every sequence number answers with exactly that packet or nothing, never a slot's earlier
// occupant. Sequence numbers a multiple of the capacity apart share a slot, and so do numbers
// 65536 apart.
TEST(RetransmissionRing, NeverAnswersWithAStalePacketOverSeveralLaps) {
  util::PacketPool pool(40);
  RetransmissionRing ring(16);
  uint32_t lookups = 0;
  for (uint32_t i = 0; i < 3 * 65536; ++i) {
    const uint16_t s = static_cast<uint16_t>(i);
    if (i % 7 == 3 || i % 11 == 5) continue;  // lost
    ASSERT_NE(ring.insert(s, packetFor(pool, s), 0), RingInsert::NoPacket);
    for (uint16_t back = 0; back < 40; back += 3) {
      const uint16_t q = static_cast<uint16_t>(s - back);
      const util::PacketRef* f = ring.find(q, 0);
      const uint32_t qi = i - back;
      const bool shouldHold = back < 16 && i >= back && !(qi % 7 == 3 || qi % 11 == 5);
      ASSERT_EQ(f != nullptr, shouldHold) << i << " " << back;
      if (f) ASSERT_EQ(stampOf(f), q);
      ++lookups;
    }
  }
  EXPECT_GT(lookups, 1'000'000u);
}

TEST(RetransmissionRing, ForgetsPacketsOlderThanTheMaxAge) {
  util::PacketPool pool(8);
  RetransmissionRing ring(16, 1'000'000);
  ring.insert(1, packetFor(pool, 1), 5'000'000);
  ring.insert(2, packetFor(pool, 2), 5'500'000);
  EXPECT_NE(ring.find(1, 6'000'000), nullptr);  // exactly the max age: still there
  EXPECT_EQ(ring.find(1, 6'000'001), nullptr);
  EXPECT_NE(ring.find(2, 6'000'001), nullptr);
  EXPECT_EQ(pool.available(), 6u);  // found or not, buffers stay until released
  ring.releaseExpired(6'000'001);
  EXPECT_EQ(pool.available(), 7u);
  ring.releaseExpired(6'600'000);  // the newest packet expires too when the stream pauses
  EXPECT_EQ(pool.available(), 8u);
  EXPECT_EQ(ring.held(), 0u);
}

TEST(RetransmissionRing, InsertsSweepExpiredPacketsSoALowRateStreamReturnsItsBuffers) {
  // 5 packets/s in a ring of 1024: without sweeping it would keep 1024 buffers (200 s).
  util::PacketPool pool(64);
  RetransmissionRing ring(1024, 1'000'000);
  for (uint16_t s = 0; s < 300; ++s) {
    ASSERT_EQ(ring.insert(s, packetFor(pool, s), uint64_t{s} * 200'000), RingInsert::Stored);
    ASSERT_LE(ring.held(), 7u) << s;
  }
  EXPECT_NE(ring.find(299, 299 * 200'000), nullptr);
  EXPECT_NE(ring.find(295, 299 * 200'000), nullptr);
}

TEST(RetransmissionRing, TreatsAPacketAFullRingBehindAsARestart) {
  util::PacketPool pool(16);
  RetransmissionRing ring(8);
  for (uint16_t s = 1000; s < 1008; ++s) ring.insert(s, packetFor(pool, s), 0);
  EXPECT_EQ(ring.insert(1000, packetFor(pool, 1000), 0), RingInsert::Duplicate);
  // 1001 - 8 = 993 is exactly a ring behind the newest (1007): a new sequence.
  EXPECT_EQ(ring.insert(999, packetFor(pool, 999), 0), RingInsert::Restarted);
  EXPECT_EQ(ring.held(), 1u);
  EXPECT_EQ(pool.available(), 15u);
  EXPECT_EQ(ring.find(1005, 0), nullptr);
  EXPECT_EQ(stampOf(ring.find(999, 0)), 999);
  EXPECT_EQ(ring.insert(1000, packetFor(pool, 1000), 0), RingInsert::Stored);
}

TEST(RetransmissionRing, AJumpPastTheWholeRingReleasesEverything) {
  util::PacketPool pool(16);
  RetransmissionRing ring(8);
  for (uint16_t s = 0; s < 8; ++s) ring.insert(s, packetFor(pool, s), 0);
  EXPECT_EQ(ring.insert(20000, packetFor(pool, 20000), 0), RingInsert::Stored);
  EXPECT_EQ(ring.held(), 1u);
  EXPECT_EQ(pool.available(), 15u);
  for (uint16_t s = 0; s < 8; ++s) EXPECT_EQ(ring.find(s, 0), nullptr);
}

TEST(RetransmissionRing, IgnoresANullPacketAndReturnsAllBuffersWhenDestroyed) {
  util::PacketPool pool(32);
  {
    RetransmissionRing ring(16);
    EXPECT_EQ(ring.insert(5, util::PacketRef(), 0), RingInsert::NoPacket);
    EXPECT_EQ(ring.find(5, 0), nullptr);
    for (uint16_t s = 0; s < 20; ++s) ring.insert(s, packetFor(pool, s), 0);
    EXPECT_EQ(pool.available(), 16u);
    ring.clear();
    EXPECT_EQ(pool.available(), 32u);
    for (uint16_t s = 0; s < 10; ++s) ring.insert(s, packetFor(pool, s), 0);
  }
  EXPECT_EQ(pool.available(), 32u);
}

// The captured Chromium call's video packets, copied into pooled buffers as the receive path
// would leave them: every one is found by its own sequence number with its own bytes.
TEST(RetransmissionRing, ReturnsCapturedVideoPacketsBySequenceNumber) {
  const auto captured = rtptest::capturedRtp();
  util::PacketPool pool(512);
  RetransmissionRing ring(256);
  std::vector<size_t> video;
  for (size_t i = 0; i < captured.size(); ++i) {
    const auto& c = captured[i];
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(const_cast<uint8_t*>(c.bytes.data()), c.bytes.size(), &p));
    if (p.payloadType() != 118) continue;
    util::PacketRef buf = pool.acquire();
    ASSERT_TRUE(buf);
    std::memcpy(buf->data(), c.bytes.data(), c.bytes.size());
    buf->size = static_cast<uint32_t>(c.bytes.size());
    ASSERT_EQ(ring.insert(p.sequence(), std::move(buf), c.timestampUs), RingInsert::Stored);
    video.push_back(i);
    // Every video packet of the last 100 ms is served with its own bytes.
    for (size_t j : video) {
      const auto& earlier = captured[j];
      if (earlier.timestampUs + 100'000 < c.timestampUs) continue;
      const util::PacketRef* f = ring.find(util::loadBe16(earlier.bytes.data() + 2), c.timestampUs);
      ASSERT_NE(f, nullptr) << j;
      ASSERT_EQ((*f)->size, earlier.bytes.size());
      ASSERT_EQ(std::memcmp((*f)->data(), earlier.bytes.data(), earlier.bytes.size()), 0);
    }
  }
  ASSERT_EQ(video.size(), 183u);
  const uint64_t end = captured[video.back()].timestampUs;
  size_t found = 0;
  for (size_t i : video) {
    if (ring.find(util::loadBe16(captured[i].bytes.data() + 2), end)) ++found;
  }
  // At the end of the call only the last second is still served.
  EXPECT_GT(found, 0u);
  EXPECT_LT(found, video.size());
}

}  // namespace
}  // namespace treff::rtp
