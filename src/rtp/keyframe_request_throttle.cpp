#include "rtp/keyframe_request_throttle.hpp"

namespace treff::rtp {

void KeyframeRequestThrottle::grant(uint64_t nowMs) {
  if (!outstanding_) firSeqNr_ = nextFirSeqNr_++;
  outstanding_ = true;
  requested_ = true;
  pending_ = false;
  lastRequestMs_ = nowMs;
}

bool KeyframeRequestThrottle::shouldRequest(uint64_t nowMs) {
  if (dueAt(nowMs)) {
    grant(nowMs);
    return true;
  }
  pending_ = true;
  return false;
}

bool KeyframeRequestThrottle::pendingDue(uint64_t nowMs) {
  if (!pending_ || !dueAt(nowMs)) return false;
  grant(nowMs);
  return true;
}

void KeyframeRequestThrottle::onKeyframe() {
  pending_ = false;
  outstanding_ = false;
}

}  // namespace treff::rtp
