// Micro-benchmarks of the RTP data path: parsing a real Chromium video packet and looking up its
// extensions, and the per-subscriber header rewrite (and restore) the SFU does on fan-out.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "rtp/header_extensions.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"

using namespace treff::rtp;

namespace {

// The capture's second video packet (tests/data/chromium-loopback-unencrypted.pcap): RED pt 118
// wrapping VP8, one-byte extensions abs-send-time (2), transport-wide seq (3), MID (4),
// RID (10) and dependency descriptor (12). Header and the first payload bytes typed in; the rest
// of its 198 bytes is filler, which no benchmark reads.
std::vector<uint8_t> videoPacket() {
  static constexpr uint8_t kStart[] = {0x90, 0xf6, 0x06, 0x19, 0x43, 0xb0, 0x65, 0x05, 0x38, 0x31,
                                       0x14, 0xd1, 0xbe, 0xde, 0x00, 0x04, 0x22, 0xa5, 0xc3, 0xa8,
                                       0x31, 0x00, 0x11, 0x40, 0x31, 0xa0, 0x71, 0xc2, 0xc5, 0x00,
                                       0x02, 0x00, 0x60, 0x30, 0x11, 0x09, 0x00, 0x2d, 0x1c, 0x24};
  std::vector<uint8_t> p(198, 0x5a);
  std::memcpy(p.data(), kStart, sizeof(kStart));
  return p;
}

ExtensionIdMap chromiumIds() {
  ExtensionIdMap ids;
  ids.set(ExtensionType::AudioLevel, 1);
  ids.set(ExtensionType::AbsSendTime, 2);
  ids.set(ExtensionType::TransportWideCc, 3);
  ids.set(ExtensionType::Mid, 4);
  ids.set(ExtensionType::Rid, 10);
  ids.set(ExtensionType::RepairedRid, 11);
  return ids;
}

void BM_ParseVideoPacket(benchmark::State& state) {
  auto buf = videoPacket();
  for (auto _ : state) {
    RtpPacket p;
    benchmark::DoNotOptimize(RtpPacket::parse(buf.data(), buf.size(), &p));
    benchmark::DoNotOptimize(p);
  }
}
BENCHMARK(BM_ParseVideoPacket);

void BM_ParseAndReadExtensions(benchmark::State& state) {
  auto buf = videoPacket();
  const ExtensionIdMap ids = chromiumIds();
  for (auto _ : state) {
    RtpPacket p;
    RtpPacket::parse(buf.data(), buf.size(), &p);
    benchmark::DoNotOptimize(readTransportWideSeq(p, ids));
    benchmark::DoNotOptimize(readAbsSendTime(p, ids));
    benchmark::DoNotOptimize(readMid(p, ids));
    benchmark::DoNotOptimize(readRid(p, ids));
  }
}
BENCHMARK(BM_ParseAndReadExtensions);

void BM_FindTransportWideSeq(benchmark::State& state) {
  auto buf = videoPacket();
  RtpPacket p;
  RtpPacket::parse(buf.data(), buf.size(), &p);
  const ExtensionIdMap ids = chromiumIds();
  for (auto _ : state) benchmark::DoNotOptimize(readTransportWideSeq(p, ids));
}
BENCHMARK(BM_FindTransportWideSeq);

// Per subscriber: rewrite SSRC, sequence, timestamp, payload type and the subscriber
// transport's transport-wide seq; (protect would go here); restore the received fields.
void BM_SubscriberRewriteAndRestore(benchmark::State& state) {
  auto buf = videoPacket();
  RtpPacket p;
  RtpPacket::parse(buf.data(), buf.size(), &p);
  const ExtensionIdMap ids = chromiumIds();
  uint16_t twSeq = 0;
  for (auto _ : state) {
    const uint32_t ssrc = p.ssrc();
    const uint16_t seq = p.sequence();
    const uint32_t ts = p.timestamp();
    const uint8_t pt = p.payloadType();
    const auto tw = readTransportWideSeq(p, ids);
    p.setSsrc(0x11223344);
    p.setSequence(static_cast<uint16_t>(seq + 100));
    p.setTimestamp(ts + 90000);
    p.setPayloadType(100);
    writeTransportWideSeq(p, ids, twSeq++);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
    p.setSsrc(ssrc);
    p.setSequence(seq);
    p.setTimestamp(ts);
    p.setPayloadType(pt);
    if (tw) writeTransportWideSeq(p, ids, *tw);
  }
}
BENCHMARK(BM_SubscriberRewriteAndRestore);

// The same with the transport-wide seq element located once per received packet (shared by all
// its subscribers) and written directly per subscriber.
void BM_SubscriberRewriteLocatedOnce(benchmark::State& state) {
  auto buf = videoPacket();
  RtpPacket p;
  RtpPacket::parse(buf.data(), buf.size(), &p);
  const ExtensionIdMap ids = chromiumIds();
  const treff::util::MutableBytes tw =
      p.findExtensionMutable(ids.idOf(ExtensionType::TransportWideCc));
  uint16_t twSeq = 0;
  for (auto _ : state) {
    const uint32_t ssrc = p.ssrc();
    const uint16_t seq = p.sequence();
    const uint32_t ts = p.timestamp();
    const uint8_t pt = p.payloadType();
    const uint16_t twOriginal = treff::util::loadBe16(tw.data());
    p.setSsrc(0x11223344);
    p.setSequence(static_cast<uint16_t>(seq + 100));
    p.setTimestamp(ts + 90000);
    p.setPayloadType(100);
    treff::util::storeBe16(tw.data(), twSeq++);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
    p.setSsrc(ssrc);
    p.setSequence(seq);
    p.setTimestamp(ts);
    p.setPayloadType(pt);
    treff::util::storeBe16(tw.data(), twOriginal);
  }
}
BENCHMARK(BM_SubscriberRewriteLocatedOnce);

void BM_Vp8DescriptorOfRedPayload(benchmark::State& state) {
  auto buf = videoPacket();
  RtpPacket p;
  RtpPacket::parse(buf.data(), buf.size(), &p);
  for (auto _ : state) {
    Vp8Descriptor d;
    benchmark::DoNotOptimize(parseVp8Descriptor(p.payload().subspan(1), &d));
    benchmark::DoNotOptimize(d);
  }
}
BENCHMARK(BM_Vp8DescriptorOfRedPayload);

}  // namespace
