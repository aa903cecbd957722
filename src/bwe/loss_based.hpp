// The loss-based part of Google Congestion Control (draft-ietf-rmcat-gcc-02 §6): the loss
// fraction over a window of reported packets lowers the estimate above 10 % loss, lets it grow
// below 2 %, and holds it in between. The estimate caps the delay-based one only after a loss
// decrease, until it has grown back to it: on a clean link the delay-based part leads alone.
#pragma once

#include <cstdint>

namespace treff::bwe {

class LossBasedControl {
 public:
  static constexpr double kHighLoss = 0.10;
  static constexpr double kLowLoss = 0.02;
  static constexpr double kGainPerSecond = 1.05;
  static constexpr uint32_t kMinPackets = 50;             // a window needs this many ...
  static constexpr int64_t kMinWindowUs = 500'000;        // ... over at least this long,
  static constexpr uint32_t kMinPacketsSlow = 10;         // or this many ...
  static constexpr int64_t kMaxWindowUs = 1'000'000;      // ... after this long
  static constexpr int64_t kDecreaseHoldoffUs = 300'000;  // + RTT between two decreases
  static constexpr int64_t kLossMemoryUs = 15'000'000;    // probes trust only after this

  LossBasedControl(uint64_t startBps, uint64_t minBps, uint64_t maxBps);

  void onPacketReported(bool received);
  // A packet reported lost before was reported received by a later feedback.
  void onLostPacketRecovered();
  // Closes the window when it holds enough packets and applies §6's rule. A decrease starts
  // from `currentBps`, the target in use; growth stops limiting at `delayBasedBps`.
  void update(uint64_t currentBps, uint64_t delayBasedBps, int64_t nowUs, int64_t rttUs);
  // Forgets a past loss decrease (a probe proved more, or REMB took over).
  void stopLimiting() { limiting_ = false; }
  // A probe delivered `bps`: a cap below that is out of date (growing back at 5 %/s from a loss
  // decrease takes many seconds), but only once the decrease is kLossMemoryUs old. Before that
  // a probe proves little: a shaper's token bucket lets a short probe through at line rate on
  // a link that has just shown, by losing packets, what it really carries.
  void raiseTo(uint64_t bps, int64_t nowUs) {
    if (!limiting_ || bps <= estimateBps_) return;
    if (lastDecreaseUs_ >= 0 && nowUs - lastDecreaseUs_ < kLossMemoryUs) return;
    estimateBps_ = clamp(static_cast<double>(bps));
  }

  // The cap on the target; the maximum while not limiting.
  uint64_t estimateBps() const { return limiting_ ? estimateBps_ : maxBps_; }
  bool limiting() const { return limiting_; }
  // Loss fraction of the last closed window.
  double lossFraction() const { return lossFraction_; }

 private:
  uint64_t clamp(double bps) const;

  uint64_t minBps_;
  uint64_t maxBps_;
  uint64_t estimateBps_;
  bool limiting_ = false;
  uint32_t received_ = 0;
  uint32_t lost_ = 0;
  int64_t windowStartUs_ = -1;
  int64_t lastEvaluationUs_ = -1;
  int64_t lastDecreaseUs_ = -1;
  double lossFraction_ = 0;
};

}  // namespace treff::bwe
