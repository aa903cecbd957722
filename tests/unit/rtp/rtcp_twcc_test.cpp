// Transport-wide CC feedback parsing and building against layouts written out from
// draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1 (captured packets are in
// rtcp_capture_test.cpp).
#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtcp_twcc.hpp"

namespace treff::rtp {
namespace {

using Bytes = std::vector<uint8_t>;
constexpr int64_t NR = kTwccNotReceived;

// Base 100, 10 packets, reference time 1 (64 ms), fb pkt count 5.
// Chunk 1, 2-bit status vector (§3.1.4) of 7: small, not received, small, large, 3x not received
//   = 1 1 01 00 01 10 00 00 00 = 0xd180.
// Chunk 2, run length (§3.1.3) of 3 "not received" = 0 00 0000000000011 = 0x0003.
// Deltas: 4 (1 ms), 8 (2 ms), large -4 (-1 ms) = 0xfffc.
const uint8_t kTwccTwoBit[] = {0x8f, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                               0x00, 0x02, 0x00, 0x64, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x05,
                               0xd1, 0x80, 0x00, 0x03, 0x04, 0x08, 0xff, 0xfc};

// Base 0, 14 packets, reference time 0, fb pkt count 0. One 1-bit status vector: 1x not
// received, 5x received, 3x not received, 3x received, 2x not received
//   = 1 0 0 1 1 1 1 1 0 0 0 1 1 1 0 0 = 0x9f1c;
// eight small deltas 1..8, then two octets of padding (P bit, count 2).
const uint8_t kTwccOneBit[] = {0xaf, 0xcd, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
                               0x02, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x9f, 0x1c,
                               0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x00, 0x02};

std::vector<TwccPacketStatus> expand(const TwccFeedbackView& fb) {
  std::vector<TwccPacketStatus> out;
  auto it = fb.packets();
  TwccPacketStatus s;
  while (it.next(s)) out.push_back(s);
  return out;
}

TEST(RtcpTwcc, ParsesTwoBitVectorRunLengthAndNegativeLargeDelta) {
  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(kTwccTwoBit), RtcpError::kNone);
  EXPECT_EQ(fb.baseSeq(), 100);
  EXPECT_EQ(fb.packetStatusCount(), 10);
  EXPECT_EQ(fb.referenceTimeUs(), 64000);
  EXPECT_EQ(fb.feedbackCount(), 5);
  EXPECT_EQ(fb.receivedCount(), 3u);
  const auto p = expand(fb);
  ASSERT_EQ(p.size(), 10u);
  const bool received[] = {true, false, true, true, false, false, false, false, false, false};
  for (size_t i = 0; i < 10; ++i) {
    EXPECT_EQ(p[i].seq, 100 + i);
    EXPECT_EQ(p[i].received, received[i]) << i;
  }
  EXPECT_EQ(p[0].arrivalUs, 65000);
  EXPECT_EQ(p[2].arrivalUs, 67000);
  EXPECT_EQ(p[3].deltaTicks, -4);
  EXPECT_EQ(p[3].arrivalUs, 66000);
}

TEST(RtcpTwcc, ParsesOneBitVectorWithPadding) {
  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(kTwccOneBit), RtcpError::kNone);
  const auto p = expand(fb);
  ASSERT_EQ(p.size(), 14u);
  const bool received[] = {false, true,  true, true, true, true,  false,
                           false, false, true, true, true, false, false};
  int64_t t = 0;
  int32_t delta = 1;
  for (size_t i = 0; i < 14; ++i) {
    EXPECT_EQ(p[i].received, received[i]) << i;
    if (received[i]) {
      EXPECT_EQ(p[i].deltaTicks, delta);
      t += 250 * delta++;
      EXPECT_EQ(p[i].arrivalUs, t);
    }
  }
}

TEST(RtcpTwcc, BuildsTheOneBitLayoutByteForByte) {
  // Arrivals whose deltas are 1..8 ticks of 250 us.
  const int64_t arrivals[] = {NR, 250, 750, 1500, 2500, 3750, NR, NR, NR, 5250, 7000, 9000, NR, NR};
  TwccFeedbackParams params;
  params.senderSsrc = 1;
  params.mediaSsrc = 2;
  uint8_t out[64];
  const TwccBuildResult r = buildTwccFeedback(out, sizeof(out), params, arrivals);
  EXPECT_EQ(r.packetCount, 14u);
  EXPECT_EQ(Bytes(out, out + r.size), Bytes(std::begin(kTwccOneBit), std::end(kTwccOneBit)));
}

TEST(RtcpTwcc, BuildsTheTwoBitVectorAndRunLengthLayoutByteForByte) {
  const int64_t arrivals[] = {65000, NR, 67000, 66000, NR, NR, NR, NR, NR, NR};
  TwccFeedbackParams params;
  params.senderSsrc = 1;
  params.mediaSsrc = 2;
  params.baseSeq = 100;
  params.referenceTime = 1;
  params.feedbackCount = 5;
  uint8_t out[64];
  const TwccBuildResult r = buildTwccFeedback(out, sizeof(out), params, arrivals);
  ASSERT_EQ(r.packetCount, 10u);
  ASSERT_EQ(r.size, 28u);
  EXPECT_EQ(Bytes(out, out + r.size), Bytes(std::begin(kTwccTwoBit), std::end(kTwccTwoBit)));
  TwccFeedbackView a;
  TwccFeedbackView b;
  ASSERT_EQ(a.parse(util::ConstBytes(out, r.size)), RtcpError::kNone);
  ASSERT_EQ(b.parse(kTwccTwoBit), RtcpError::kNone);
  const auto pa = expand(a);
  const auto pb = expand(b);
  ASSERT_EQ(pa.size(), pb.size());
  for (size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].received, pb[i].received);
    EXPECT_EQ(pa[i].arrivalUs, pb[i].arrivalUs);
  }
}

TEST(RtcpTwcc, UsesRunLengthForLongRunsAndNegativeReferenceTime) {
  // 8191 + 100 received packets 1 ms apart: needs two run-length chunks.
  std::vector<int64_t> arrivals;
  for (int i = 0; i < 8291; ++i) arrivals.push_back(-64000 + i * 1000);
  TwccFeedbackParams params;
  params.referenceTime = -1;
  std::vector<uint8_t> out(20000);
  const TwccBuildResult r = buildTwccFeedback(out.data(), out.size(), params, arrivals);
  ASSERT_EQ(r.packetCount, arrivals.size());
  EXPECT_EQ(util::loadBe16(&out[20]), 0x2000 | 8191);  // run of small deltas
  EXPECT_EQ(util::loadBe16(&out[22]), 0x2000 | 100);
  EXPECT_EQ(util::loadBe24(&out[16]), 0xffffffu);
  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(util::ConstBytes(out.data(), r.size)), RtcpError::kNone);
  EXPECT_EQ(fb.referenceTime(), -1);
  const auto p = expand(fb);
  ASSERT_EQ(p.size(), arrivals.size());
  for (size_t i = 0; i < p.size(); ++i) ASSERT_EQ(p[i].arrivalUs, arrivals[i]) << i;
}

TEST(RtcpTwcc, StopsBeforeADeltaBeyond16Bits) {
  // 8.25 s between the second and third packet: more than 32767 ticks.
  const int64_t arrivals[] = {1000, 2000, 2000 + 8'250'000, 2000 + 8'251'000};
  TwccFeedbackParams params;
  uint8_t out[64];
  const TwccBuildResult r = buildTwccFeedback(out, sizeof(out), params, arrivals);
  EXPECT_EQ(r.packetCount, 2u);
  // A negative delta of -8 s fits (-32000 ticks).
  const int64_t backwards[] = {8'100'000, 100'000};
  params.referenceTime = 8'100'000 / 64000;
  const TwccBuildResult b = buildTwccFeedback(out, sizeof(out), params, backwards);
  EXPECT_EQ(b.packetCount, 2u);
  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(util::ConstBytes(out, b.size)), RtcpError::kNone);
  const auto p = expand(fb);
  EXPECT_EQ(p[1].arrivalUs, 100'000);
  EXPECT_EQ(p[1].deltaTicks, -32000);
}

TEST(RtcpTwcc, ReportsWhatFitsInTheBuffer) {
  std::vector<int64_t> arrivals;
  for (int i = 0; i < 100; ++i) arrivals.push_back(i * 300'000 % 7'000'000);  // large deltas
  TwccFeedbackParams params;
  uint8_t out[64];
  const TwccBuildResult r = buildTwccFeedback(out, sizeof(out), params, arrivals);
  ASSERT_GT(r.packetCount, 0u);
  ASSERT_LT(r.packetCount, 100u);
  ASSERT_LE(r.size, 64u);
  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(util::ConstBytes(out, r.size)), RtcpError::kNone);
  EXPECT_EQ(fb.packetStatusCount(), r.packetCount);
  EXPECT_EQ(buildTwccFeedback(out, 20, params, arrivals).size, 0u);
}

TEST(RtcpTwcc, RejectsReservedSymbolMissingChunksAndMissingDeltas) {
  TwccFeedbackView fb;
  Bytes d(std::begin(kTwccTwoBit), std::end(kTwccTwoBit));
  d[22] = 0x60;  // run-length chunk with the reserved symbol 11
  EXPECT_EQ(fb.parse(d), RtcpError::kBadTwccChunk);
  // More packets than the chunks cover (the packet ends after them).
  d = Bytes(std::begin(kTwccTwoBit), std::begin(kTwccTwoBit) + 24);
  d[3] = 5;
  d[15] = 200;
  EXPECT_EQ(fb.parse(d), RtcpError::kBadTwccChunk);
  // Drop the large delta: the packet now ends early.
  d = Bytes(std::begin(kTwccTwoBit), std::begin(kTwccTwoBit) + 24);
  d[3] = 5;
  EXPECT_EQ(fb.parse(d), RtcpError::kMissingTwccDeltas);
  EXPECT_FALSE(fb.valid());
  d = Bytes(std::begin(kTwccTwoBit), std::begin(kTwccTwoBit) + 16);
  d[3] = 3;
  EXPECT_EQ(fb.parse(d), RtcpError::kTooShort);
}

}  // namespace
}  // namespace treff::rtp
