// Wraparound arithmetic for 16-bit RTP sequence numbers and 32-bit RTP timestamps (RFC 3550 §5.1
// lets both wrap). "Newer" means ahead by less than half the number space; at exactly half,
// the numerically larger value counts as newer so that the relation stays antisymmetric.
#pragma once

#include <cstdint>

namespace treff::rtp {

constexpr bool isNewerSeq(uint16_t a, uint16_t b) {
  const uint16_t ahead = static_cast<uint16_t>(a - b);
  if (ahead == 0x8000) return a > b;
  return ahead != 0 && ahead < 0x8000;
}

// Signed distance from b to a, in [-32768, 32768]; positive exactly when isNewerSeq(a, b).
constexpr int32_t seqDiff(uint16_t a, uint16_t b) {
  const uint16_t ahead = static_cast<uint16_t>(a - b);
  if (ahead == 0x8000) return a > b ? 0x8000 : -0x8000;
  return ahead < 0x8000 ? static_cast<int32_t>(ahead) : static_cast<int32_t>(ahead) - 0x10000;
}

constexpr bool isNewerTimestamp(uint32_t a, uint32_t b) {
  const uint32_t ahead = a - b;
  if (ahead == 0x80000000u) return a > b;
  return ahead != 0 && ahead < 0x80000000u;
}

// Signed distance from b to a; positive exactly when isNewerTimestamp(a, b).
constexpr int64_t timestampDiff(uint32_t a, uint32_t b) {
  const uint32_t ahead = a - b;
  if (ahead == 0x80000000u) return a > b ? int64_t{0x80000000} : -int64_t{0x80000000};
  return ahead < 0x80000000u ? static_cast<int64_t>(ahead)
                             : static_cast<int64_t>(ahead) - (int64_t{1} << 32);
}

// Maps a stream of wrapping 16-bit sequence numbers onto a 64-bit line. The first value maps to
// itself; each later value lands within half the number space of the newest one seen, so late
// (reordered) packets map below the newest and can map below zero if they precede the first.
class SeqUnwrapper {
 public:
  int64_t unwrap(uint16_t seq) {
    const int64_t v = peek(seq);
    if (!started_ || v > last_) last_ = v;
    started_ = true;
    return v;
  }
  // The value unwrap() would return, without updating the state.
  int64_t peek(uint16_t seq) const {
    if (!started_) return seq;
    return last_ + seqDiff(seq, static_cast<uint16_t>(last_));
  }
  bool started() const { return started_; }
  void reset() { started_ = false, last_ = 0; }

 private:
  int64_t last_ = 0;
  bool started_ = false;
};

// The same for 32-bit RTP timestamps.
class TimestampUnwrapper {
 public:
  int64_t unwrap(uint32_t ts) {
    const int64_t v = peek(ts);
    if (!started_ || v > last_) last_ = v;
    started_ = true;
    return v;
  }
  int64_t peek(uint32_t ts) const {
    if (!started_) return ts;
    return last_ + timestampDiff(ts, static_cast<uint32_t>(last_));
  }
  bool started() const { return started_; }
  void reset() { started_ = false, last_ = 0; }

 private:
  int64_t last_ = 0;
  bool started_ = false;
};

}  // namespace treff::rtp
