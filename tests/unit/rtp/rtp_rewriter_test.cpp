#include "rtp/rtp_rewriter.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

constexpr uint32_t kA = 0x1111aaaa;
constexpr uint32_t kB = 0x2222bbbb;

RtpRewriter startedRewriter(uint32_t ssrc, uint16_t initialSeq = 1000, uint32_t initialTs = 5000) {
  RtpRewriter r(90000, initialSeq, initialTs);
  r.switchSource(ssrc);
  return r;
}

TEST(RtpRewriter, FirstPacketGoesOutWithInitialSeqAndTimestamp) {
  RtpRewriter r = startedRewriter(kA, 4242, 777777);
  const RewriteResult res = r.rewrite(kA, 9, 123456, 0);
  ASSERT_TRUE(res.forward);
  EXPECT_TRUE(res.startsSource);
  EXPECT_EQ(res.seq, 4242);
  EXPECT_EQ(res.timestamp, 777777u);
  const RewriteResult next = r.rewrite(kA, 10, 123456 + 3000, 33000);
  EXPECT_FALSE(next.startsSource);
  EXPECT_EQ(next.seq, 4243);
  EXPECT_EQ(next.timestamp, 777777u + 3000);
}

TEST(RtpRewriter, DropsEverythingBeforeASourceIsSelected) {
  RtpRewriter r(90000, 0, 0);
  const RewriteResult res = r.rewrite(kA, 1, 1, 0);
  EXPECT_FALSE(res.forward);
  EXPECT_EQ(res.drop, RewriteDrop::NoSource);
  EXPECT_FALSE(r.selectedSource().has_value());
  EXPECT_FALSE(r.sourceOf(0).has_value());
}

// Every start sequence number, with a loss, a late arrival and a reordered pair around it: the
// offset stays the same across the 16-bit wrap, and timestamps across the 32-bit wrap.
TEST(RtpRewriter, MapsInOrderLateAndReorderedPacketsForEveryStartSequence) {
  for (uint32_t start = 0; start < 0x10000; ++start) {
    const uint16_t s = static_cast<uint16_t>(start);
    const uint16_t out0 = static_cast<uint16_t>(start * 7919u);  // another spot in the space
    const uint32_t ts0 = 0xfffff000u + start;                    // wraps within the run
    RtpRewriter r = startedRewriter(kA, out0, 0xffffff00u);
    const uint16_t order[] = {0, 1, 3, 2, 5, 4};
    for (uint16_t k : order) {
      const RewriteResult res =
          r.rewrite(kA, static_cast<uint16_t>(s + k), ts0 + 3000u * k, 1000u * k);
      ASSERT_TRUE(res.forward) << start << " " << k;
      ASSERT_EQ(res.seq, static_cast<uint16_t>(out0 + k)) << start << " " << k;
      ASSERT_EQ(res.timestamp, 0xffffff00u + 3000u * k) << start << " " << k;
    }
    ASSERT_EQ(r.lastSeq(), static_cast<uint16_t>(out0 + 5));
    const auto back = r.sourceOf(static_cast<uint16_t>(out0 + 3));
    ASSERT_TRUE(back.has_value());
    ASSERT_EQ(back->seq, static_cast<uint16_t>(s + 3));
    ASSERT_EQ(back->ssrc, kA);
  }
}

// Every value of the last outgoing sequence number at the switch: the new source continues at
// last + 1, whatever its own numbers are.
TEST(RtpRewriter, SwitchContinuesAtLastSeqPlusOneForEveryLastSeq) {
  for (uint32_t last = 0; last < 0x10000; ++last) {
    RtpRewriter r = startedRewriter(kA, static_cast<uint16_t>(last - 2));
    ASSERT_TRUE(r.rewrite(kA, 100, 0, 0).forward);
    ASSERT_TRUE(r.rewrite(kA, 101, 0, 0).forward);
    ASSERT_TRUE(r.rewrite(kA, 102, 3000, 33000).forward);
    ASSERT_EQ(r.lastSeq(), static_cast<uint16_t>(last));
    r.switchSource(kB);
    const uint16_t bSeq = static_cast<uint16_t>(last * 31u + 17u);
    const RewriteResult first = r.rewrite(kB, bSeq, 99, 66000);
    ASSERT_TRUE(first.forward);
    ASSERT_TRUE(first.startsSource);
    ASSERT_EQ(first.seq, static_cast<uint16_t>(last + 1));
    const RewriteResult second = r.rewrite(kB, static_cast<uint16_t>(bSeq + 1), 99, 66100);
    ASSERT_EQ(second.seq, static_cast<uint16_t>(last + 2));
  }
}

TEST(RtpRewriter, SwitchAdvancesTimestampByWallClockSinceNewestTimestamp) {
  RtpRewriter r = startedRewriter(kA, 0, 0xffffe000u);
  // Frame at ts 1000 (first packet at 10 ms), next frame 3000 ticks later (first packet 43 ms).
  r.rewrite(kA, 1, 1000, 10'000);
  r.rewrite(kA, 2, 4000, 43'000);
  r.rewrite(kA, 3, 4000, 45'000);  // same frame: the newest timestamp was first sent at 43 ms
  r.switchSource(kB);
  const RewriteResult res = r.rewrite(kB, 500, 77, 43'000 + 50'000);
  ASSERT_TRUE(res.forward);
  // 0xffffe000 + 3000 + 50 ms at 90 kHz (4500 ticks), modulo 2^32.
  EXPECT_EQ(res.timestamp, static_cast<uint32_t>(0xffffe000u + 3000u + 4500u));
  // The new source keeps its own timestamp spacing from there on.
  EXPECT_EQ(r.rewrite(kB, 501, 77 + 3000, 126'000).timestamp,
            static_cast<uint32_t>(0xffffe000u + 3000u + 4500u + 3000u));
}

TEST(RtpRewriter, SwitchAdvancesTimestampByAtLeastOneTick) {
  RtpRewriter r = startedRewriter(kA, 0, 500);
  r.rewrite(kA, 1, 1000, 10'000);
  r.switchSource(kB);
  EXPECT_EQ(r.rewrite(kB, 9, 5, 10'000).timestamp, 501u);  // no time elapsed
  r.switchSource(kA);
  EXPECT_EQ(r.rewrite(kA, 9, 5, 10'005).timestamp, 502u);  // 5 us: less than a tick
  r.switchSource(kB);
  EXPECT_EQ(r.rewrite(kB, 20, 5, 1'000).timestamp, 503u);  // clock went back: still one tick
}

TEST(RtpRewriter, SwitchUsesTheConstructorClockRate) {
  RtpRewriter r(48000, 0, 0);
  r.switchSource(kA);
  r.rewrite(kA, 1, 960, 0);
  r.switchSource(kB);
  EXPECT_EQ(r.rewrite(kB, 1, 12345, 20'000).timestamp, 960u);  // 20 ms at 48 kHz
}

TEST(RtpRewriter, KeepsForwardingOldSourceUntilTheNewOneArrives) {
  RtpRewriter r = startedRewriter(kA, 10);
  EXPECT_EQ(r.rewrite(kA, 1, 0, 0).seq, 10);
  r.switchSource(kB);
  EXPECT_EQ(r.selectedSource(), kB);
  const RewriteResult stillA = r.rewrite(kA, 2, 0, 0);
  EXPECT_TRUE(stillA.forward);
  EXPECT_EQ(stillA.seq, 11);
  EXPECT_EQ(r.rewrite(kB, 700, 0, 0).seq, 12);
}

TEST(RtpRewriter, DropsOldSourceAfterTheSwitch) {
  RtpRewriter r = startedRewriter(kA, 10);
  r.rewrite(kA, 1, 0, 0);
  r.rewrite(kA, 3, 0, 0);
  r.switchSource(kB);
  r.rewrite(kB, 700, 0, 0);
  for (uint16_t late : {2, 4, 1}) {
    const RewriteResult res = r.rewrite(kA, late, 0, 0);
    EXPECT_FALSE(res.forward);
    EXPECT_EQ(res.drop, RewriteDrop::OtherSource);
  }
  EXPECT_EQ(r.rewrite(kB, 701, 0, 0).seq, 14);
}

TEST(RtpRewriter, DropsNewSourcePacketsOlderThanTheSwitchPointAcrossWrap) {
  RtpRewriter r = startedRewriter(kA, 100);
  r.rewrite(kA, 1, 0, 0);
  r.switchSource(kB);
  ASSERT_EQ(r.rewrite(kB, 1, 0, 0).seq, 101);  // B starts at 1: 0 and 65535 precede it
  for (uint16_t before : {0, 65535, 65000}) {
    const RewriteResult res = r.rewrite(kB, before, 0, 0);
    EXPECT_FALSE(res.forward) << before;
    EXPECT_EQ(res.drop, RewriteDrop::BeforeSwitch);
  }
  EXPECT_EQ(r.rewrite(kB, 3, 0, 0).seq, 103);
  EXPECT_EQ(r.rewrite(kB, 2, 0, 0).seq, 102);  // reordered after the switch point: fine
}

TEST(RtpRewriter, SwitchToTheSameSsrcRebasesAfterAnEncoderRestart) {
  RtpRewriter r = startedRewriter(kA, 100, 1000);
  r.rewrite(kA, 5000, 90000, 0);
  r.rewrite(kA, 5001, 93000, 33'000);
  r.switchSource(kA);  // the encoder restarted: new random seq and timestamp, same SSRC
  const RewriteResult res = r.rewrite(kA, 6000, 7, 66'000);
  ASSERT_TRUE(res.forward);
  EXPECT_TRUE(res.startsSource);
  EXPECT_EQ(res.seq, 102);
  EXPECT_EQ(res.timestamp, 1000u + 3000 + 2970);
  const RewriteResult old = r.rewrite(kA, 5002, 96000, 70'000);  // the old sequence is gone
  EXPECT_FALSE(old.forward);
  EXPECT_EQ(old.drop, RewriteDrop::BeforeSwitch);
  EXPECT_EQ(r.rewrite(kA, 6001, 3007, 99'000).seq, 103);
}

TEST(RtpRewriter, SkippingTheNewestPacketLeavesNoHole) {
  RtpRewriter r = startedRewriter(kA, 65534);
  EXPECT_EQ(r.rewrite(kA, 10, 0, 0).seq, 65534);
  EXPECT_TRUE(r.skip(kA, 11));
  EXPECT_TRUE(r.skip(kA, 12));
  EXPECT_EQ(r.rewrite(kA, 13, 0, 0).seq, 65535);
  EXPECT_TRUE(r.skip(kA, 14));
  EXPECT_EQ(r.rewrite(kA, 15, 0, 0).seq, 0);
  // A copy of a skipped packet is not forwarded either.
  const RewriteResult dup = r.rewrite(kA, 12, 0, 0);
  EXPECT_FALSE(dup.forward);
  EXPECT_EQ(dup.drop, RewriteDrop::Skipped);
}

TEST(RtpRewriter, LatePacketBeforeASkippedOneKeepsItsOwnNumber) {
  // 11 is late; 12 (padding) is dropped before 11 arrives. 11 must get the number after 10, and
  // 13 the one after that: no two packets share a number, none is left out.
  RtpRewriter r = startedRewriter(kA, 500);
  EXPECT_EQ(r.rewrite(kA, 10, 0, 0).seq, 500);
  EXPECT_TRUE(r.skip(kA, 12));
  EXPECT_EQ(r.rewrite(kA, 13, 0, 0).seq, 502);
  EXPECT_EQ(r.rewrite(kA, 11, 0, 0).seq, 501);
  EXPECT_EQ(r.sourceOf(501)->seq, 11);
  EXPECT_EQ(r.sourceOf(502)->seq, 13);
}

TEST(RtpRewriter, SkippingAPacketWhoseNumberIsTakenReportsTheHole) {
  RtpRewriter r = startedRewriter(kA, 500);
  r.rewrite(kA, 10, 0, 0);
  r.rewrite(kA, 12, 0, 0);                      // 11 is late: number 501 is reserved for it
  EXPECT_FALSE(r.skip(kA, 11));                 // too late to close the hole
  EXPECT_EQ(r.rewrite(kA, 11, 0, 0).seq, 501);  // forwarding it anyway fills it
  EXPECT_TRUE(r.skip(kB, 3));                   // not the current source: nothing to close
  EXPECT_TRUE(r.skip(kA, 9));                   // before the switch point: it never had a number
  // A skipped packet of a pending source does not start the mapping; its next packet does.
  r.switchSource(kB);
  EXPECT_TRUE(r.skip(kB, 3));
  EXPECT_EQ(r.selectedSource(), kB);
  EXPECT_EQ(r.rewrite(kA, 13, 0, 0).seq, 503);
  const RewriteResult first = r.rewrite(kB, 4, 0, 0);
  EXPECT_TRUE(first.startsSource);
  EXPECT_EQ(first.seq, 504);
}

TEST(RtpRewriter, MapsOutgoingNumbersBackForCurrentAndPreviousSource) {
  RtpRewriter r = startedRewriter(kA, 65533);
  r.rewrite(kA, 200, 0, 0);  // out 65533
  r.skip(kA, 201);
  r.rewrite(kA, 202, 0, 0);  // out 65534
  r.rewrite(kA, 204, 0, 0);  // out 0 (203 lost: 65535 is its number)
  r.switchSource(kB);
  r.rewrite(kB, 65535, 0, 0);  // out 1
  r.rewrite(kB, 0, 0, 0);      // out 2

  const auto expect = [&](uint16_t out, uint32_t ssrc, uint16_t seq) {
    const auto src = r.sourceOf(out);
    ASSERT_TRUE(src.has_value()) << out;
    EXPECT_EQ(src->ssrc, ssrc) << out;
    EXPECT_EQ(src->seq, seq) << out;
  };
  expect(65533, kA, 200);
  expect(65534, kA, 202);
  expect(65535, kA, 203);  // never received, but that is the packet the receiver misses
  expect(0, kA, 204);
  expect(1, kB, 65535);
  expect(2, kB, 0);
  EXPECT_FALSE(r.sourceOf(3).has_value());      // not sent yet
  EXPECT_FALSE(r.sourceOf(65532).has_value());  // before the first packet
}

TEST(RtpRewriter, ForgetsOnlyWhatFallsOutOfTheSkipHistory) {
  RtpRewriter r = startedRewriter(kA, 0);
  uint16_t seq = 0;
  r.rewrite(kA, seq++, 0, 0);
  const uint16_t lateSeq = seq++;  // never arrives until the end
  for (size_t i = 0; i < RtpRewriter::kSkipHistory + 1; ++i) {
    ASSERT_TRUE(r.skip(kA, seq++));
    r.rewrite(kA, seq++, 0, 0);
  }
  // One more run than the history holds: the late packet, older than all runs, cannot be
  // placed any more.
  const RewriteResult res = r.rewrite(kA, lateSeq, 0, 0);
  EXPECT_FALSE(res.forward);
  EXPECT_EQ(res.drop, RewriteDrop::BeforeHistory);
  // Recent packets still map both ways.
  EXPECT_EQ(r.sourceOf(r.lastSeq())->seq, static_cast<uint16_t>(seq - 1));
  const uint16_t expected = static_cast<uint16_t>(r.lastSeq() + 1);
  EXPECT_EQ(r.rewrite(kA, seq, 0, 0).seq, expected);
}

// A randomized stream: losses that are later recovered, reordering, skipped packets, switches.
// Properties: every forwarded packet of a source gets a distinct number, numbers follow the
// incoming order within a source, the numbers of one source come after those of the previous
// one, and with every packet eventually delivered and skipped only while newest, the outgoing
// numbers have no hole.
TEST(RtpRewriter, RandomStreamsGetGapFreeOrderedNumbers) {
  std::mt19937 rng(20240601);
  for (int round = 0; round < 200; ++round) {
    const uint16_t initial = static_cast<uint16_t>(rng());
    RtpRewriter r(90000, initial, rng());
    std::vector<int64_t> sentOut;  // unwrapped relative to `initial`
    int64_t lastOutOfPreviousSource = -1;
    uint64_t now = 0;
    for (int source = 0; source < 4; ++source) {
      const uint32_t ssrc = 100 + static_cast<uint32_t>(source);
      const uint16_t base = static_cast<uint16_t>(rng());
      r.switchSource(ssrc);
      // Arrival order: shuffle within small windows, never moving a packet before the first.
      const int count = 50 + static_cast<int>(rng() % 200);
      std::vector<int> order;
      for (int i = 0; i < count; ++i) order.push_back(i);
      for (int i = 1; i + 1 < count; ++i) {
        if (rng() % 4 == 0) std::swap(order[i], order[i + 1 + rng() % std::min(3, count - i - 1)]);
      }
      std::vector<int64_t> outOfIndex(count, -1);
      int highestArrived = -1;
      int64_t lowestOut = INT64_MAX;
      for (int idx : order) {
        const uint16_t seq = static_cast<uint16_t>(base + idx);
        now += 1000;
        if (idx > 0 && idx > highestArrived && rng() % 5 == 0) {
          ASSERT_TRUE(r.skip(ssrc, seq));
          highestArrived = idx;
          continue;
        }
        const RewriteResult res = r.rewrite(ssrc, seq, 0, now);
        ASSERT_TRUE(res.forward) << round << " " << source << " " << idx;
        const uint16_t rel = static_cast<uint16_t>(res.seq - initial);
        // Unwrap against the newest number sent so far.
        int64_t out = rel;
        if (!sentOut.empty()) {
          const int64_t top = *std::max_element(sentOut.begin(), sentOut.end());
          out = top + seqDiff(rel, static_cast<uint16_t>(top));
        }
        outOfIndex[idx] = out;
        sentOut.push_back(out);
        lowestOut = std::min(lowestOut, out);
        const auto back = r.sourceOf(res.seq);
        ASSERT_TRUE(back.has_value());
        EXPECT_EQ(back->ssrc, ssrc);
        EXPECT_EQ(back->seq, seq);
        if (idx > highestArrived) highestArrived = idx;
      }
      // Order is kept within the source, and the source starts after the previous one.
      int64_t prev = -1;
      for (int i = 0; i < count; ++i) {
        if (outOfIndex[i] < 0) continue;
        EXPECT_GT(outOfIndex[i], prev);
        prev = outOfIndex[i];
      }
      EXPECT_EQ(lowestOut, lastOutOfPreviousSource + 1);
      lastOutOfPreviousSource = prev;
    }
    // No holes, no duplicates: the numbers are exactly 0..n-1.
    std::sort(sentOut.begin(), sentOut.end());
    for (size_t i = 0; i < sentOut.size(); ++i) ASSERT_EQ(sentOut[i], static_cast<int64_t>(i));
  }
}

// The captured Chromium video stream (tests/data), with its real sequence numbers, timestamps
// and arrival times: its first half as one simulcast layer, the second half as if it came from
// another layer with its own SSRC, sequence and timestamp bases. The subscriber sees one stream:
// consecutive numbers, the incoming timestamp spacing kept within each half, and the switch
// stamped by the wall-clock time between the halves.
TEST(RtpRewriter, CapturedVideoStaysContinuousAcrossALayerSwitch) {
  struct Video {
    uint16_t seq;
    uint32_t ts;
    uint64_t arrivalUs;
  };
  std::vector<Video> video;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.payloadType() == 118) video.push_back({p.sequence(), p.timestamp(), c.timestampUs});
  }
  ASSERT_EQ(video.size(), 183u);
  const size_t half = video.size() / 2;
  RtpRewriter r(90000, 65500, 0xfff00000u);  // both wrap during the call
  r.switchSource(kA);
  RewriteResult prev{};
  for (size_t i = 0; i < video.size(); ++i) {
    const bool second = i >= half;
    if (i == half) r.switchSource(kB);
    const uint32_t ssrc = second ? kB : kA;
    const uint16_t seq = second ? static_cast<uint16_t>(video[i].seq + 30000) : video[i].seq;
    const uint32_t ts = second ? video[i].ts + 0x9abcdef0u : video[i].ts;
    const RewriteResult res = r.rewrite(ssrc, seq, ts, video[i].arrivalUs);
    ASSERT_TRUE(res.forward) << i;
    if (i == 0) {
      EXPECT_EQ(res.seq, 65500);
    } else {
      EXPECT_EQ(res.seq, static_cast<uint16_t>(prev.seq + (video[i].seq - video[i - 1].seq)));
    }
    if (i > 0 && i != half) {
      EXPECT_EQ(res.timestamp - prev.timestamp, video[i].ts - video[i - 1].ts) << i;
    }
    if (i == half) {
      // The newest timestamp before the switch plus the wall-clock time since its frame's first
      // packet arrived, at 90 kHz.
      size_t frameStart = half - 1;
      while (frameStart > 0 && video[frameStart - 1].ts == video[half - 1].ts) --frameStart;
      const uint64_t gapUs = video[half].arrivalUs - video[frameStart].arrivalUs;
      ASSERT_GT(gapUs, 0u);
      EXPECT_EQ(res.timestamp - prev.timestamp, gapUs * 90000 / 1'000'000);
    }
    prev = res;
  }
}

// RFC 7741 §4.2 descriptor: X=1 S=1 PID=0; I=1 L=1 T=1; PictureID (M=1: 15 bits, else 7 bits);
// TL0PICIDX; TID=0 Y=1 KEYIDX=0; then the first bytes of an interframe's VP8 payload header.
std::vector<uint8_t> vp8Payload(uint16_t pictureId, bool longId, uint8_t tl0PicIdx) {
  std::vector<uint8_t> p = {0x90, 0xe0};
  if (longId) {
    p.push_back(static_cast<uint8_t>(0x80 | (pictureId >> 8)));
    p.push_back(static_cast<uint8_t>(pictureId));
  } else {
    p.push_back(static_cast<uint8_t>(pictureId & 0x7f));
  }
  p.push_back(tl0PicIdx);
  p.push_back(0x20);
  for (uint8_t b : {0x31, 0x04, 0x00, 0x9d}) p.push_back(b);
  return p;
}

struct Vp8Out {
  uint16_t pictureId;
  uint8_t tl0PicIdx;
  bool longId;
};

// Rewrites a freshly built payload in place and parses the result back.
Vp8Out rewriteVp8(Vp8PictureIdRewriter& w, uint16_t pictureId, bool longId, uint8_t tl0,
                  bool startsSource) {
  std::vector<uint8_t> p = vp8Payload(pictureId, longId, tl0);
  Vp8Descriptor d;
  EXPECT_TRUE(parseVp8Descriptor(p, &d));
  w.rewrite(p, d, startsSource);
  Vp8Descriptor after;
  EXPECT_TRUE(parseVp8Descriptor(p, &after));
  EXPECT_EQ(after.size, d.size);  // the field widths are kept
  // The incoming values stay in `d` for restoring before the next subscriber.
  EXPECT_TRUE(rewriteVp8PictureId(p, d, d.pictureId));
  EXPECT_TRUE(rewriteVp8Tl0PicIdx(p, d, d.tl0PicIdx));
  EXPECT_EQ(p, vp8Payload(pictureId, longId, tl0));
  return {after.pictureId, after.tl0PicIdx, after.longPictureId};
}

TEST(Vp8PictureIdRewriter, KeepsTheFirstSourceValuesAndContinuesAcrossASwitch) {
  Vp8PictureIdRewriter w;
  Vp8Out o = rewriteVp8(w, 1234, true, 50, true);
  EXPECT_EQ(o.pictureId, 1234);
  EXPECT_EQ(o.tl0PicIdx, 50);
  o = rewriteVp8(w, 1235, true, 51, false);
  EXPECT_EQ(o.pictureId, 1235);
  o = rewriteVp8(w, 1235, true, 51, false);  // another packet of the same picture
  EXPECT_EQ(o.pictureId, 1235);
  // Another layer with unrelated values: its keyframe is the next picture and the next TL0.
  o = rewriteVp8(w, 20000, true, 200, true);
  EXPECT_EQ(o.pictureId, 1236);
  EXPECT_EQ(o.tl0PicIdx, 52);
  o = rewriteVp8(w, 20001, true, 200, false);
  EXPECT_EQ(o.pictureId, 1237);
  EXPECT_EQ(o.tl0PicIdx, 52);
  o = rewriteVp8(w, 20002, true, 201, false);
  EXPECT_EQ(o.tl0PicIdx, 53);
  o = rewriteVp8(w, 20000, true, 200, false);  // a late packet of an older picture
  EXPECT_EQ(o.pictureId, 1236);
  EXPECT_EQ(o.tl0PicIdx, 52);
}

// Every last outgoing PictureID and TL0PICIDX at a switch, with the new source wrapping right
// after it: the count continues by one per picture across both wraps.
TEST(Vp8PictureIdRewriter, ContinuesThroughFieldWrapForEveryValueAtTheSwitch) {
  for (uint32_t last = 0; last < 0x8000; ++last) {
    Vp8PictureIdRewriter w;
    const uint8_t lastTl0 = static_cast<uint8_t>(last);
    rewriteVp8(w, static_cast<uint16_t>(last), true, lastTl0, true);
    Vp8Descriptor d;
    std::vector<uint8_t> p = vp8Payload(32766, true, 255);
    ASSERT_TRUE(parseVp8Descriptor(p, &d));
    Vp8PictureIdRewriter::Ids ids = w.map(d, true);
    ASSERT_EQ(ids.pictureId, (last + 1) & 0x7fff);
    ASSERT_EQ(ids.tl0PicIdx, static_cast<uint8_t>(lastTl0 + 1));
    for (uint32_t k = 1; k < 4; ++k) {
      p = vp8Payload(static_cast<uint16_t>((32766 + k) & 0x7fff), true,
                     static_cast<uint8_t>(255 + k));
      ASSERT_TRUE(parseVp8Descriptor(p, &d));
      ids = w.map(d, false);
      ASSERT_EQ(ids.pictureId, (last + 1 + k) & 0x7fff);
      ASSERT_EQ(ids.tl0PicIdx, static_cast<uint8_t>(lastTl0 + 1 + k));
    }
  }
}

TEST(Vp8PictureIdRewriter, FollowsA7BitSourceThroughItsWrapInThe15BitCount) {
  Vp8PictureIdRewriter w;
  rewriteVp8(w, 5000, true, 9, true);
  // The new source has 7-bit PictureIDs 126, 127, 0, 1: the outgoing count goes on from 5001,
  // and a 7-bit field carries it modulo 128.
  const uint16_t incoming[] = {126, 127, 0, 1};
  for (uint16_t k = 0; k < 4; ++k) {
    const Vp8Out o = rewriteVp8(w, incoming[k], false, 9, k == 0);
    EXPECT_FALSE(o.longId);
    EXPECT_EQ(o.pictureId, (5001 + k) % 128) << k;
  }
  // Back to a 15-bit source: one more than the 15-bit count reached (5004), in full width.
  const Vp8Out o = rewriteVp8(w, 300, true, 9, true);
  EXPECT_TRUE(o.longId);
  EXPECT_EQ(o.pictureId, 5005);
}

TEST(Vp8PictureIdRewriter, ASwitchWaitsForThePacketThatCarriesTheField) {
  Vp8PictureIdRewriter w;
  rewriteVp8(w, 700, true, 3, true);
  // The new source's first packet carries no extension fields (X=0).
  std::vector<uint8_t> bare = {0x10, 0x31, 0x04, 0x00};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(bare, &d));
  w.rewrite(bare, d, true);
  EXPECT_EQ(bare, (std::vector<uint8_t>{0x10, 0x31, 0x04, 0x00}));  // untouched
  const Vp8Out o = rewriteVp8(w, 9000, true, 77, false);
  EXPECT_EQ(o.pictureId, 701);
  EXPECT_EQ(o.tl0PicIdx, 4);
}

}  // namespace
}  // namespace treff::rtp
