// Fuzzes RTCP: compound iteration, every typed view on every packet, TWCC expansion, and the
// TWCC builder on the expanded arrivals.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/rtcp_bye.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_twcc.hpp"
#include "rtp/rtcp_xr.hpp"

using namespace treff::rtp;

namespace {

volatile uint64_t sink;

void touchReports(const RtcpPacket& p) {
  SenderReportView sr;
  if (sr.parse(p.bytes) == RtcpError::kNone) {
    sink = sr.senderSsrc() + sr.senderInfo().ntpTimestamp;
    for (size_t i = 0; i < sr.reportBlockCount(); ++i) sink = sr.reportBlock(i).jitter;
  }
  ReceiverReportView rr;
  if (rr.parse(p.bytes) == RtcpError::kNone) {
    for (size_t i = 0; i < rr.reportBlockCount(); ++i) sink = rr.reportBlock(i).cumulativeLost;
  }
  SdesView sdes;
  if (sdes.parse(p.bytes) == RtcpError::kNone) {
    auto it = sdes.items();
    SdesItem item;
    while (it.next(item)) sink = item.text.size() + item.ssrc;
  }
  ByeView bye;
  if (bye.parse(p.bytes) == RtcpError::kNone) {
    for (size_t i = 0; i < bye.ssrcCount(); ++i) sink = bye.ssrc(i);
    sink = bye.reason().size();
  }
  XrView xr;
  if (xr.parse(p.bytes) == RtcpError::kNone) {
    auto it = xr.blocks();
    XrBlock block;
    uint64_t ntp = 0;
    while (it.next(block)) {
      if (readRrtr(block, ntp)) sink = ntp;
      for (size_t i = 0; i < dlrrItemCount(block); ++i) sink = dlrrItem(block, i).lastRr;
    }
  }
}

void touchFeedback(const RtcpPacket& p, std::vector<uint8_t>& scratch) {
  NackView nack;
  if (nack.parse(p.bytes) == RtcpError::kNone) {
    uint16_t lost[64];
    sink = nack.lostSequenceNumbers(lost);
  }
  PliView pli;
  if (pli.parse(p.bytes) == RtcpError::kNone) sink = pli.mediaSsrc();
  FirView fir;
  if (fir.parse(p.bytes) == RtcpError::kNone) {
    for (size_t i = 0; i < fir.entryCount(); ++i) sink = fir.entry(i).ssrc;
  }
  RembView remb;
  if (remb.parse(p.bytes) == RtcpError::kNone) {
    sink = remb.bitrateBps();
    for (size_t i = 0; i < remb.ssrcCount(); ++i) sink = remb.ssrc(i);
  }
  TwccFeedbackView twcc;
  if (twcc.parse(p.bytes) == RtcpError::kNone) {
    std::vector<int64_t> arrivals;
    auto it = twcc.packets();
    TwccPacketStatus s;
    size_t received = 0;
    while (it.next(s)) {
      arrivals.push_back(s.received ? s.arrivalUs : kTwccNotReceived);
      received += s.received;
    }
    if (arrivals.size() != twcc.packetStatusCount() || received != twcc.receivedCount()) {
      __builtin_trap();
    }
    // What the parser gives back, the builder must encode and the parser read again.
    TwccFeedbackParams params;
    params.baseSeq = twcc.baseSeq();
    params.referenceTime = twcc.referenceTime();
    scratch.resize(kTwccFixedSize + 3 * arrivals.size() + 8);
    const TwccBuildResult r = buildTwccFeedback(scratch.data(), scratch.size(), params, arrivals);
    if (r.size > scratch.size()) __builtin_trap();
    TwccFeedbackView again;
    if (r.size > 0 && again.parse({scratch.data(), r.size}) != RtcpError::kNone) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const treff::util::ConstBytes datagram(data, size);
  sink = looksLikeRtcp(datagram);
  std::vector<uint8_t> scratch;
  RtcpCompound compound(datagram);
  RtcpPacket packet;
  while (compound.next(packet)) {
    touchReports(packet);
    touchFeedback(packet, scratch);
  }
  // The views also take a buffer that starts with a packet, whatever follows.
  RtcpPacket first;
  if (parseRtcpPacket(datagram, true, first) != RtcpError::kNone && size >= 4) {
    first.bytes = datagram;
  }
  touchReports(first);
  touchFeedback(first, scratch);
  return 0;
}
