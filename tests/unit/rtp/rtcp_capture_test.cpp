// RTCP parsing on the real Chromium loopback capture
// (tests/data/chromium-loopback-unencrypted.pcap, see tests/data/README.md):
// every RTCP datagram, checked against the packet counts, the SDP and the RTP packets of the other
// direction.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pcap_reader.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_twcc.hpp"
#include "rtp/rtcp_xr.hpp"

namespace treff::rtp {
namespace {

const std::string kDataDir = TREFF_TEST_DATA;

struct Capture {
  std::vector<test::UdpDatagram> rtcp;
  std::vector<test::UdpDatagram> rtp;
};

const Capture& capture() {
  static const Capture c = [] {
    Capture out;
    for (auto& d : test::readPcapUdp(kDataDir + "/chromium-loopback-unencrypted.pcap")) {
      if (d.payload.empty() || d.payload[0] < 128 || d.payload[0] > 191) continue;  // RFC 7983
      if (looksLikeRtcp(d.payload)) {
        out.rtcp.push_back(std::move(d));
      } else if (d.payload.size() >= 12) {
        out.rtp.push_back(std::move(d));
      }
    }
    return out;
  }();
  return c;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The value of "a=ssrc:<n> cname:<value>" in an SDP.
std::string sdpCname(const std::string& sdp) {
  const size_t at = sdp.find(" cname:");
  if (at == std::string::npos) return {};
  const size_t start = at + 7;
  return sdp.substr(start, sdp.find_first_of("\r\n", start) - start);
}

// The id of the transport-wide-cc extmap in an SDP.
int sdpTransportCcId(const std::string& sdp) {
  const size_t at = sdp.find("draft-holmer-rmcat-transport-wide-cc-extensions-01");
  if (at == std::string::npos) return -1;
  const size_t line = sdp.rfind("a=extmap:", at);
  return std::stoi(sdp.substr(line + 9));
}

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

// Reads one header extension of an RTP packet by hand (RFC 8285, one- and two-byte forms).
bool rtpExtension(const std::vector<uint8_t>& p, int id, std::vector<uint8_t>& value) {
  if ((p[0] & 0x10) == 0) return false;
  size_t pos = 12 + 4 * size_t{p[0] & 0x0fu};
  if (pos + 4 > p.size()) return false;
  const uint16_t profile = be16(&p[pos]);
  const size_t end = pos + 4 + 4 * size_t{be16(&p[pos + 2])};
  if (end > p.size()) return false;
  pos += 4;
  while (pos < end) {
    if (p[pos] == 0) {
      ++pos;
      continue;
    }
    int elementId = 0;
    size_t length = 0;
    if (profile == 0xbede) {
      elementId = p[pos] >> 4;
      length = (p[pos] & 0x0f) + 1u;
      if (elementId == 15) return false;
      pos += 1;
    } else if ((profile & 0xfff0) == 0x1000) {
      if (pos + 2 > end) return false;
      elementId = p[pos];
      length = p[pos + 1];
      pos += 2;
    } else {
      return false;
    }
    if (pos + length > end) return false;
    if (elementId == id) {
      value.assign(p.begin() + static_cast<long>(pos), p.begin() + static_cast<long>(pos + length));
      return true;
    }
    pos += length;
  }
  return false;
}

TEST(RtcpCapture, IteratesEveryCompoundAndCountsPacketTypes) {
  ASSERT_FALSE(capture().rtcp.empty());
  std::map<int, int> byType;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    size_t covered = 0;
    while (compound.next(packet)) {
      ++byType[packet.packetType];
      covered = packet.offset + packet.wireSize();
    }
    ASSERT_EQ(compound.error(), RtcpError::kNone) << toString(compound.error());
    EXPECT_EQ(covered, d.payload.size());
  }
  EXPECT_EQ(byType[200], 10);
  EXPECT_EQ(byType[201], 10);
  EXPECT_EQ(byType[202], 10);
  EXPECT_EQ(byType[205], 128);
  EXPECT_EQ(byType[207], 32);
  EXPECT_EQ(byType.size(), 5u);
}

TEST(RtcpCapture, SenderReportsHaveIncreasingNtpAndRtpTimesPerSsrc) {
  std::map<uint32_t, std::vector<SenderInfo>> bySsrc;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType != 200) continue;
      SenderReportView sr;
      ASSERT_EQ(sr.parse(packet.bytes), RtcpError::kNone);
      bySsrc[sr.senderSsrc()].push_back(sr.senderInfo());
    }
  }
  ASSERT_EQ(bySsrc.size(), 2u);  // audio and video
  for (const auto& [ssrc, infos] : bySsrc) {
    ASSERT_GE(infos.size(), 2u);
    for (size_t i = 1; i < infos.size(); ++i) {
      EXPECT_GT(infos[i].ntpTimestamp, infos[i - 1].ntpTimestamp) << ssrc;
      EXPECT_GE(infos[i].packetCount, infos[i - 1].packetCount) << ssrc;
      EXPECT_GE(infos[i].octetCount, infos[i - 1].octetCount) << ssrc;
      // The capture lasts 8 s, so consecutive reports are less than 8 s apart (NTP seconds).
      EXPECT_LT((infos[i].ntpTimestamp - infos[i - 1].ntpTimestamp) >> 32, 8u) << ssrc;
    }
    // NTP seconds since 1900 of a 2026 capture.
    EXPECT_GT(infos[0].ntpTimestamp >> 32, 3'900'000'000u);
  }
}

TEST(RtcpCapture, ReceiverReportsCarryBlocksForTheSenderSsrcs) {
  std::set<uint32_t> senders;
  std::set<uint32_t> reported;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType == 200) {
        SenderReportView sr;
        ASSERT_EQ(sr.parse(packet.bytes), RtcpError::kNone);
        senders.insert(sr.senderSsrc());
      }
      if (packet.packetType != 201) continue;
      ReceiverReportView rr;
      ASSERT_EQ(rr.parse(packet.bytes), RtcpError::kNone);
      for (size_t i = 0; i < rr.reportBlockCount(); ++i) {
        const ReportBlockData block = rr.reportBlock(i);
        reported.insert(block.ssrc);
        EXPECT_EQ(block.cumulativeLost, 0);  // loopback: no loss
      }
    }
  }
  for (uint32_t ssrc : senders) EXPECT_TRUE(reported.count(ssrc)) << ssrc;
}

TEST(RtcpCapture, SdesCnameOfAudioSsrcMatchesTheOfferSdp) {
  const std::string sdp = readFile(kDataDir + "/chromium-offer-simulcast-unencrypted.sdp");
  const std::string cname = sdpCname(sdp);
  ASSERT_EQ(cname, "kh5RT8NvkDBu6l6j");
  const uint32_t audioSsrc = 425219805;  // a=ssrc in the offer's audio section
  int withCname = 0;
  int sdesPackets = 0;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType != 202) continue;
      ++sdesPackets;
      SdesView sdes;
      ASSERT_EQ(sdes.parse(packet.bytes), RtcpError::kNone);
      ASSERT_EQ(sdes.chunkCount(), 1u);
      auto items = sdes.items();
      SdesItem item;
      ASSERT_TRUE(items.next(item));
      EXPECT_EQ(item.type, static_cast<uint8_t>(SdesItemType::kCname));
      // Chromium sends the SDP's CNAME for the audio SSRC and an empty one for the video SSRC.
      if (!item.text.empty()) {
        EXPECT_EQ(item.text, cname);
        EXPECT_EQ(item.ssrc, audioSsrc);
        EXPECT_EQ(sdes.cname(audioSsrc), cname);
        ++withCname;
      }
      EXPECT_FALSE(items.next(item));
    }
  }
  EXPECT_EQ(sdesPackets, 10);
  EXPECT_EQ(withCname, 2);
}

TEST(RtcpCapture, XrBlocksAreRrtrFromTheReceiverAndDlrrFromTheSender) {
  int rrtr = 0;
  int dlrr = 0;
  std::set<uint32_t> rrtrMiddle;  // middle 32 bits of every RRTR NTP time
  std::vector<uint32_t> dlrrLastRr;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType != 207) continue;
      XrView xr;
      ASSERT_EQ(xr.parse(packet.bytes), RtcpError::kNone);
      auto blocks = xr.blocks();
      XrBlock block;
      while (blocks.next(block)) {
        uint64_t ntp = 0;
        if (readRrtr(block, ntp)) {
          ++rrtr;
          EXPECT_EQ(d.srcPort, 54904);  // the receiving browser
          rrtrMiddle.insert(static_cast<uint32_t>(ntp >> 16));
        } else if (block.type == 5) {
          ++dlrr;
          EXPECT_EQ(d.srcPort, 33684);  // the sending browser answers with DLRR
          ASSERT_GE(dlrrItemCount(block), 1u);
          for (size_t i = 0; i < dlrrItemCount(block); ++i) {
            dlrrLastRr.push_back(dlrrItem(block, i).lastRr);
          }
        }
      }
    }
  }
  EXPECT_GT(rrtr, 0);
  EXPECT_GT(dlrr, 0);
  EXPECT_EQ(rrtr + dlrr, 32);
  // RFC 3611 §4.5: LRR echoes the middle 32 bits of an RRTR the sender received.
  for (uint32_t lastRr : dlrrLastRr) EXPECT_TRUE(rrtrMiddle.count(lastRr)) << lastRr;
}

TEST(RtcpCapture, TwccFeedbacksAreContiguousAndMatchTheRtpOfTheOtherDirection) {
  const std::string sdp = readFile(kDataDir + "/chromium-offer-simulcast-unencrypted.sdp");
  const int extId = sdpTransportCcId(sdp);
  ASSERT_EQ(extId, 3);

  // Transport-wide sequence numbers of the RTP packets sent by 33684, with capture times.
  std::map<uint16_t, uint64_t> sent;
  for (const auto& d : capture().rtp) {
    std::vector<uint8_t> value;
    if (d.srcPort == 33684 && rtpExtension(d.payload, extId, value)) {
      ASSERT_EQ(value.size(), 2u);
      sent.emplace(be16(value.data()), d.timestampUs);
    }
  }
  ASSERT_GT(sent.size(), 500u);

  std::set<uint16_t> reported;
  int feedbacks = 0;
  int expectedBase = -1;
  int expectedCount = -1;
  int64_t firstArrival = 0;
  uint64_t firstCapture = 0;
  size_t timesCompared = 0;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType != 205) continue;
      EXPECT_EQ(d.srcPort, 54904);
      TwccFeedbackView fb;
      ASSERT_EQ(fb.parse(packet.bytes), RtcpError::kNone);
      ++feedbacks;
      if (expectedBase >= 0) {
        EXPECT_EQ(fb.baseSeq(), expectedBase);
        EXPECT_EQ(fb.feedbackCount(), expectedCount);
      }
      expectedBase = static_cast<uint16_t>(fb.baseSeq() + fb.packetStatusCount());
      expectedCount = static_cast<uint8_t>(fb.feedbackCount() + 1);

      auto it = fb.packets();
      TwccPacketStatus status;
      size_t n = 0;
      size_t received = 0;
      while (it.next(status)) {
        EXPECT_EQ(status.seq, static_cast<uint16_t>(fb.baseSeq() + n));
        ++n;
        if (!status.received) continue;
        ++received;
        reported.insert(status.seq);
        // Arrival times follow the capture clock (both on one machine) to within 5 ms.
        auto sentAt = sent.find(status.seq);
        ASSERT_NE(sentAt, sent.end()) << status.seq;
        if (timesCompared++ == 0) {
          firstArrival = status.arrivalUs;
          firstCapture = sentAt->second;
        } else {
          const int64_t byFeedback = status.arrivalUs - firstArrival;
          const int64_t byCapture = static_cast<int64_t>(sentAt->second - firstCapture);
          EXPECT_NEAR(byFeedback, byCapture, 5000) << status.seq;
        }
      }
      EXPECT_EQ(n, fb.packetStatusCount());
      EXPECT_EQ(received, fb.receivedCount());
    }
  }
  EXPECT_EQ(feedbacks, 128);
  // Every reported packet was sent; every sent packet was reported, except those sent after
  // the last feedback went out (the capture ends first).
  const uint16_t lastReported = *reported.rbegin();
  for (const auto& [seq, at] : sent) {
    if (seq <= lastReported) {
      EXPECT_TRUE(reported.count(seq)) << seq;
    }
  }
  EXPECT_GT(reported.size(), sent.size() - 20);
}

// Fixed vectors copied from the capture.

// The first transport-wide feedback: padded (P bit, 2 octets), one run-length chunk of 16
// packets with small deltas.
const uint8_t kCapturedTwcc[] = {0xaf, 0xcd, 0x00, 0x09, 0xfa, 0x17, 0xfa, 0x17, 0x19, 0x58,
                                 0x56, 0xdd, 0x00, 0x01, 0x00, 0x10, 0x00, 0x5e, 0xe2, 0x00,
                                 0x20, 0x10, 0x7b, 0x2c, 0x08, 0x1b, 0x15, 0x03, 0x0a, 0x1a,
                                 0x00, 0x0d, 0x08, 0x09, 0x00, 0x0c, 0x11, 0x2c, 0x00, 0x02};

TEST(RtcpCapture, FixedVector_TwccRunLengthChunkWithPadding) {
  RtcpCompound compound(kCapturedTwcc);
  RtcpPacket packet;
  ASSERT_TRUE(compound.next(packet));
  EXPECT_TRUE(packet.padding);
  EXPECT_EQ(packet.count, rtpfb::kTransportCc);
  EXPECT_EQ(packet.bytes.size(), 40u);
  EXPECT_EQ(packet.paddingSize, 2u);
  EXPECT_EQ(packet.body().size(), 34u);
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kNone);

  TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(kCapturedTwcc), RtcpError::kNone);
  EXPECT_EQ(fb.senderSsrc(), 0xfa17fa17u);
  EXPECT_EQ(fb.mediaSsrc(), 425219805u);
  EXPECT_EQ(fb.baseSeq(), 1);
  EXPECT_EQ(fb.packetStatusCount(), 16);
  EXPECT_EQ(fb.referenceTime(), 0x5ee2);
  EXPECT_EQ(fb.feedbackCount(), 0);
  EXPECT_EQ(fb.receivedCount(), 16u);
  const int32_t deltas[] = {0x7b, 0x2c, 0x08, 0x1b, 0x15, 0x03, 0x0a, 0x1a,
                            0x00, 0x0d, 0x08, 0x09, 0x00, 0x0c, 0x11, 0x2c};
  auto it = fb.packets();
  TwccPacketStatus status;
  int64_t time = int64_t{0x5ee2} * 64000;
  for (int i = 0; i < 16; ++i) {
    ASSERT_TRUE(it.next(status));
    EXPECT_EQ(status.seq, 1 + i);
    EXPECT_TRUE(status.received);
    EXPECT_EQ(status.deltaTicks, deltas[i]);
    time += deltas[i] * 250;
    EXPECT_EQ(status.arrivalUs, time);
  }
  EXPECT_FALSE(it.next(status));
}

// An audio sender report with SDES (the SDP's CNAME) and an XR DLRR block.
const uint8_t kCapturedSrSdesXr[] = {
    0x80, 0xc8, 0x00, 0x06, 0x19, 0x58, 0x56, 0xdd, 0xee, 0xb3, 0x66, 0x6b, 0xd4, 0x94, 0x81, 0x2b,
    0xa7, 0x2c, 0x74, 0xd7, 0x00, 0x00, 0x00, 0x7b, 0x00, 0x00, 0x17, 0x9e, 0x81, 0xca, 0x00, 0x06,
    0x19, 0x58, 0x56, 0xdd, 0x01, 0x10, 0x6b, 0x68, 0x35, 0x52, 0x54, 0x38, 0x4e, 0x76, 0x6b, 0x44,
    0x42, 0x75, 0x36, 0x6c, 0x36, 0x6a, 0x00, 0x00, 0x80, 0xcf, 0x00, 0x05, 0x19, 0x58, 0x56, 0xdd,
    0x05, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x66, 0x6b, 0x40, 0x90, 0x00, 0x00, 0x93, 0xdb};

TEST(RtcpCapture, FixedVector_SenderReportSdesAndDlrr) {
  RtcpCompound compound(kCapturedSrSdesXr);
  RtcpPacket packet;

  ASSERT_TRUE(compound.next(packet));
  SenderReportView sr;
  ASSERT_EQ(sr.parse(packet.bytes), RtcpError::kNone);
  EXPECT_EQ(sr.senderSsrc(), 425219805u);
  EXPECT_EQ(sr.reportBlockCount(), 0u);
  const SenderInfo info = sr.senderInfo();
  EXPECT_EQ(info.ntpTimestamp, 0xeeb3666bd494812bull);
  EXPECT_EQ(info.rtpTimestamp, 0xa72c74d7u);
  EXPECT_EQ(info.packetCount, 123u);
  EXPECT_EQ(info.octetCount, 0x179eu);

  ASSERT_TRUE(compound.next(packet));
  EXPECT_EQ(packet.offset, 28u);
  SdesView sdes;
  ASSERT_EQ(sdes.parse(packet.bytes), RtcpError::kNone);
  EXPECT_EQ(sdes.cname(425219805u), "kh5RT8NvkDBu6l6j");

  ASSERT_TRUE(compound.next(packet));
  XrView xr;
  ASSERT_EQ(xr.parse(packet.bytes), RtcpError::kNone);
  EXPECT_EQ(xr.senderSsrc(), 425219805u);
  auto blocks = xr.blocks();
  XrBlock block;
  ASSERT_TRUE(blocks.next(block));
  ASSERT_EQ(dlrrItemCount(block), 1u);
  const DlrrItem item = dlrrItem(block, 0);
  EXPECT_EQ(item.ssrc, 1u);
  EXPECT_EQ(item.lastRr, 0x666b4090u);
  EXPECT_EQ(item.delaySinceLastRr, 0x93dbu);
  EXPECT_FALSE(blocks.next(block));

  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kNone);
  EXPECT_EQ(compound.packetCount(), 3u);
}

// A receiver report with two blocks followed by an XR RRTR block, as the receiving browser sent.
const uint8_t kCapturedRrXr[] = {
    0x82, 0xc9, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x01, 0xcf, 0x3f, 0x81, 0xd0, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x10, 0xef, 0x00, 0x00, 0x01, 0x7a, 0x66, 0x69, 0xdc, 0x9b, 0x00, 0x00, 0x07, 0xf2,
    0x38, 0x31, 0x14, 0xd1, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x22, 0x00, 0x00, 0x00, 0x3b,
    0x66, 0x69, 0xdc, 0x9b, 0x00, 0x00, 0x07, 0xf2, 0x80, 0xcf, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
    0x04, 0x00, 0x00, 0x02, 0xee, 0xb3, 0x66, 0x69, 0xe4, 0xb3, 0x80, 0xcb};

TEST(RtcpCapture, FixedVector_ReceiverReportAndRrtr) {
  RtcpCompound compound(kCapturedRrXr);
  RtcpPacket packet;
  ASSERT_TRUE(compound.next(packet));
  ReceiverReportView rr;
  ASSERT_EQ(rr.parse(packet.bytes), RtcpError::kNone);
  EXPECT_EQ(rr.senderSsrc(), 1u);
  ASSERT_EQ(rr.reportBlockCount(), 2u);
  const ReportBlockData first = rr.reportBlock(0);
  EXPECT_EQ(first.ssrc, 0xcf3f81d0u);
  EXPECT_EQ(first.fractionLost, 0);
  EXPECT_EQ(first.cumulativeLost, 0);
  EXPECT_EQ(first.extendedHighestSeq, 0x10efu);
  EXPECT_EQ(first.jitter, 0x17au);
  EXPECT_EQ(first.lastSr, 0x6669dc9bu);
  EXPECT_EQ(first.delaySinceLastSr, 0x7f2u);
  EXPECT_EQ(rr.reportBlock(1).ssrc, 942740689u);
  EXPECT_EQ(rr.reportBlock(1).jitter, 0x3bu);

  ASSERT_TRUE(compound.next(packet));
  XrView xr;
  ASSERT_EQ(xr.parse(packet.bytes), RtcpError::kNone);
  EXPECT_EQ(xr.blockCount(), 1u);
  auto blocks = xr.blocks();
  XrBlock block;
  ASSERT_TRUE(blocks.next(block));
  uint64_t ntp = 0;
  ASSERT_TRUE(readRrtr(block, ntp));
  EXPECT_EQ(ntp, 0xeeb36669e4b380cbull);
  EXPECT_FALSE(compound.next(packet));
  EXPECT_EQ(compound.error(), RtcpError::kNone);
}

// The views rewrite the sender SSRC in place, as the SFU does when forwarding reports.
TEST(RtcpCapture, FixedVector_RewritesSenderSsrcInPlace) {
  std::vector<uint8_t> bytes(std::begin(kCapturedRrXr), std::end(kCapturedRrXr));
  ReceiverReportView rr;
  ASSERT_EQ(rr.parseWritable(util::MutableBytes(bytes).first(56)), RtcpError::kNone);
  EXPECT_TRUE(rr.setSenderSsrc(0x11223344));
  EXPECT_EQ(bytes[4], 0x11);
  EXPECT_EQ(bytes[7], 0x44);
  EXPECT_EQ(rr.senderSsrc(), 0x11223344u);
  EXPECT_EQ(rr.reportBlock(0).ssrc, 0xcf3f81d0u);  // nothing else moved

  SenderReportView sr;
  std::vector<uint8_t> srBytes(std::begin(kCapturedSrSdesXr), std::begin(kCapturedSrSdesXr) + 28);
  ASSERT_EQ(sr.parseWritable(srBytes), RtcpError::kNone);
  EXPECT_TRUE(sr.setSenderSsrc(7));
  EXPECT_EQ(sr.senderSsrc(), 7u);
  EXPECT_EQ(sr.senderInfo().packetCount, 123u);

  SenderReportView readOnly;
  ASSERT_EQ(readOnly.parse(kCapturedSrSdesXr), RtcpError::kNone);
  EXPECT_FALSE(readOnly.setSenderSsrc(7));
  EXPECT_EQ(readOnly.senderSsrc(), 425219805u);
}

// Our builders reproduce Chromium's bytes from the parsed fields.
TEST(RtcpCapture, BuildersReproduceCapturedReportsSdesAndXr) {
  using Bytes = std::vector<uint8_t>;
  uint8_t out[128];

  SenderReportView sr;
  ASSERT_EQ(sr.parse(kCapturedSrSdesXr), RtcpError::kNone);
  size_t n = buildSenderReport(out, sizeof(out), sr.senderSsrc(), sr.senderInfo(), {});
  EXPECT_EQ(Bytes(out, out + n), Bytes(kCapturedSrSdesXr, kCapturedSrSdesXr + 28));

  const SdesChunk chunk{425219805u, "kh5RT8NvkDBu6l6j"};
  n = buildSdes(out, sizeof(out), std::span(&chunk, 1));
  EXPECT_EQ(Bytes(out, out + n), Bytes(kCapturedSrSdesXr + 28, kCapturedSrSdesXr + 56));

  const DlrrItem item{1, 0x666b4090u, 0x93dbu};
  n = buildXrDlrr(out, sizeof(out), 425219805u, std::span(&item, 1));
  EXPECT_EQ(Bytes(out, out + n), Bytes(kCapturedSrSdesXr + 56, std::end(kCapturedSrSdesXr)));

  ReceiverReportView rr;
  ASSERT_EQ(rr.parse(kCapturedRrXr), RtcpError::kNone);
  const ReportBlockData blocks[] = {rr.reportBlock(0), rr.reportBlock(1)};
  n = buildReceiverReport(out, sizeof(out), rr.senderSsrc(), blocks);
  EXPECT_EQ(Bytes(out, out + n), Bytes(kCapturedRrXr, kCapturedRrXr + 56));

  n = buildXrRrtr(out, sizeof(out), 1, 0xeeb36669e4b380cbull);
  EXPECT_EQ(Bytes(out, out + n), Bytes(kCapturedRrXr + 56, std::end(kCapturedRrXr)));
}

// Rebuilding every captured feedback from its parsed arrivals gives a packet that parses to the
// same reports; our chunk choice matches Chromium's for these packets byte for byte.
TEST(RtcpCapture, TwccBuilderReproducesEveryCapturedFeedback) {
  int identical = 0;
  int feedbacks = 0;
  for (const auto& d : capture().rtcp) {
    RtcpCompound compound(d.payload);
    RtcpPacket packet;
    while (compound.next(packet)) {
      if (packet.packetType != 205) continue;
      ++feedbacks;
      TwccFeedbackView fb;
      ASSERT_EQ(fb.parse(packet.bytes), RtcpError::kNone);
      std::vector<int64_t> arrivals;
      std::vector<TwccPacketStatus> original;
      auto it = fb.packets();
      TwccPacketStatus s;
      while (it.next(s)) {
        original.push_back(s);
        arrivals.push_back(s.received ? s.arrivalUs : kTwccNotReceived);
      }
      TwccFeedbackParams params;
      params.senderSsrc = fb.senderSsrc();
      params.mediaSsrc = fb.mediaSsrc();
      params.baseSeq = fb.baseSeq();
      params.referenceTime = fb.referenceTime();
      params.feedbackCount = fb.feedbackCount();
      uint8_t out[1500];
      const TwccBuildResult r = buildTwccFeedback(out, sizeof(out), params, arrivals);
      ASSERT_EQ(r.packetCount, original.size());
      TwccFeedbackView rebuilt;
      ASSERT_EQ(rebuilt.parse(util::ConstBytes(out, r.size)), RtcpError::kNone);
      auto again = rebuilt.packets();
      for (const auto& o : original) {
        ASSERT_TRUE(again.next(s));
        EXPECT_EQ(s.seq, o.seq);
        EXPECT_EQ(s.received, o.received);
        if (o.received) {
          EXPECT_EQ(s.arrivalUs, o.arrivalUs);
        }
      }
      if (std::vector<uint8_t>(out, out + r.size) ==
          std::vector<uint8_t>(packet.bytes.begin(), packet.bytes.end())) {
        ++identical;
      }
    }
  }
  EXPECT_EQ(feedbacks, 128);
  EXPECT_EQ(identical, feedbacks);
}

}  // namespace
}  // namespace treff::rtp
