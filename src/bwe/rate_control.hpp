// AIMD rate control of draft-ietf-rmcat-gcc-02 §5.5: the over-use signal drives a state machine
// (Hold / Increase / Decrease); decreases go to beta times the acknowledged throughput, increases
// are multiplicative far from the last congestion point and additive near it.
#pragma once

#include <cstdint>

#include "bwe/delay_based.hpp"

namespace treff::bwe {

enum class RateControlState : uint8_t { kHold, kIncrease, kDecrease };

const char* toString(RateControlState state);

struct RateControlConfig {
  uint64_t startBps = 1'000'000;
  uint64_t minBps = 50'000;
  uint64_t maxBps = 20'000'000;
};

class AimdRateControl {
 public:
  static constexpr double kBeta = 0.85;
  static constexpr double kMultiplicativeGainPerSecond = 1.08;
  static constexpr double kPacketBits = 1200 * 8;
  static constexpr int64_t kResponseExtraUs = 100'000;  // response time = RTT + 100 ms
  static constexpr double kMaxOverAcked = 1.5;          // A_hat < 1.5 R_hat (§5.5)

  explicit AimdRateControl(const RateControlConfig& config);

  // One detector signal; `ackedBps` 0 when the throughput is not known yet.
  uint64_t update(BandwidthUsage usage, uint64_t ackedBps, int64_t nowUs);
  // Sets the estimate from outside (a successful probe, REMB in REMB-only mode).
  void setEstimate(uint64_t bps, int64_t nowUs);
  void setRttUs(int64_t rttUs) { rttUs_ = rttUs; }

  uint64_t estimateBps() const { return estimateBps_; }
  RateControlState state() const { return state_; }
  // True when a capacity estimate from past decreases exists (the additive regime).
  bool nearConvergence() const { return capacityKbps_ > 0; }
  int64_t lastDecreaseUs() const { return lastDecreaseUs_; }

 private:
  void transition(BandwidthUsage usage);
  void increase(uint64_t ackedBps, int64_t nowUs);
  void decrease(uint64_t ackedBps, int64_t nowUs);
  void updateCapacity(double ackedKbps);
  double capacityStdDevKbps() const;
  uint64_t clamp(double bps) const;

  RateControlConfig config_;
  uint64_t estimateBps_;
  RateControlState state_ = RateControlState::kIncrease;
  int64_t lastIncreaseUs_ = -1;
  int64_t lastDecreaseUs_ = -1;
  int64_t rttUs_ = 100'000;
  // The link capacity seen at decreases: exponential average and normalised variance (kbps).
  double capacityKbps_ = -1;
  double capacityVariance_ = 0.4;
};

}  // namespace treff::bwe
