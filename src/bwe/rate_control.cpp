#include "bwe/rate_control.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace treff::bwe {

const char* toString(RateControlState state) {
  switch (state) {
    case RateControlState::kHold:
      return "hold";
    case RateControlState::kIncrease:
      return "increase";
    case RateControlState::kDecrease:
      return "decrease";
  }
  return "?";
}

AimdRateControl::AimdRateControl(const RateControlConfig& config)
    : config_(config), estimateBps_(config.startBps) {
  if (config.minBps == 0 || config.minBps > config.maxBps || config.startBps < config.minBps ||
      config.startBps > config.maxBps) {
    throw std::invalid_argument("rate control needs 0 < min <= start <= max");
  }
}

uint64_t AimdRateControl::clamp(double bps) const {
  return static_cast<uint64_t>(
      std::clamp(bps, static_cast<double>(config_.minBps), static_cast<double>(config_.maxBps)));
}

// §5.5 state table: over-use always decreases; under-use holds (the queues are draining);
// normal resumes increasing, except right after a decrease where it holds first.
void AimdRateControl::transition(BandwidthUsage usage) {
  switch (usage) {
    case BandwidthUsage::kOverusing:
      state_ = RateControlState::kDecrease;
      break;
    case BandwidthUsage::kUnderusing:
      state_ = RateControlState::kHold;
      break;
    case BandwidthUsage::kNormal:
      if (state_ == RateControlState::kHold)
        state_ = RateControlState::kIncrease;
      else if (state_ == RateControlState::kDecrease)
        state_ = RateControlState::kHold;
      break;
  }
}

uint64_t AimdRateControl::update(BandwidthUsage usage, uint64_t ackedBps, int64_t nowUs) {
  const RateControlState before = state_;
  transition(usage);
  if (state_ != RateControlState::kIncrease) lastIncreaseUs_ = -1;
  if (state_ == RateControlState::kIncrease) {
    if (before != RateControlState::kIncrease || lastIncreaseUs_ < 0) lastIncreaseUs_ = nowUs;
    increase(ackedBps, nowUs);
  } else if (state_ == RateControlState::kDecrease) {
    decrease(ackedBps, nowUs);
    state_ = RateControlState::kHold;
  }
  return estimateBps_;
}

void AimdRateControl::increase(uint64_t ackedBps, int64_t nowUs) {
  const double dtSec = std::clamp(static_cast<double>(nowUs - lastIncreaseUs_) / 1e6, 0.0, 1.0);
  lastIncreaseUs_ = nowUs;
  const double ackedKbps = static_cast<double>(ackedBps) / 1000.0;
  // Throughput well above the old congestion point: the link changed, forget it.
  if (capacityKbps_ > 0 && ackedBps > 0 && ackedKbps > capacityKbps_ + 3 * capacityStdDevKbps()) {
    capacityKbps_ = -1;
  }
  double next = static_cast<double>(estimateBps_);
  if (nearConvergence()) {
    const double responseSec = static_cast<double>(rttUs_ + kResponseExtraUs) / 1e6;
    next += std::max(1000.0, kPacketBits / responseSec) * dtSec;
  } else {
    next *= std::pow(kMultiplicativeGainPerSecond, dtSec);
  }
  // Do not run away from what actually gets through; never lower the estimate here.
  if (ackedBps > 0) {
    const double cap = kMaxOverAcked * static_cast<double>(ackedBps) + 10'000;
    next = std::min(next, std::max(cap, static_cast<double>(estimateBps_)));
  }
  estimateBps_ = clamp(next);
}

void AimdRateControl::decrease(uint64_t ackedBps, int64_t nowUs) {
  double next = static_cast<double>(estimateBps_) * kBeta;
  if (ackedBps > 0) {
    next = std::min(static_cast<double>(estimateBps_), kBeta * static_cast<double>(ackedBps));
    const double ackedKbps = static_cast<double>(ackedBps) / 1000.0;
    if (capacityKbps_ > 0 && ackedKbps < capacityKbps_ - 3 * capacityStdDevKbps()) {
      capacityKbps_ = -1;  // far below the old point: the link got worse
    }
    updateCapacity(ackedKbps);
  }
  estimateBps_ = clamp(next);
  lastDecreaseUs_ = nowUs;
}

void AimdRateControl::updateCapacity(double ackedKbps) {
  constexpr double kAlpha = 0.05;
  if (capacityKbps_ < 0) {
    capacityKbps_ = ackedKbps;
  } else {
    capacityKbps_ = (1 - kAlpha) * capacityKbps_ + kAlpha * ackedKbps;
  }
  const double norm = std::max(capacityKbps_, 1.0);
  const double error = capacityKbps_ - ackedKbps;
  capacityVariance_ = (1 - kAlpha) * capacityVariance_ + kAlpha * error * error / norm;
  capacityVariance_ = std::clamp(capacityVariance_, 0.4, 2.5);
}

double AimdRateControl::capacityStdDevKbps() const {
  return std::sqrt(capacityVariance_ * std::max(capacityKbps_, 1.0));
}

void AimdRateControl::setEstimate(uint64_t bps, int64_t nowUs) {
  estimateBps_ = clamp(static_cast<double>(bps));
  if (state_ == RateControlState::kIncrease) lastIncreaseUs_ = nowUs;
}

}  // namespace treff::bwe
