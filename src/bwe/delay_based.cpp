#include "bwe/delay_based.hpp"

#include <algorithm>
#include <cmath>

namespace treff::bwe {

const char* toString(BandwidthUsage usage) {
  switch (usage) {
    case BandwidthUsage::kNormal:
      return "normal";
    case BandwidthUsage::kOverusing:
      return "overusing";
    case BandwidthUsage::kUnderusing:
      return "underusing";
  }
  return "?";
}

// ---- packet groups ----

bool PacketGrouper::belongsToCurrent(int64_t sendUs, int64_t arrivalUs) const {
  if (sendUs - current_.firstSendUs <= kBurstUs) return true;
  // §5.2 burst rule: arrived within the burst time with a negative delay variation.
  const int64_t arrivalDelta = arrivalUs - current_.lastArrivalUs;
  const int64_t sendDelta = sendUs - current_.lastSendUs;
  return arrivalDelta >= 0 && arrivalDelta < kBurstUs && arrivalDelta - sendDelta < 0;
}

PacketGrouper::Result PacketGrouper::onPacket(int64_t sendUs, int64_t arrivalUs, GroupDelta& out) {
  if (!current_.valid) {
    current_ = {sendUs, sendUs, arrivalUs, true};
    return Result::kNone;
  }
  // Reported late (out of order): its group is already closed.
  if (sendUs < current_.firstSendUs) return Result::kNone;
  if (std::llabs(arrivalUs - current_.lastArrivalUs) > kMaxArrivalJumpUs) {
    reset();
    current_ = {sendUs, sendUs, arrivalUs, true};
    return Result::kReset;
  }
  if (belongsToCurrent(sendUs, arrivalUs)) {
    current_.lastSendUs = std::max(current_.lastSendUs, sendUs);
    current_.lastArrivalUs = std::max(current_.lastArrivalUs, arrivalUs);
    return Result::kNone;
  }
  Result result = Result::kNone;
  if (previous_.valid) {
    out.sendDeltaMs = static_cast<double>(current_.lastSendUs - previous_.lastSendUs) / 1000.0;
    out.arrivalDeltaMs =
        static_cast<double>(current_.lastArrivalUs - previous_.lastArrivalUs) / 1000.0;
    out.arrivalUs = current_.lastArrivalUs;
    result = Result::kDelta;
  }
  previous_ = current_;
  current_ = {sendUs, sendUs, arrivalUs, true};
  return result;
}

void PacketGrouper::reset() {
  current_ = {};
  previous_ = {};
}

// ---- trendline ----

void TrendlineEstimator::update(const GroupDelta& delta) {
  if (deltaCount_ == 0) firstArrivalUs_ = delta.arrivalUs;
  deltaCount_ = std::min(deltaCount_ + 1, size_t{1000});
  accumulatedMs_ += delta.arrivalDeltaMs - delta.sendDeltaMs;
  smoothedMs_ = kSmoothing * smoothedMs_ + (1 - kSmoothing) * accumulatedMs_;

  window_[head_] = {static_cast<double>(delta.arrivalUs - firstArrivalUs_) / 1000.0, smoothedMs_};
  head_ = (head_ + 1) % kWindow;
  filled_ = std::min(filled_ + 1, kWindow);
  if (filled_ < kWindow) return;

  double meanX = 0, meanY = 0;
  for (const Sample& s : window_) meanX += s.x, meanY += s.y;
  meanX /= kWindow;
  meanY /= kWindow;
  double num = 0, den = 0;
  for (const Sample& s : window_) {
    num += (s.x - meanX) * (s.y - meanY);
    den += (s.x - meanX) * (s.x - meanX);
  }
  if (den > 0) slope_ = num / den;
  const double counted = static_cast<double>(std::min(deltaCount_, kMaxDeltasCounted));
  modifiedTrend_ = counted * slope_ * kThresholdGain;
}

void TrendlineEstimator::reset() { *this = TrendlineEstimator{}; }

// ---- over-use detector ----

BandwidthUsage OveruseDetector::detect(double modifiedTrend, double sendDeltaMs, size_t deltaCount,
                                       int64_t nowUs) {
  if (deltaCount < 2) return usage_;
  if (modifiedTrend > threshold_) {
    overuseTimeMs_ = overuseTimeMs_ < 0 ? sendDeltaMs / 2 : overuseTimeMs_ + sendDeltaMs;
    ++overuseCount_;
    if (overuseTimeMs_ > kOveruseTimeMs && overuseCount_ > 1 && modifiedTrend >= previousTrend_) {
      overuseTimeMs_ = 0;
      overuseCount_ = 0;
      usage_ = BandwidthUsage::kOverusing;
    }
  } else if (modifiedTrend < -threshold_) {
    overuseTimeMs_ = -1;
    overuseCount_ = 0;
    usage_ = BandwidthUsage::kUnderusing;
  } else {
    overuseTimeMs_ = -1;
    overuseCount_ = 0;
    usage_ = BandwidthUsage::kNormal;
  }
  previousTrend_ = modifiedTrend;
  adaptThreshold(modifiedTrend, nowUs);
  return usage_;
}

// §5.4: gamma follows |m| slowly downwards (k_d) and faster upwards (k_u); spikes far above it
// are ignored so that one burst does not desensitise the detector.
void OveruseDetector::adaptThreshold(double modifiedTrend, int64_t nowUs) {
  if (lastAdaptUs_ < 0) lastAdaptUs_ = nowUs;
  const double magnitude = std::fabs(modifiedTrend);
  if (magnitude > threshold_ + 15) {
    lastAdaptUs_ = nowUs;
    return;
  }
  const double k = magnitude < threshold_ ? kDown : kUp;
  const double dtMs = std::clamp(static_cast<double>(nowUs - lastAdaptUs_) / 1000.0, 0.0, 100.0);
  threshold_ += k * (magnitude - threshold_) * dtMs;
  threshold_ = std::clamp(threshold_, kMinThresholdMs, kMaxThresholdMs);
  lastAdaptUs_ = nowUs;
}

void OveruseDetector::reset() { *this = OveruseDetector{}; }

// ---- the pipeline ----

void DelayBasedDetector::onPacket(int64_t sendUs, int64_t arrivalUs) {
  GroupDelta delta;
  switch (grouper_.onPacket(sendUs, arrivalUs, delta)) {
    case PacketGrouper::Result::kNone:
      return;
    case PacketGrouper::Result::kReset:
      trendline_.reset();
      detector_.reset();
      ++resets_;
      return;
    case PacketGrouper::Result::kDelta:
      trendline_.update(delta);
      detector_.detect(trendline_.modifiedTrend(), delta.sendDeltaMs, trendline_.deltaCount(),
                       delta.arrivalUs);
      return;
  }
}

}  // namespace treff::bwe
