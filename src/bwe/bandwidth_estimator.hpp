// Send-side bandwidth estimation for one subscriber transport (draft-ietf-rmcat-gcc-02): the
// delay-based detector and AIMD rate control, capped by the loss-based estimate and by REMB;
// probing before upgrades. Clients that send only REMB get the REMB value. Nothing here
// allocates after construction.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bwe/acked_bitrate.hpp"
#include "bwe/delay_based.hpp"
#include "bwe/loss_based.hpp"
#include "bwe/probe_controller.hpp"
#include "bwe/rate_control.hpp"
#include "bwe/send_history.hpp"

namespace treff::rtp {
class TwccFeedbackView;
}

namespace treff::bwe {

struct BweConfig {
  uint64_t startBps = 1'000'000;
  uint64_t minBps = 50'000;
  uint64_t maxBps = 20'000'000;
  size_t historyCapacity = SendHistory::kDefaultCapacity;
};

// A snapshot for tests and metrics.
struct BweState {
  uint64_t targetBps = 0;
  uint64_t delayBasedBps = 0;
  uint64_t lossBasedBps = 0;
  uint64_t ackedBps = 0;
  uint64_t rembBps = 0;  // 0: no REMB seen
  BandwidthUsage usage = BandwidthUsage::kNormal;
  RateControlState rateControl = RateControlState::kIncrease;
  double lossFraction = 0;
  int64_t rttUs = 0;
  bool twccActive = false;
};

// Counters of feedback the estimator could not use, by reason.
struct BweStats {
  uint64_t feedbacks = 0;
  uint64_t packetsReceived = 0;
  uint64_t packetsLost = 0;
  uint64_t unknownSeq = 0;  // never sent, or evicted from the history
  uint64_t duplicateReports = 0;
  uint64_t emptyFeedbacks = 0;  // reported nothing we know
  uint64_t probesSucceeded = 0;
  uint64_t probesFailed = 0;
};

class BandwidthEstimator {
 public:
  // TWCC counts as present while feedback keeps coming; after this long REMB rules again.
  static constexpr int64_t kTwccStaleUs = 5'000'000;

  // Throws std::invalid_argument unless 0 < min <= start <= max.
  explicit BandwidthEstimator(const BweConfig& config = {});

  void onPacketSent(uint16_t transportSeq, uint64_t sendUs, size_t bytes, bool probe);
  void onTransportFeedback(const rtp::TwccFeedbackView& feedback, uint64_t nowUs);
  void onRemb(uint64_t bitrateBps, uint64_t nowUs);
  // RTT from RTCP receiver reports, if known; otherwise it is estimated from feedback timing.
  void onRtt(uint64_t rttUs);

  uint64_t targetBps() const { return targetBps_; }
  uint64_t ackedBps() const { return acked_.bitrateBps(); }
  BweState state() const;
  const BweStats& stats() const { return stats_; }

  // Probing: ask before an upgrade whether a probe may start, then send the returned padding
  // with onPacketSent(..., probe = true); feedback on it settles the probe.
  bool wantsProbe(uint64_t nowUs) const;
  // `durationUs`: how long the caller spreads the padding over (a pacer with coarse ticks asks
  // for a longer cluster and sends it in even parts).
  ProbeRequest nextProbe(uint64_t nowUs, uint64_t desiredBps,
                         uint32_t durationUs = ProbeController::kDurationUs);

 private:
  bool twccActive(int64_t nowUs) const;
  void recompute(int64_t nowUs);

  BweConfig config_;
  SendHistory history_;
  DelayBasedDetector delay_;
  AckedBitrateEstimator acked_;
  AimdRateControl rateControl_;
  LossBasedControl loss_;
  ProbeController probes_;
  BweStats stats_;
  uint64_t targetBps_;
  uint64_t rembBps_ = 0;
  int64_t lastTwccUs_ = -1;
  int64_t rttUs_ = 100'000;
  bool rttFromReports_ = false;
};

}  // namespace treff::bwe
