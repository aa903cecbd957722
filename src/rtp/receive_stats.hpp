// Reception statistics of one incoming RTP stream (one SSRC), as RFC 3550 Appendix A computes
// them: sequence validation (A.1), loss (A.3), interarrival jitter (A.8) and the LSR/DLSR of
// the last sender report, summed up in a report block.
#pragma once

#include <cstdint>

#include "rtp/report_block.hpp"

namespace treff::rtp {

class RtpPacket;

class ReceiveStreamStats {
 public:
  // RFC 3550 A.1 limits: a jump ahead of kMaxDropout or back by more than kMaxMisorder is a
  // restart candidate, accepted once the next packet follows it.
  static constexpr uint16_t kMaxDropout = 3000;
  static constexpr uint16_t kMaxMisorder = 100;

  ReceiveStreamStats(uint32_t ssrc, uint32_t clockRateHz);

  // Counts one packet that arrived at `arrivalUs` (monotonic microseconds). Returns false for a
  // packet A.1 does not accept (a wild jump awaiting confirmation); it is not counted.
  // Retransmissions should not be passed here: they would distort jitter.
  bool onRtp(uint16_t seq, uint32_t rtpTimestamp, uint64_t arrivalUs);
  bool onRtp(const RtpPacket& packet, uint64_t arrivalUs);

  // A sender report for this SSRC: its 64-bit NTP timestamp, and when it arrived.
  void onSenderReport(uint64_t ntp, uint64_t arrivalUs);

  // The report block for now; advances the per-interval state (A.3 fraction lost).
  ReportBlockData makeReportBlock(uint64_t nowUs);

  uint32_t ssrc() const { return ssrc_; }
  bool hasReceived() const { return started_; }
  uint64_t packetsReceived() const { return received_; }
  uint32_t extendedHighestSeq() const { return cycles_ + maxSeq_; }
  uint32_t expected() const { return extendedHighestSeq() - baseSeq_ + 1; }
  // Expected minus received, clamped to the 24-bit signed range of a report block.
  int32_t cumulativeLost() const;
  // Interarrival jitter in RTP timestamp units.
  uint32_t jitter() const { return jitterQ4_ >> 4; }

 private:
  void restart(uint16_t seq);

  uint32_t ssrc_;
  uint32_t clockRateHz_;
  bool started_ = false;

  // A.1
  uint16_t maxSeq_ = 0;
  uint32_t cycles_ = 0;  // shifted count of wraps
  uint32_t baseSeq_ = 0;
  uint32_t badSeq_ = 0x10001;  // out of range: no restart candidate
  uint64_t received_ = 0;
  // A.3
  uint32_t expectedPrior_ = 0;
  uint64_t receivedPrior_ = 0;
  // A.8, jitter scaled by 16 as in the RFC's integer variant.
  bool haveTransit_ = false;
  uint32_t lastTransit_ = 0;
  uint32_t lastJitterTimestamp_ = 0;
  uint32_t jitterQ4_ = 0;
  // LSR/DLSR
  uint32_t lastSr_ = 0;
  uint64_t lastSrArrivalUs_ = 0;
  bool haveSr_ = false;
};

}  // namespace treff::rtp
