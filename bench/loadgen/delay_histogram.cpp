#include "delay_histogram.hpp"

#include <algorithm>
#include <cmath>

namespace treff::loadgen {

size_t DelayHistogram::bucketOf(uint64_t delayUs) {
  if (delayUs < kFineLimitUs) return delayUs / kFineStepUs;
  if (delayUs < kCoarseLimitUs) return kFineBuckets + (delayUs - kFineLimitUs) / kCoarseStepUs;
  return kBuckets - 1;
}

uint64_t DelayHistogram::upperEdgeUs(size_t bucket) {
  if (bucket < kFineBuckets) return (bucket + 1) * uint64_t{kFineStepUs};
  return kFineLimitUs + (bucket - kFineBuckets + 1) * uint64_t{kCoarseStepUs};
}

void DelayHistogram::record(uint64_t delayUs) {
  ++buckets_[bucketOf(delayUs)];
  ++count_;
  sumUs_ += delayUs;
  maxUs_ = std::max(maxUs_, delayUs);
}

void DelayHistogram::merge(const DelayHistogram& other) {
  for (size_t i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
  sumUs_ += other.sumUs_;
  maxUs_ = std::max(maxUs_, other.maxUs_);
}

void DelayHistogram::clear() { *this = DelayHistogram{}; }

uint64_t DelayHistogram::percentileUs(double fraction) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<uint64_t>(std::ceil(std::clamp(fraction, 0.0, 1.0) * count_));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= std::max<uint64_t>(rank, 1)) return std::min(upperEdgeUs(i), maxUs_);
  }
  return maxUs_;
}

}  // namespace treff::loadgen
