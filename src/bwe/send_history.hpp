// The packets a subscriber transport has sent, keyed by the transport-wide sequence number that
// transport-wide CC feedback reports on (draft-holmer-rmcat-transport-wide-cc-extensions-01 §2).
// A fixed ring allocated once; per packet nothing is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtp/seq_num.hpp"

namespace treff::bwe {

// What feedback has said about a sent packet so far.
enum class FeedbackState : uint8_t { kUnreported, kLost, kReceived };

struct SentPacket {
  int64_t seq = INT64_MIN;  // unwrapped transport-wide sequence; INT64_MIN: empty slot
  int64_t sendUs = 0;
  uint32_t size = 0;          // bytes on the wire
  uint16_t probeCluster = 0;  // 0: not part of a probe cluster
  bool probe = false;         // padding or probe packet
  FeedbackState feedback = FeedbackState::kUnreported;
};

class SendHistory {
 public:
  static constexpr size_t kDefaultCapacity = 8192;
  // Half the 16-bit space, so that every stored sequence unwraps unambiguously.
  static constexpr size_t kMaxCapacity = 32768;

  // Rounds `capacity` up to a power of two. Throws std::invalid_argument for 0 or above
  // kMaxCapacity.
  explicit SendHistory(size_t capacity = kDefaultCapacity);

  // Records a sent packet and returns its unwrapped sequence. Overwrites the oldest entry.
  int64_t onSent(uint16_t seq, int64_t sendUs, size_t size, bool probe, uint16_t probeCluster = 0);

  // The packet sent with `seq`, or nullptr if it was never sent, or was evicted since.
  SentPacket* find(uint16_t seq);
  const SentPacket* find(uint16_t seq) const;

  // The unwrapped value `seq` maps to relative to the newest sent packet.
  int64_t unwrap(uint16_t seq) const { return unwrapper_.peek(seq); }
  bool empty() const { return !unwrapper_.started(); }
  int64_t newestSeq() const { return newest_; }
  size_t capacity() const { return slots_.size(); }

 private:
  std::vector<SentPacket> slots_;
  size_t mask_ = 0;
  rtp::SeqUnwrapper unwrapper_;
  int64_t newest_ = INT64_MIN;
};

}  // namespace treff::bwe
