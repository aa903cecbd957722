#include "bwe/loss_based.hpp"

#include <algorithm>
#include <cmath>

namespace treff::bwe {

LossBasedControl::LossBasedControl(uint64_t startBps, uint64_t minBps, uint64_t maxBps)
    : minBps_(minBps), maxBps_(maxBps), estimateBps_(startBps) {}

uint64_t LossBasedControl::clamp(double bps) const {
  return static_cast<uint64_t>(
      std::clamp(bps, static_cast<double>(minBps_), static_cast<double>(maxBps_)));
}

void LossBasedControl::onPacketReported(bool received) {
  if (received)
    ++received_;
  else
    ++lost_;
}

void LossBasedControl::onLostPacketRecovered() {
  if (lost_ > 0) {
    --lost_;
    ++received_;
  }
}

void LossBasedControl::update(uint64_t currentBps, uint64_t delayBasedBps, int64_t nowUs,
                              int64_t rttUs) {
  if (windowStartUs_ < 0) windowStartUs_ = nowUs;
  if (lastEvaluationUs_ < 0) lastEvaluationUs_ = nowUs;
  const uint32_t expected = received_ + lost_;
  const int64_t elapsed = nowUs - windowStartUs_;
  const bool full = (expected >= kMinPackets && elapsed >= kMinWindowUs) ||
                    (expected >= kMinPacketsSlow && elapsed >= kMaxWindowUs);
  if (!full) return;

  lossFraction_ = static_cast<double>(lost_) / expected;
  const double dtSec = std::clamp(static_cast<double>(nowUs - lastEvaluationUs_) / 1e6, 0.0, 1.0);
  if (lossFraction_ > kHighLoss) {
    if (lastDecreaseUs_ < 0 || nowUs - lastDecreaseUs_ >= kDecreaseHoldoffUs + rttUs) {
      const uint64_t from = limiting_ ? std::min(estimateBps_, currentBps) : currentBps;
      estimateBps_ = clamp(static_cast<double>(from) * (1 - 0.5 * lossFraction_));
      limiting_ = true;
      lastDecreaseUs_ = nowUs;
    }
  } else if (lossFraction_ < kLowLoss && limiting_) {
    estimateBps_ = clamp(static_cast<double>(estimateBps_) * std::pow(kGainPerSecond, dtSec));
    if (estimateBps_ >= delayBasedBps) limiting_ = false;
  }
  received_ = lost_ = 0;
  windowStartUs_ = nowUs;
  lastEvaluationUs_ = nowUs;
}

}  // namespace treff::bwe
