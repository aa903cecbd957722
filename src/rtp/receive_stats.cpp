#include "rtp/receive_stats.hpp"

#include "rtp/rtp_packet.hpp"
#include "util/time.hpp"

namespace treff::rtp {

namespace {

constexpr uint32_t kSeqMod = 1u << 16;

// The arrival time in the stream's RTP clock units (wrapping like an RTP timestamp).
uint32_t arrivalInClockUnits(uint64_t arrivalUs, uint32_t clockRateHz) {
  const uint64_t whole = arrivalUs / 1000000 * clockRateHz;
  const uint64_t part = arrivalUs % 1000000 * clockRateHz / 1000000;
  return static_cast<uint32_t>(whole + part);
}

}  // namespace

ReceiveStreamStats::ReceiveStreamStats(uint32_t ssrc, uint32_t clockRateHz)
    : ssrc_(ssrc), clockRateHz_(clockRateHz) {}

void ReceiveStreamStats::restart(uint16_t seq) {
  // A.1 init_seq(): the interval state restarts with the sequence space.
  baseSeq_ = seq;
  maxSeq_ = seq;
  badSeq_ = kSeqMod + 1;
  cycles_ = 0;
  received_ = 0;
  receivedPrior_ = 0;
  expectedPrior_ = 0;
}

bool ReceiveStreamStats::onRtp(const RtpPacket& packet, uint64_t arrivalUs) {
  return onRtp(packet.sequence(), packet.timestamp(), arrivalUs);
}

bool ReceiveStreamStats::onRtp(uint16_t seq, uint32_t rtpTimestamp, uint64_t arrivalUs) {
  // A.1 update_seq(), without probation: SRTP authentication already vouches for the source.
  bool advanced = false;
  if (!started_) {
    restart(seq);
    started_ = true;
    advanced = true;
  } else {
    const uint16_t udelta = static_cast<uint16_t>(seq - maxSeq_);
    if (udelta < kMaxDropout) {
      if (seq < maxSeq_) cycles_ += kSeqMod;  // wrapped
      advanced = udelta != 0;
      maxSeq_ = seq;
    } else if (udelta <= kSeqMod - kMaxMisorder) {
      // A very large jump: a restarted sender, or garbage. Believe it when the next packet
      // follows it.
      if (seq != badSeq_) {
        badSeq_ = (static_cast<uint32_t>(seq) + 1) & (kSeqMod - 1);
        return false;
      }
      restart(seq);
      haveTransit_ = false;
      advanced = true;
    }
    // Otherwise a duplicate or reordered packet: counted, but it moves nothing.
  }
  ++received_;

  // A.8: jitter from in-order packets only, and once per RTP timestamp so that the packets of
  // one video frame, paced out over time, do not read as jitter.
  if (advanced && clockRateHz_ != 0) {
    const uint32_t transit = arrivalInClockUnits(arrivalUs, clockRateHz_) - rtpTimestamp;
    if (!haveTransit_) {
      haveTransit_ = true;
      lastTransit_ = transit;
      lastJitterTimestamp_ = rtpTimestamp;
    } else if (rtpTimestamp != lastJitterTimestamp_) {
      int32_t d = static_cast<int32_t>(transit - lastTransit_);
      lastTransit_ = transit;
      lastJitterTimestamp_ = rtpTimestamp;
      if (d < 0) d = -d;
      jitterQ4_ += static_cast<uint32_t>(d) - ((jitterQ4_ + 8) >> 4);
    }
  }
  return true;
}

void ReceiveStreamStats::onSenderReport(uint64_t ntp, uint64_t arrivalUs) {
  lastSr_ = util::ntpCompact(ntp);
  lastSrArrivalUs_ = arrivalUs;
  haveSr_ = true;
}

int32_t ReceiveStreamStats::cumulativeLost() const {
  const int64_t lost = static_cast<int64_t>(expected()) - static_cast<int64_t>(received_);
  if (lost > 0x7fffff) return 0x7fffff;
  if (lost < -0x800000) return -0x800000;
  return static_cast<int32_t>(lost);
}

ReportBlockData ReceiveStreamStats::makeReportBlock(uint64_t nowUs) {
  ReportBlockData b{};
  b.ssrc = ssrc_;
  if (started_) {
    // A.3
    const uint32_t expectedNow = expected();
    const uint32_t expectedInterval = expectedNow - expectedPrior_;
    const int64_t receivedInterval = static_cast<int64_t>(received_ - receivedPrior_);
    expectedPrior_ = expectedNow;
    receivedPrior_ = received_;
    const int64_t lostInterval = static_cast<int64_t>(expectedInterval) - receivedInterval;
    if (expectedInterval != 0 && lostInterval > 0) {
      // All lost would be 256/256; the 8-bit field saturates instead of wrapping to 0.
      const int64_t fraction = (lostInterval << 8) / expectedInterval;
      b.fractionLost = static_cast<uint8_t>(fraction > 255 ? 255 : fraction);
    }
    b.cumulativeLost = cumulativeLost();
    b.extendedHighestSeq = extendedHighestSeq();
    b.jitter = jitter();
  }
  if (haveSr_) {
    b.lastSr = lastSr_;
    // RFC 3550 §6.4.1: DLSR in units of 1/65536 s.
    const uint64_t delayUs = nowUs > lastSrArrivalUs_ ? nowUs - lastSrArrivalUs_ : 0;
    b.delaySinceLastSr = static_cast<uint32_t>((delayUs << 16) / 1000000);
  }
  return b;
}

}  // namespace treff::rtp
