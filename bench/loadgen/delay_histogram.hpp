// A bounded histogram of one-way delays: fixed buckets, no allocation after construction, so a
// receiver can record every packet. 100 us steps up to 100 ms, 10 ms steps up to 5 s, then one
// overflow bucket; percentiles are read at the upper edge of their bucket.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace treff::loadgen {

class DelayHistogram {
 public:
  static constexpr uint32_t kFineStepUs = 100;
  static constexpr uint32_t kFineLimitUs = 100'000;
  static constexpr uint32_t kCoarseStepUs = 10'000;
  static constexpr uint32_t kCoarseLimitUs = 5'000'000;
  static constexpr size_t kFineBuckets = kFineLimitUs / kFineStepUs;
  static constexpr size_t kBuckets =
      kFineBuckets + (kCoarseLimitUs - kFineLimitUs) / kCoarseStepUs + 1;

  void record(uint64_t delayUs);
  void merge(const DelayHistogram& other);
  void clear();

  uint64_t count() const { return count_; }
  uint64_t maxUs() const { return maxUs_; }
  double meanUs() const { return count_ ? static_cast<double>(sumUs_) / count_ : 0.0; }
  // The delay below which `fraction` (0..1) of the samples lie; 0 when empty.
  uint64_t percentileUs(double fraction) const;

 private:
  static size_t bucketOf(uint64_t delayUs);
  static uint64_t upperEdgeUs(size_t bucket);

  std::array<uint32_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  uint64_t sumUs_ = 0;
  uint64_t maxUs_ = 0;
};

}  // namespace treff::loadgen
