#include "rtp/twcc_feedback_generator.hpp"

#include <algorithm>
#include <span>

#include "rtp/rtcp_twcc.hpp"

namespace treff::rtp {

namespace {
int64_t floorDiv(int64_t value, int64_t divisor) {
  const int64_t q = value / divisor;
  return (value % divisor != 0 && value < 0) ? q - 1 : q;
}
}  // namespace

TwccFeedbackGenerator::TwccFeedbackGenerator() : arrivals_(new int64_t[kWindow]) {
  std::fill_n(arrivals_.get(), kWindow, kTwccNotReceived);
}

void TwccFeedbackGenerator::forget(int64_t from, int64_t to) {
  if (to - from >= static_cast<int64_t>(kWindow)) {
    std::fill_n(arrivals_.get(), kWindow, kTwccNotReceived);
    return;
  }
  for (int64_t seq = from; seq < to; ++seq) slot(seq) = kTwccNotReceived;
}

void TwccFeedbackGenerator::onPacket(uint16_t wideSeq, uint64_t arrivalUs) {
  constexpr int64_t window = static_cast<int64_t>(kWindow);
  if (!started_) {
    // Start one cycle up so that unwrapping backwards stays positive.
    started_ = true;
    highest_ = nextToReport_ = int64_t{wideSeq} + 0x10000;
    slot(highest_) = static_cast<int64_t>(arrivalUs);
    return;
  }
  const int64_t seq =
      highest_ +
      static_cast<int16_t>(static_cast<uint16_t>(wideSeq - static_cast<uint16_t>(highest_)));
  if (seq < nextToReport_) {
    // Reordered ahead of everything seen so far: take it unless a feedback already went out
    // past it, or it would stretch the window.
    if (anyReported_ || highest_ - seq >= window) return;
    nextToReport_ = seq;
  } else if (seq > highest_) {
    if (seq - nextToReport_ >= window) {
      const int64_t newStart = seq - window + 1;
      forget(nextToReport_, std::min(newStart, highest_ + 1));
      nextToReport_ = newStart;
    }
    highest_ = seq;
  }
  int64_t& arrival = slot(seq);
  if (arrival == kTwccNotReceived) arrival = static_cast<int64_t>(arrivalUs);
}

size_t TwccFeedbackGenerator::buildFeedback(uint8_t* out, size_t cap, uint32_t senderSsrc,
                                            uint32_t mediaSsrc) {
  if (!hasPending()) return 0;
  const size_t count = static_cast<size_t>(highest_ - nextToReport_ + 1);
  // The reference time is that of the first packet that arrived, so its delta is small.
  int64_t firstArrival = kTwccNotReceived;
  for (int64_t seq = nextToReport_; seq <= highest_; ++seq) {
    if (slot(seq) != kTwccNotReceived) {
      firstArrival = slot(seq);
      break;
    }
  }
  if (firstArrival == kTwccNotReceived) return 0;  // not reachable: highest_ always arrived

  const size_t start = static_cast<uint64_t>(nextToReport_) % kWindow;
  const size_t firstPart = std::min(count, kWindow - start);
  const std::span<const int64_t> ring(arrivals_.get(), kWindow);

  TwccFeedbackParams params;
  params.senderSsrc = senderSsrc;
  params.mediaSsrc = mediaSsrc;
  params.baseSeq = static_cast<uint16_t>(nextToReport_);
  params.referenceTime = floorDiv(firstArrival, kTwccReferenceUnitUs);
  params.feedbackCount = feedbackCount_;
  const TwccBuildResult result = buildTwccFeedback(out, cap, params, ring.subspan(start, firstPart),
                                                   ring.subspan(0, count - firstPart));
  if (result.size == 0) return 0;

  const int64_t reportedEnd = nextToReport_ + static_cast<int64_t>(result.packetCount);
  forget(nextToReport_, reportedEnd);
  nextToReport_ = reportedEnd;
  anyReported_ = true;
  ++feedbackCount_;
  return result.size;
}

}  // namespace treff::rtp
