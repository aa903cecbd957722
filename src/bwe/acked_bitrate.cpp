#include "bwe/acked_bitrate.hpp"

#include <algorithm>

namespace treff::bwe {

namespace {

int64_t floorDiv(int64_t value, int64_t divisor) {
  const int64_t q = value / divisor;
  return (value % divisor != 0 && value < 0) ? q - 1 : q;
}

size_t slotOf(int64_t bucket, size_t buckets) {
  return static_cast<size_t>(static_cast<uint64_t>(bucket) % buckets);
}

}  // namespace

void AckedBitrateEstimator::advanceTo(int64_t bucket) {
  if (bucket - newestBucket_ >= static_cast<int64_t>(kBuckets)) {
    bytes_.fill(0);
  } else {
    for (int64_t b = newestBucket_ + 1; b <= bucket; ++b) bytes_[slotOf(b, kBuckets)] = 0;
  }
  newestBucket_ = bucket;
}

void AckedBitrateEstimator::onAcked(int64_t arrivalUs, size_t bytes) {
  const int64_t bucket = floorDiv(arrivalUs, kBucketUs);
  // A jump far ahead or far back (a new receiver clock, or a hostile report) starts over.
  if (!started_ || bucket - newestBucket_ > static_cast<int64_t>(kBuckets) ||
      newestBucket_ - bucket > kRestartBehindBuckets) {
    bytes_.fill(0);
    started_ = true;
    newestBucket_ = firstBucket_ = bucket;
    newestArrivalUs_ = arrivalUs;
  } else if (bucket > newestBucket_) {
    advanceTo(bucket);
  } else if (newestBucket_ - bucket >= static_cast<int64_t>(kWindowBuckets)) {
    return;  // older than the window
  }
  if (bucket < firstBucket_) firstBucket_ = bucket;
  newestArrivalUs_ = std::max(newestArrivalUs_, arrivalUs);
  bytes_[slotOf(bucket, kBuckets)] += bytes;
}

uint64_t AckedBitrateEstimator::bitrateBps() const {
  if (!started_) return 0;
  const int64_t oldest =
      std::max(firstBucket_, newestBucket_ - static_cast<int64_t>(kWindowBuckets) + 1);
  const int64_t spanUs = newestArrivalUs_ - oldest * kBucketUs;
  if (spanUs < kMinSpanUs) return 0;
  uint64_t total = 0;
  for (int64_t b = oldest; b <= newestBucket_; ++b) total += bytes_[slotOf(b, kBuckets)];
  return total * 8'000'000 / static_cast<uint64_t>(spanUs);
}

}  // namespace treff::bwe
