// Receive side of transport-wide congestion control for one incoming transport: records the
// arrival time of each transport-wide sequence number and writes the feedback packets
// (draft-holmer-rmcat-transport-wide-cc-extensions-01) the sender's bandwidth estimator needs,
// roughly every 50-100 ms.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace treff::rtp {

class TwccFeedbackGenerator {
 public:
  // Packets further than this behind the newest one are forgotten unreported.
  static constexpr size_t kWindow = 8192;

  TwccFeedbackGenerator();

  // Per packet: no allocation. Duplicates and packets older than the last feedback are ignored.
  void onPacket(uint16_t wideSeq, uint64_t arrivalUs);

  // Whether some packet arrived that no feedback has covered yet.
  bool hasPending() const { return started_ && highest_ >= nextToReport_; }

  // Writes one feedback covering the packets since the last one (those that did not arrive as
  // not received). If not all fit in `cap`, or a time delta needs more than 16 bits, reports what
  // fits and keeps the rest for the next call. Returns the size, 0 if nothing is pending or
  // nothing fits.
  size_t buildFeedback(uint8_t* out, size_t cap, uint32_t senderSsrc, uint32_t mediaSsrc);

  // The feedback packet count the next feedback will carry.
  uint8_t nextFeedbackCount() const { return feedbackCount_; }

 private:
  int64_t& slot(int64_t seq) { return arrivals_[static_cast<uint64_t>(seq) % kWindow]; }
  void forget(int64_t from, int64_t to);  // clears [from, to)

  // Arrival times in us (or kTwccNotReceived), indexed by unwrapped sequence number; slots
  // outside [nextToReport_, highest_] always hold kTwccNotReceived.
  std::unique_ptr<int64_t[]> arrivals_;
  int64_t nextToReport_ = 0;  // unwrapped
  int64_t highest_ = -1;      // unwrapped, newest packet seen
  bool started_ = false;
  bool anyReported_ = false;
  uint8_t feedbackCount_ = 0;
};

}  // namespace treff::rtp
