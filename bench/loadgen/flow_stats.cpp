#include "flow_stats.hpp"

namespace treff::loadgen {

void FlowStats::onPacket(uint32_t sequence, uint64_t delayUs) {
  if (!started_) {
    started_ = true;
    first_ = highest_ = sequence;
    seen_.reset();
  } else if (sequence > highest_) {
    // Slots between the old and the new newest belong to packets not seen yet.
    if (sequence - highest_ >= kDedupWindow) {
      seen_.reset();
    } else {
      for (uint32_t s = highest_ + 1; s != sequence; ++s) seen_.reset(s % kDedupWindow);
    }
    highest_ = sequence;
  } else if (highest_ - sequence >= kDedupWindow || sequence < first_) {
    ++tooOld_;
    return;
  } else if (seen_.test(sequence % kDedupWindow)) {
    ++duplicates_;
    return;
  }
  seen_.set(sequence % kDedupWindow);
  ++received_;
  delay_.record(delayUs);
}

void FlowStats::reset() {
  started_ = false;
  received_ = duplicates_ = tooOld_ = 0;
  delay_.clear();
}

}  // namespace treff::loadgen
