// The throughput the receiver acknowledged: bytes of packets feedback reports received, summed
// in arrival-time buckets over a sliding window (draft-ietf-rmcat-gcc-02 §5.5 R_hat).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace treff::bwe {

class AckedBitrateEstimator {
 public:
  static constexpr int64_t kBucketUs = 20'000;
  static constexpr size_t kWindowBuckets = 25;  // 500 ms
  static constexpr int64_t kMinSpanUs = 150'000;

  void onAcked(int64_t arrivalUs, size_t bytes);
  // Bits per second over the window; 0 until kMinSpanUs of arrivals were seen.
  uint64_t bitrateBps() const;
  void reset() { *this = AckedBitrateEstimator{}; }

 private:
  static constexpr size_t kBuckets = 32;  // > kWindowBuckets so late packets still land
  static constexpr int64_t kRestartBehindBuckets = 150;  // 3 s
  void advanceTo(int64_t bucket);

  std::array<uint64_t, kBuckets> bytes_{};
  int64_t newestBucket_ = 0;
  int64_t firstBucket_ = 0;
  int64_t newestArrivalUs_ = 0;
  bool started_ = false;
};

}  // namespace treff::bwe
