#include "srtp/stream_table.hpp"

#include <stdexcept>

namespace treff::srtp {

StreamTable::StreamTable(size_t capacity) {
  if (capacity == 0 || capacity >= kEmpty) {
    throw std::invalid_argument("SRTP stream table capacity must be 1..65534");
  }
  entries_.resize(capacity);
  // A load factor of at most one half keeps linear probes short.
  size_t slots = 2;
  slotShift_ = 31;
  while (slots < capacity * 2) {
    slots *= 2;
    --slotShift_;
  }
  slots_.assign(slots, kEmpty);
  slotMask_ = slots - 1;
}

size_t StreamTable::slotOf(uint32_t ssrc) const {
  // Fibonacci hashing spreads SSRCs that differ in few bits.
  return static_cast<size_t>((ssrc * 0x9E3779B1u) >> slotShift_);
}

uint16_t StreamTable::locate(uint32_t ssrc) const {
  for (size_t slot = slotOf(ssrc);; slot = (slot + 1) & slotMask_) {
    const uint16_t e = slots_[slot];
    if (e == kEmpty || entries_[e].ssrc == ssrc) return e;
  }
}

StreamState* StreamTable::find(uint32_t ssrc) {
  const uint16_t e = locate(ssrc);
  return e == kEmpty ? nullptr : &entries_[e];
}

const StreamState* StreamTable::find(uint32_t ssrc) const {
  const uint16_t e = locate(ssrc);
  return e == kEmpty ? nullptr : &entries_[e];
}

void StreamTable::eraseSlot(size_t slot) {
  // Backward-shift deletion keeps every remaining entry reachable from its home slot.
  size_t hole = slot;
  for (size_t next = (hole + 1) & slotMask_; slots_[next] != kEmpty;
       next = (next + 1) & slotMask_) {
    const size_t home = slotOf(entries_[slots_[next]].ssrc);
    // Move next into the hole unless its home lies cyclically in (hole, next].
    const bool homeBetween =
        hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
    if (!homeBetween) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = kEmpty;
}

StreamState& StreamTable::insert(uint32_t ssrc) {
  uint16_t e;
  if (used_ < entries_.size()) {
    e = static_cast<uint16_t>(used_++);
  } else {
    size_t lru = 0;
    for (size_t i = 1; i < entries_.size(); ++i) {
      if (entries_[i].lastUsed < entries_[lru].lastUsed) lru = i;
    }
    size_t slot = slotOf(entries_[lru].ssrc);
    while (slots_[slot] != lru) slot = (slot + 1) & slotMask_;
    eraseSlot(slot);
    e = static_cast<uint16_t>(lru);
    ++evictions_;
  }
  size_t slot = slotOf(ssrc);
  while (slots_[slot] != kEmpty) slot = (slot + 1) & slotMask_;
  slots_[slot] = e;
  entries_[e] = StreamState{};
  entries_[e].ssrc = ssrc;
  entries_[e].lastUsed = ++clock_;
  return entries_[e];
}

}  // namespace treff::srtp
