// Delivery of one publisher's track to one subscriber, counted from the MediaStamps: unique
// packets received against the stamp sequence range seen (RTP's own expected-count rule, RFC
// 3550 A.3), duplicates, and a histogram of one-way delays. No allocation per packet.
#pragma once

#include <bitset>
#include <cstdint>

#include "delay_histogram.hpp"

namespace treff::loadgen {

class FlowStats {
 public:
  static constexpr uint32_t kDedupWindow = 4096;

  void onPacket(uint32_t stampSequence, uint64_t delayUs);
  // Forget everything: the measured phase starts.
  void reset();

  bool started() const { return started_; }
  uint64_t received() const { return received_; }
  uint64_t duplicates() const { return duplicates_; }
  uint64_t tooOld() const { return tooOld_; }
  // Packets between the first and the newest stamp sequence seen, both included.
  uint64_t expected() const { return started_ ? uint64_t{highest_ - first_} + 1 : 0; }
  const DelayHistogram& delay() const { return delay_; }

 private:
  bool started_ = false;
  uint32_t first_ = 0;
  uint32_t highest_ = 0;
  uint64_t received_ = 0;
  uint64_t duplicates_ = 0;
  uint64_t tooOld_ = 0;  // older than the dedup window: not counted
  std::bitset<kDedupWindow> seen_;
  DelayHistogram delay_;
};

}  // namespace treff::loadgen
