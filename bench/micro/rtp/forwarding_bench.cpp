// Micro-benchmarks of the per-packet forwarding building blocks: sequence/timestamp rewriting
// for one subscriber, the retransmission ring (insert of the received buffer, lookup for a
// NACK), loss tracking, and all of them together for one incoming packet fanned out to ten
// subscribers.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "rtp/nack_generator.hpp"
#include "rtp/retransmission_ring.hpp"
#include "rtp/rtp_rewriter.hpp"
#include "util/packet_pool.hpp"

using namespace treff;
using namespace treff::rtp;

namespace {

constexpr uint32_t kSsrc = 0x383114d1;

void BM_RewriteInOrder(benchmark::State& state) {
  RtpRewriter r(90000, 1, 2);
  r.switchSource(kSsrc);
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint64_t now = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.rewrite(kSsrc, seq++, ts, now));
    ts += 30;
    now += 333;
  }
}
BENCHMARK(BM_RewriteInOrder);

// A quarter of the packets skipped (a dropped temporal layer) and one in eight arriving a
// packet late, so lookups walk the skip history.
void BM_RewriteWithSkipsAndReordering(benchmark::State& state) {
  RtpRewriter r(90000, 1, 2);
  r.switchSource(kSsrc);
  uint32_t i = 0;
  for (auto _ : state) {
    uint16_t seq = static_cast<uint16_t>(i);
    if (i % 8 == 5) seq = static_cast<uint16_t>(i + 1);
    if (i % 8 == 6) seq = static_cast<uint16_t>(i - 1);
    if (seq % 4 == 3) {
      benchmark::DoNotOptimize(r.skip(kSsrc, seq));
    } else {
      benchmark::DoNotOptimize(r.rewrite(kSsrc, seq, i * 30, i * 333ull));
    }
    ++i;
  }
}
BENCHMARK(BM_RewriteWithSkipsAndReordering);

void BM_SourceOfForNack(benchmark::State& state) {
  RtpRewriter r(90000, 1, 2);
  r.switchSource(kSsrc);
  for (uint32_t i = 0; i < 2000; ++i) {
    if (i % 4 == 3) {
      r.skip(kSsrc, static_cast<uint16_t>(i));
    } else {
      r.rewrite(kSsrc, static_cast<uint16_t>(i), i * 30, i * 333ull);
    }
  }
  uint16_t back = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(r.sourceOf(static_cast<uint16_t>(r.lastSeq() - back)));
    back = static_cast<uint16_t>((back + 7) % 200);
  }
}
BENCHMARK(BM_SourceOfForNack);

void BM_RingInsert(benchmark::State& state) {
  util::PacketPool pool(2048);
  RetransmissionRing ring(1024);
  util::PacketRef packet = pool.acquire();
  uint16_t seq = 0;
  uint64_t now = 0;
  for (auto _ : state) {
    ring.insert(seq++, packet, now);  // the receive path hands over its reference
    now += 333;
  }
  benchmark::DoNotOptimize(ring.held());
}
BENCHMARK(BM_RingInsert);

void BM_RingFind(benchmark::State& state) {
  util::PacketPool pool(2048);
  RetransmissionRing ring(1024);
  for (uint16_t s = 0; s < 1024; ++s) ring.insert(s, pool.acquire(), 0);
  uint16_t seq = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ring.find(seq, 1000));
    seq = static_cast<uint16_t>((seq + 37) & 1023);
  }
}
BENCHMARK(BM_RingFind);

void BM_NackOnPacketWithLoss(benchmark::State& state) {
  NackGenerator g;
  uint32_t i = 0;
  uint64_t now = 0;
  std::array<uint16_t, 64> out{};
  for (auto _ : state) {
    ++i;
    if (i % 50 == 0) ++i;  // 2% loss
    benchmark::DoNotOptimize(g.onPacket(static_cast<uint16_t>(i), now, false));
    now += 333;
    if (i % 60 == 0) benchmark::DoNotOptimize(g.collectNacks(now, 50, out));  // a 20 ms tick
  }
}
BENCHMARK(BM_NackOnPacketWithLoss);

// One incoming video packet: into the ring and the loss tracker, then rewritten for each of ten
// subscribers. Reported per incoming packet.
void BM_ForwardToTenSubscribers(benchmark::State& state) {
  util::PacketPool pool(4096);
  RetransmissionRing ring(1024);
  NackGenerator nacks;
  std::vector<RtpRewriter> subscribers;
  for (uint16_t k = 0; k < 10; ++k) {
    subscribers.emplace_back(90000, static_cast<uint16_t>(k * 1000), k * 77777u);
    subscribers.back().switchSource(kSsrc);
  }
  uint16_t seq = 0;
  uint32_t ts = 0;
  uint64_t now = 0;
  for (auto _ : state) {
    util::PacketRef packet = pool.acquire();
    nacks.onPacket(seq, now, false);
    ring.insert(seq, std::move(packet), now);
    for (RtpRewriter& r : subscribers) benchmark::DoNotOptimize(r.rewrite(kSsrc, seq, ts, now));
    ++seq;
    ts += 30;
    now += 333;
  }
}
BENCHMARK(BM_ForwardToTenSubscribers);

}  // namespace
