// What every synthetic media packet carries in its payload so a receiver in the same process can
// measure loss and one-way delay: who sent it, its per-track sequence number and the sender's
// CLOCK_MONOTONIC time. Placed after the VP8 payload header, or after the Opus TOC byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "util/bytes.hpp"

namespace treff::loadgen {

struct MediaStamp {
  static constexpr uint16_t kMagic = 0x544c;  // "TL"
  static constexpr size_t kSize = 18;         // magic 2, publisher 4, sequence 4, time 8

  uint32_t publisher = 0;  // index of the publishing participant in the run
  uint32_t sequence = 0;   // per track, from 0
  uint64_t sendUs = 0;     // util::nowUs() when the packet was built

  void write(uint8_t* at) const {
    util::storeBe16(at, kMagic);
    util::storeBe32(at + 2, publisher);
    util::storeBe32(at + 6, sequence);
    util::storeBe32(at + 10, static_cast<uint32_t>(sendUs >> 32));
    util::storeBe32(at + 14, static_cast<uint32_t>(sendUs));
  }
  // False when the bytes at `at` (of `available` bytes) hold no stamp.
  bool read(const uint8_t* at, size_t available) {
    if (available < kSize || util::loadBe16(at) != kMagic) return false;
    publisher = util::loadBe32(at + 2);
    sequence = util::loadBe32(at + 6);
    sendUs = uint64_t{util::loadBe32(at + 10)} << 32 | util::loadBe32(at + 14);
    return true;
  }
};

// Offsets of the stamp inside each codec's payload.
inline constexpr size_t kVp8StampAfterDescriptor = 10;  // after the key frame header's 10 bytes
inline constexpr size_t kOpusStampOffset = 1;           // after the TOC byte (RFC 6716 §3.1)

}  // namespace treff::loadgen
