// Loss detection and NACK scheduling for one incoming video stream (the SFU asks the publisher
// to resend what it lost upstream, RFC 4585 §6.2.1 generic NACK; build the packet with
// buildNack() from rtcp_nack.hpp). Per packet: no allocation, no exception; the list of missing
// packets has a fixed capacity.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtp/seq_num.hpp"

namespace treff::rtp {

// What one received packet meant for the loss list (for stats).
enum class NackPacketEvent : uint8_t {
  First,      // the first packet of the stream (or after a restart)
  InOrder,    // newer than any before, nothing lost in between
  Gap,        // newer than any before; the packets in between are now missing
  Recovered,  // a missing packet arrived (late, or retransmitted)
  Old,        // not newer and not missing: a duplicate, or lost long ago
  Restart,    // a jump of more than kRestartGap: the sender restarted, the list was cleared
  Overflow,   // a gap so large the oldest missing packets were forgotten: ask for a keyframe
};

class NackGenerator {
 public:
  // A jump in sequence numbers beyond this is not loss but a new sequence.
  static constexpr int32_t kRestartGap = 1000;

  struct Config {
    size_t capacity = 512;          // missing packets tracked at most
    uint32_t maxRequests = 10;      // NACKs per missing packet
    uint32_t minRetryMs = 20;       // resend after max(rtt, this)
    uint64_t maxAgeUs = 1'000'000;  // give up on a packet missing this long
  };

  explicit NackGenerator(const Config& config);
  NackGenerator() : NackGenerator(Config{}) {}

  // Records a received packet. A keyframe's packet makes the losses before it moot: the
  // decoder restarts from the keyframe.
  NackPacketEvent onPacket(uint16_t seq, uint64_t nowUs, bool isKeyframe);

  // Writes the sequence numbers to NACK now to `out`, oldest first (the order buildNack()
  // wants), and returns how many. A newly missing packet is due at once; a requested one again
  // after max(rttMs, minRetryMs); each at most maxRequests times. Packets missing longer than
  // maxAgeUs, or requested maxRequests times, are given up. What does not fit in `out` stays due.
  size_t collectNacks(uint64_t nowUs, uint32_t rttMs, std::span<uint16_t> out);

  // Packets currently missing (still to be requested or awaiting a retransmission).
  size_t missingCount() const { return live_; }
  void clear();

 private:
  struct Missing {
    int64_t seq = 0;  // unwrapped
    uint64_t detectedUs = 0;
    uint64_t lastRequestUs = 0;
    uint32_t requests = 0;
    bool live = false;  // false: recovered or given up (removed lazily)
  };

  Missing& at(size_t i) { return list_[(head_ + i) % config_.capacity]; }
  const Missing& at(size_t i) const { return list_[(head_ + i) % config_.capacity]; }
  void kill(Missing& m);
  void popDeadFront();
  // Appends the missing packets first..last (ascending); false if older ones were forgotten.
  bool addMissing(int64_t first, int64_t last, uint64_t nowUs);
  // Index of the entry for seq, or count_ if none.
  size_t indexOf(int64_t seq) const;
  void compact();

  Config config_;
  std::unique_ptr<Missing[]> list_;  // ascending by seq, a ring of config_.capacity entries
  size_t head_ = 0;
  size_t count_ = 0;  // entries, dead ones included
  size_t live_ = 0;
  SeqUnwrapper unwrapper_;
  int64_t highest_ = 0;
};

}  // namespace treff::rtp
