// Aggregates the keyframe requests (PLI, RFC 4585 §6.3.1; FIR, RFC 5104 §4.3.1) that a
// publication's subscribers send, so the publisher gets at most one per interval and no request
// is lost: one KeyframeRequestThrottle per published stream. Per packet and per tick: no
// allocation, no exception.
#pragma once

#include <cstdint>

namespace treff::rtp {

class KeyframeRequestThrottle {
 public:
  static constexpr uint64_t kDefaultIntervalMs = 300;

  explicit KeyframeRequestThrottle(uint64_t intervalMs = kDefaultIntervalMs)
      : intervalMs_(intervalMs) {}

  // A subscriber asked for a keyframe. True: send a request upstream now. False: one went out
  // less than an interval ago; this one is remembered and pendingDue() releases it when the
  // interval is over (unless a keyframe arrives first).
  bool shouldRequest(uint64_t nowMs);

  // Polled from the worker's tick: true (once) when a remembered request is due now; the caller
  // sends it as if shouldRequest() had returned true.
  bool pendingDue(uint64_t nowMs);

  // A keyframe arrived: the remembered request is answered, and so is the outstanding one.
  void onKeyframe();

  bool pending() const { return pending_; }

  // RFC 5104 §4.3.1.2: the command sequence number to put in the FIR for the request just
  // granted. It is incremented per new request; a request granted while the previous one is
  // still unanswered (no keyframe since) is a repetition and keeps the number.
  uint8_t firSeqNr() const { return firSeqNr_; }

 private:
  bool dueAt(uint64_t nowMs) const {
    return !requested_ || (nowMs >= lastRequestMs_ && nowMs - lastRequestMs_ >= intervalMs_);
  }
  void grant(uint64_t nowMs);

  uint64_t intervalMs_;
  uint64_t lastRequestMs_ = 0;
  bool requested_ = false;    // a request was ever granted
  bool outstanding_ = false;  // the last granted request has not been answered by a keyframe
  bool pending_ = false;      // a request waits for the interval to end
  uint8_t firSeqNr_ = 0;
  uint8_t nextFirSeqNr_ = 0;
};

}  // namespace treff::rtp
