// Per-SSRC SRTP/SRTCP state in a table sized once at construction: no allocation per packet.
//
// Policy when full: the least recently used stream is evicted (and counted). An SFU's
// subscriber transport carries one outgoing SSRC per forwarded track, so refusing new streams
// would silence a participant; a stream that has not been used for the longest time is the
// likeliest to have ended. An evicted inbound stream loses its replay window, an evicted
// outbound stream its ROC: both restart as a fresh stream if the SSRC comes back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "srtp/replay_window.hpp"

namespace treff::srtp {

struct StreamState {
  uint32_t ssrc = 0;
  uint64_t lastUsed = 0;
  // SRTP: the highest index (ROC and sequence) and, inbound, the replay window.
  ReplayWindow rtp;
  // SRTCP outbound: the next index to send. Inbound: the replay window over received indexes.
  uint32_t rtcpNextIndex = 0;
  ReplayWindow rtcp;
};

class StreamTable {
 public:
  static constexpr size_t kDefaultCapacity = 64;

  explicit StreamTable(size_t capacity = kDefaultCapacity);

  // The stream for ssrc, or nullptr. Does not count as a use: unprotect looks streams up
  // before the packet has authenticated.
  StreamState* find(uint32_t ssrc);
  const StreamState* find(uint32_t ssrc) const;
  // Marks s as the most recently used stream.
  void touch(StreamState& s) { s.lastUsed = ++clock_; }
  // Adds a fresh stream for ssrc (which must not be present), evicting the least recently used
  // one when the table is full. The new stream counts as used.
  StreamState& insert(uint32_t ssrc);
  StreamState& findOrInsert(uint32_t ssrc) {
    StreamState* s = find(ssrc);
    if (!s) return insert(ssrc);
    touch(*s);
    return *s;
  }

  size_t size() const { return used_; }
  size_t capacity() const { return entries_.size(); }
  uint64_t evictions() const { return evictions_; }

 private:
  static constexpr uint16_t kEmpty = 0xffff;

  size_t slotOf(uint32_t ssrc) const;
  // Index into entries_ of ssrc's stream, or kEmpty.
  uint16_t locate(uint32_t ssrc) const;
  void eraseSlot(size_t slot);

  std::vector<StreamState> entries_;  // the first used_ are live
  std::vector<uint16_t> slots_;       // open addressing: index into entries_, or kEmpty
  size_t slotMask_ = 0;
  unsigned slotShift_ = 0;  // 32 - log2(slot count): the hash keeps the top bits
  size_t used_ = 0;
  uint64_t clock_ = 0;
  uint64_t evictions_ = 0;
};

}  // namespace treff::srtp
