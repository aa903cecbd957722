// The recent packets of one incoming RTP stream, kept for answering NACKs (RFC 4585 §6.2.1):
// one RetransmissionRing per stream of a Publication. It holds the received pooled buffers
// themselves (util::PacketRef, no copy), indexed by sequence number. Per packet: no allocation,
// no exception; releasing a slot hands its buffer back to the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "rtp/seq_num.hpp"
#include "util/packet_pool.hpp"

namespace treff::rtp {

enum class RingInsert : uint8_t {
  Stored,
  Duplicate,  // this sequence number is already held; the held copy stays
  Restarted,  // a full ring behind the newest: taken as a sequence restart, the ring cleared
  NoPacket,   // a null PacketRef: nothing stored
};

// Sequence numbers are unwrapped onto a 64-bit line (relative to the newest held), and every
// slot keeps the unwrapped number of its packet, so a slot left over from an earlier lap never
// answers for the wrong packet. The ring holds the newest `capacity` sequence numbers; a packet
// is findable until it is older than maxAgeUs. Expired packets are released a few at a time on
// insert, and all at once by releaseExpired() (for the worker's tick, so a paused stream does
// not keep pool buffers).
class RetransmissionRing {
 public:
  // capacity: a power of two from 2 to 32768 (throws std::invalid_argument otherwise).
  explicit RetransmissionRing(size_t capacity = 1024, uint64_t maxAgeUs = 1'000'000);

  // Keeps `packet` (any out-of-order position inside the window works). A packet more than
  // `capacity` behind the newest cannot be a recent one: the stream restarted (a new encoder),
  // so the ring starts over from it.
  RingInsert insert(uint16_t seq, util::PacketRef packet, uint64_t nowUs);

  // The packet with this sequence number, or nullptr if it was never held, was overwritten or
  // released, or is older than maxAgeUs at nowUs. Valid until the next non-const call.
  const util::PacketRef* find(uint16_t seq, uint64_t nowUs) const;

  // Releases every held packet older than maxAgeUs at nowUs.
  void releaseExpired(uint64_t nowUs);
  // Releases everything and forgets the sequence line.
  void clear();

  size_t capacity() const { return mask_ + 1; }
  size_t held() const { return held_; }

 private:
  struct Slot {
    util::PacketRef packet;
    int64_t seq = 0;  // unwrapped; meaningful while packet is set
    uint64_t storedUs = 0;
  };

  void release(Slot& s);
  bool expired(const Slot& s, uint64_t nowUs) const {
    return nowUs > s.storedUs && nowUs - s.storedUs > maxAgeUs_;
  }
  // Releases expired packets from the oldest end, looking at no more than `budget` slots.
  void releaseOldest(uint64_t nowUs, size_t budget);

  std::unique_ptr<Slot[]> slots_;
  size_t mask_;
  uint64_t maxAgeUs_;
  SeqUnwrapper unwrapper_;
  int64_t newest_ = 0;
  int64_t oldest_ = 0;  // no held packet is older than this
  size_t held_ = 0;
};

}  // namespace treff::rtp
