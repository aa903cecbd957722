// The delay-based part of Google Congestion Control (draft-ietf-rmcat-gcc-02 §5): packets are
// grouped by send time (§5.2), the delay variation between groups feeds a trendline filter
// (linear regression over smoothed accumulated delay, as libwebrtc replaced the draft's Kalman
// filter with), and an over-use detector with an adaptive threshold (§5.4) turns the trend into
// a signal for the rate controller.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace treff::bwe {

enum class BandwidthUsage : uint8_t { kNormal, kOverusing, kUnderusing };

const char* toString(BandwidthUsage usage);

// The delay variation between two consecutive packet groups.
struct GroupDelta {
  double sendDeltaMs = 0;     // T(i) - T(i-1), departure of the groups' last packets
  double arrivalDeltaMs = 0;  // t(i) - t(i-1), arrival of the groups' last packets
  int64_t arrivalUs = 0;      // arrival of group i (receiver clock)
};

// §5.2: a group is the packets sent within a 5 ms burst, plus packets that arrive within 5 ms of
// it with a negative delay variation (they were queued behind it).
class PacketGrouper {
 public:
  static constexpr int64_t kBurstUs = 5000;
  // Arrival time jumps larger than this mean the receiver's clock changed: start over.
  static constexpr int64_t kMaxArrivalJumpUs = 3'000'000;

  enum class Result : uint8_t { kNone, kDelta, kReset };

  // Feeds one received packet in transport sequence order. kDelta: a group completed and `out`
  // holds its delta to the group before. kReset: the arrival clock jumped; state was cleared.
  Result onPacket(int64_t sendUs, int64_t arrivalUs, GroupDelta& out);
  void reset();

 private:
  struct Group {
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    int64_t lastArrivalUs = 0;
    bool valid = false;
  };
  bool belongsToCurrent(int64_t sendUs, int64_t arrivalUs) const;

  Group current_;
  Group previous_;
};

// Least-squares slope of the smoothed accumulated delay over the last kWindow group deltas.
class TrendlineEstimator {
 public:
  static constexpr size_t kWindow = 20;
  static constexpr double kSmoothing = 0.9;
  static constexpr double kThresholdGain = 4.0;
  static constexpr size_t kMaxDeltasCounted = 60;

  void update(const GroupDelta& delta);
  // The slope scaled to be compared with the detector's threshold (ms).
  double modifiedTrend() const { return modifiedTrend_; }
  size_t deltaCount() const { return deltaCount_; }
  void reset();

 private:
  struct Sample {
    double x = 0;  // ms since the first group
    double y = 0;  // smoothed accumulated delay, ms
  };
  std::array<Sample, kWindow> window_{};
  size_t head_ = 0;
  size_t filled_ = 0;
  size_t deltaCount_ = 0;
  int64_t firstArrivalUs_ = 0;
  double accumulatedMs_ = 0;
  double smoothedMs_ = 0;
  double slope_ = 0;
  double modifiedTrend_ = 0;
};

// §5.4: compares the trend with an adaptive threshold gamma; over-use must last 10 ms and two
// updates, with a non-decreasing trend, before it is signalled.
class OveruseDetector {
 public:
  static constexpr double kInitialThresholdMs = 12.5;
  static constexpr double kMinThresholdMs = 6;
  static constexpr double kMaxThresholdMs = 600;
  static constexpr double kUp = 0.01;       // k_u
  static constexpr double kDown = 0.00018;  // k_d
  static constexpr double kOveruseTimeMs = 10;

  BandwidthUsage detect(double modifiedTrend, double sendDeltaMs, size_t deltaCount, int64_t nowUs);
  BandwidthUsage usage() const { return usage_; }
  double thresholdMs() const { return threshold_; }
  void reset();

 private:
  void adaptThreshold(double modifiedTrend, int64_t nowUs);

  BandwidthUsage usage_ = BandwidthUsage::kNormal;
  double threshold_ = kInitialThresholdMs;
  double overuseTimeMs_ = -1;
  int overuseCount_ = 0;
  double previousTrend_ = 0;
  int64_t lastAdaptUs_ = -1;
};

// The three stages in a row, fed with each packet feedback reports received.
class DelayBasedDetector {
 public:
  void onPacket(int64_t sendUs, int64_t arrivalUs);
  BandwidthUsage usage() const { return detector_.usage(); }
  double modifiedTrend() const { return trendline_.modifiedTrend(); }
  double thresholdMs() const { return detector_.thresholdMs(); }
  uint64_t resets() const { return resets_; }

 private:
  PacketGrouper grouper_;
  TrendlineEstimator trendline_;
  OveruseDetector detector_;
  uint64_t resets_ = 0;
};

}  // namespace treff::bwe
