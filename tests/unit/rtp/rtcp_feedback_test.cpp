// NACK, PLI, FIR, REMB, SDES and BYE against byte layouts written out from the RFC text. These
// did not occur in the capture (see rtcp_capture_test.cpp for the packets that did).
#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtcp_sdes.hpp"

namespace treff::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

// RFC 4585 §6.1 header (V=2, P=0, FMT=1, PT=205 RTPFB, length 3), sender 0x01020304, media
// 0x0a0b0c0d, then §6.2.1 FCI: PID 100 and BLP 0x0005 (bits 0 and 2: packets 101 and 103).
const uint8_t kRfcNack[] = {0x81, 0xcd, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04,
                            0x0a, 0x0b, 0x0c, 0x0d, 0x00, 0x64, 0x00, 0x05};

TEST(RtcpNack, ParsesRfc4585LayoutAndExpandsLostPackets) {
  NackView nack;
  ASSERT_EQ(nack.parse(kRfcNack), RtcpError::kNone);
  EXPECT_EQ(nack.senderSsrc(), 0x01020304u);
  EXPECT_EQ(nack.mediaSsrc(), 0x0a0b0c0du);
  ASSERT_EQ(nack.itemCount(), 1u);
  EXPECT_EQ(nack.item(0).pid, 100);
  EXPECT_EQ(nack.item(0).blp, 0x0005);
  uint16_t lost[17];
  ASSERT_EQ(nack.lostSequenceNumbers(lost), 3u);
  EXPECT_EQ(lost[0], 100);
  EXPECT_EQ(lost[1], 101);
  EXPECT_EQ(lost[2], 103);
}

TEST(RtcpNack, BuildsTheRfc4585Layout) {
  const uint16_t missing[] = {100, 101, 103};
  uint8_t out[64];
  const size_t n = buildNack(out, sizeof(out), 0x01020304, 0x0a0b0c0d, missing);
  EXPECT_EQ(Bytes(out, out + n), Bytes(std::begin(kRfcNack), std::end(kRfcNack)));
}

TEST(RtcpNack, BuildsAcrossTheSequenceWrapAndStartsNewItemsBeyond16) {
  const uint16_t missing[] = {65534, 65535, 0, 15, 16, 40};
  uint8_t out[64];
  const size_t n = buildNack(out, sizeof(out), 1, 2, missing);
  ASSERT_EQ(n, 12u + 3 * 4);
  const Bytes fci(out + 12, out + n);
  // PID 65534: +1 (65535), +2 (0), +17 is 15: too far. PID 15: +1 (16). PID 40.
  EXPECT_EQ(fci, (Bytes{0xff, 0xfe, 0x00, 0x03, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x28, 0x00, 0x00}));
  NackView nack;
  ASSERT_EQ(nack.parse(util::ConstBytes(out, n)), RtcpError::kNone);
  uint16_t lost[64];
  ASSERT_EQ(nack.lostSequenceNumbers(lost), 6u);
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(lost[i], missing[i]);
}

TEST(RtcpNack, ReportsTheFullCountWhenTheOutputIsSmall) {
  NackView nack;
  ASSERT_EQ(nack.parse(kRfcNack), RtcpError::kNone);
  uint16_t lost[1];
  EXPECT_EQ(nack.lostSequenceNumbers(lost), 3u);
  EXPECT_EQ(lost[0], 100);
}

TEST(RtcpNack, RejectsNackWithoutFciAndBuildsNothingWhenFull) {
  const uint8_t empty[] = {0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
  NackView nack;
  EXPECT_EQ(nack.parse(empty), RtcpError::kTooShort);
  const uint16_t missing[] = {1, 100};
  uint8_t out[64];
  EXPECT_EQ(buildNack(out, 16, 1, 2, missing), 0u);  // needs 20
  EXPECT_EQ(buildNack(out, 20, 1, 2, missing), 20u);
  EXPECT_EQ(buildNack(out, 64, 1, 2, {}), 0u);
}

TEST(RtcpNack, RewritesMediaSsrcInPlace) {
  Bytes d(std::begin(kRfcNack), std::end(kRfcNack));
  NackView nack;
  ASSERT_EQ(nack.parseWritable(d), RtcpError::kNone);
  EXPECT_TRUE(nack.setMediaSsrc(0xdeadbeef));
  EXPECT_EQ(Bytes(d.begin() + 8, d.begin() + 12), (Bytes{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(nack.item(0).pid, 100);
}

// RFC 4585 §6.3.1: PLI is PSFB (206) FMT 1 with no FCI, length 2.
const uint8_t kRfcPli[] = {0x81, 0xce, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x0a, 0x0b, 0x0c, 0x0d};

TEST(RtcpPli, ParsesBuildsAndRewritesTheRfc4585Layout) {
  PliView pli;
  ASSERT_EQ(pli.parse(kRfcPli), RtcpError::kNone);
  EXPECT_EQ(pli.senderSsrc(), 0x01020304u);
  EXPECT_EQ(pli.mediaSsrc(), 0x0a0b0c0du);
  uint8_t out[12];
  ASSERT_EQ(buildPli(out, sizeof(out), 0x01020304, 0x0a0b0c0d), 12u);
  EXPECT_EQ(Bytes(out, out + 12), Bytes(std::begin(kRfcPli), std::end(kRfcPli)));
  EXPECT_EQ(buildPli(out, 11, 1, 2), 0u);

  Bytes d(std::begin(kRfcPli), std::end(kRfcPli));
  ASSERT_EQ(pli.parseWritable(d), RtcpError::kNone);
  EXPECT_TRUE(pli.setMediaSsrc(0x11223344));
  EXPECT_EQ(d[8], 0x11);
  EXPECT_EQ(d[11], 0x44);
}

// RFC 5104 §4.3.1: FIR is PSFB FMT 4, media source SSRC 0, FCI entries of the target SSRC,
// an 8-bit command sequence number and 24 reserved bits.
const uint8_t kRfcFir[] = {0x84, 0xce, 0x00, 0x06, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00,
                           0x00, 0x00, 0x0a, 0x0b, 0x0c, 0x0d, 0x2a, 0x00, 0x00, 0x00,
                           0x0e, 0x0f, 0x10, 0x11, 0x2b, 0x00, 0x00, 0x00};

TEST(RtcpFir, ParsesBuildsAndRewritesTheRfc5104Layout) {
  FirView fir;
  ASSERT_EQ(fir.parse(kRfcFir), RtcpError::kNone);
  EXPECT_EQ(fir.senderSsrc(), 0x01020304u);
  EXPECT_EQ(fir.mediaSsrc(), 0u);
  ASSERT_EQ(fir.entryCount(), 2u);
  EXPECT_EQ(fir.entry(0).ssrc, 0x0a0b0c0du);
  EXPECT_EQ(fir.entry(0).seqNr, 0x2a);
  EXPECT_EQ(fir.entry(1).ssrc, 0x0e0f1011u);
  EXPECT_EQ(fir.entry(1).seqNr, 0x2b);

  const FirEntry entries[] = {{0x0a0b0c0d, 0x2a}, {0x0e0f1011, 0x2b}};
  uint8_t out[64];
  const size_t n = buildFir(out, sizeof(out), 0x01020304, entries);
  EXPECT_EQ(Bytes(out, out + n), Bytes(std::begin(kRfcFir), std::end(kRfcFir)));
  EXPECT_EQ(buildFir(out, n - 1, 0x01020304, entries), 0u);

  Bytes d(std::begin(kRfcFir), std::end(kRfcFir));
  ASSERT_EQ(fir.parseWritable(d), RtcpError::kNone);
  EXPECT_TRUE(fir.setEntrySsrc(1, 0x55667788));
  EXPECT_FALSE(fir.setEntrySsrc(2, 1));
  EXPECT_EQ(Bytes(d.begin() + 20, d.begin() + 24), (Bytes{0x55, 0x66, 0x77, 0x88}));
  EXPECT_EQ(fir.entry(1).seqNr, 0x2b);
}

TEST(RtcpFir, RejectsFirWithoutEntries) {
  const uint8_t empty[] = {0x84, 0xce, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 0};
  FirView fir;
  EXPECT_EQ(fir.parse(empty), RtcpError::kTooShort);
}

// draft-alvestrand-rmcat-remb-03 §2.2: PSFB FMT 15, media SSRC 0, "REMB", Num SSRC, 6-bit
// exponent and 18-bit mantissa, SSRC list. Exp 5, mantissa 125000: 4,000,000 bps, one SSRC.
const uint8_t kDraftRemb[] = {0x8f, 0xce, 0x00, 0x05, 0x01, 0x02, 0x03, 0x04,
                              0x00, 0x00, 0x00, 0x00, 0x52, 0x45, 0x4d, 0x42,
                              0x01, 0x15, 0xe8, 0x48, 0x0a, 0x0b, 0x0c, 0x0d};

TEST(RtcpRemb, ParsesTheDraftLayout) {
  RembView remb;
  ASSERT_EQ(remb.parse(kDraftRemb), RtcpError::kNone);
  EXPECT_EQ(remb.senderSsrc(), 0x01020304u);
  EXPECT_EQ(remb.bitrateBps(), 4'000'000u);
  ASSERT_EQ(remb.ssrcCount(), 1u);
  EXPECT_EQ(remb.ssrc(0), 0x0a0b0c0du);
}

TEST(RtcpRemb, BuildsWithTheSmallestExponent) {
  const uint32_t ssrcs[] = {0x0a0b0c0d};
  uint8_t out[64];
  const size_t n = buildRemb(out, sizeof(out), 0x01020304, 4'000'000, ssrcs);
  ASSERT_EQ(n, 24u);
  // Same header and SSRCs as the draft layout; 4,000,000 = 250000 * 2^4: exp 4 (0x13d090).
  EXPECT_EQ(Bytes(out, out + 17), Bytes(kDraftRemb, kDraftRemb + 17));
  EXPECT_EQ(Bytes(out + 17, out + 20), (Bytes{0x13, 0xd0, 0x90}));
  EXPECT_EQ(Bytes(out + 20, out + 24), Bytes(kDraftRemb + 20, kDraftRemb + 24));
  RembView remb;
  ASSERT_EQ(remb.parse(util::ConstBytes(out, n)), RtcpError::kNone);
  EXPECT_EQ(remb.bitrateBps(), 4'000'000u);
  // Bitrates that need rounding lose only bits below the mantissa.
  ASSERT_GT(buildRemb(out, sizeof(out), 1, 1'000'000'007, {}), 0u);
  ASSERT_EQ(remb.parse(util::ConstBytes(out, 20)), RtcpError::kNone);
  EXPECT_LE(remb.bitrateBps(), 1'000'000'007u);
  EXPECT_GT(remb.bitrateBps(), 1'000'000'007u - (1u << 12));
}

TEST(RtcpRemb, RejectsOtherAfbAndSsrcCountBeyondLength) {
  Bytes other(std::begin(kDraftRemb), std::end(kDraftRemb));
  other[15] = 'X';
  RembView remb;
  EXPECT_EQ(remb.parse(other), RtcpError::kNotRemb);
  Bytes tooMany(std::begin(kDraftRemb), std::end(kDraftRemb));
  tooMany[16] = 2;
  EXPECT_EQ(remb.parse(tooMany), RtcpError::kBadCount);
}

// RFC 3550 §6.5: SDES (PT 202) with one chunk: SSRC, CNAME item (type 1, length 2, "ab"), then
// a null octet and padding to the 32-bit boundary.
const uint8_t kRfcSdes[] = {0x81, 0xca, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04,
                            0x01, 0x02, 0x61, 0x62, 0x00, 0x00, 0x00, 0x00};

TEST(RtcpSdes, ParsesAndBuildsTheRfc3550Layout) {
  SdesView sdes;
  ASSERT_EQ(sdes.parse(kRfcSdes), RtcpError::kNone);
  EXPECT_EQ(sdes.cname(0x01020304), "ab");
  EXPECT_EQ(sdes.cname(0x01020305), "");
  const SdesChunk chunk{0x01020304, "ab"};
  uint8_t out[64];
  const size_t n = buildSdes(out, sizeof(out), std::span(&chunk, 1));
  EXPECT_EQ(Bytes(out, out + n), Bytes(std::begin(kRfcSdes), std::end(kRfcSdes)));
  EXPECT_EQ(buildSdes(out, n - 1, std::span(&chunk, 1)), 0u);
}

TEST(RtcpSdes, IteratesItemsOfSeveralChunks) {
  // Chunk 1: CNAME "x", NAME "yz", end (10 bytes of items: pad to 12). Chunk 2: CNAME "w".
  const uint8_t d[] = {0x82, 0xca, 0x00, 0x05, 0, 0, 0, 1, 0x01, 0x01, 'x', 0x02,
                       0x02, 'y',  'z',  0x00, 0, 0, 0, 2, 0x01, 0x01, 'w', 0x00};
  SdesView sdes;
  ASSERT_EQ(sdes.parse(d), RtcpError::kNone);
  auto it = sdes.items();
  SdesItem item;
  ASSERT_TRUE(it.next(item));
  EXPECT_EQ(item.ssrc, 1u);
  EXPECT_EQ(item.text, "x");
  ASSERT_TRUE(it.next(item));
  EXPECT_EQ(item.type, static_cast<uint8_t>(SdesItemType::kName));
  EXPECT_EQ(item.text, "yz");
  ASSERT_TRUE(it.next(item));
  EXPECT_EQ(item.ssrc, 2u);
  EXPECT_EQ(item.text, "w");
  EXPECT_FALSE(it.next(item));
}

TEST(RtcpSdes, RejectsItemsRunningPastThePacketAndMissingEnd) {
  Bytes d(std::begin(kRfcSdes), std::end(kRfcSdes));
  d[9] = 9;  // item length past the end
  SdesView sdes;
  EXPECT_EQ(sdes.parse(d), RtcpError::kBadSdesItem);
  // No null octet before the end.
  const uint8_t noEnd[] = {0x81, 0xca, 0x00, 0x02, 0, 0, 0, 1, 0x01, 0x02, 'a', 'b'};
  EXPECT_EQ(sdes.parse(noEnd), RtcpError::kBadSdesItem);
  // Count says two chunks, there is one.
  d = Bytes(std::begin(kRfcSdes), std::end(kRfcSdes));
  d[0] = 0x82;
  EXPECT_EQ(sdes.parse(d), RtcpError::kBadSdesItem);
}

// RFC 3550 §6.6: BYE (PT 203) with SC=1 and a reason: length octet 3, "bye".
const uint8_t kRfcBye[] = {0x81, 0xcb, 0x00, 0x02, 0x01, 0x02, 0x03, 0x04, 0x03, 'b', 'y', 'e'};

TEST(RtcpBye, ParsesAndBuildsTheRfc3550Layout) {
  ByeView bye;
  ASSERT_EQ(bye.parse(kRfcBye), RtcpError::kNone);
  ASSERT_EQ(bye.ssrcCount(), 1u);
  EXPECT_EQ(bye.ssrc(0), 0x01020304u);
  EXPECT_EQ(bye.reason(), "bye");
  const uint32_t ssrcs[] = {0x01020304};
  uint8_t out[64];
  const size_t n = buildBye(out, sizeof(out), ssrcs, "bye");
  EXPECT_EQ(Bytes(out, out + n), Bytes(std::begin(kRfcBye), std::end(kRfcBye)));
  // Without a reason: just the SSRCs.
  const uint32_t two[] = {1, 2};
  ASSERT_EQ(buildBye(out, sizeof(out), two), 12u);
  ASSERT_EQ(bye.parse(util::ConstBytes(out, 12)), RtcpError::kNone);
  EXPECT_EQ(bye.ssrc(1), 2u);
  EXPECT_EQ(bye.reason(), "");
}

TEST(RtcpBye, RejectsReasonOrSsrcsPastThePacket) {
  Bytes d(std::begin(kRfcBye), std::end(kRfcBye));
  d[8] = 4;
  ByeView bye;
  EXPECT_EQ(bye.parse(d), RtcpError::kBadReason);
  d = Bytes(std::begin(kRfcBye), std::end(kRfcBye));
  d[0] = 0x83;  // three SSRCs in 8 bytes
  EXPECT_EQ(bye.parse(d), RtcpError::kBadCount);
}

}  // namespace
}  // namespace treff::rtp
