// RFC 3711 §3.3.2 replay protection: a sliding window of the 128 indexes at and below the
// highest accepted one. Used with 48-bit SRTP indexes and 31-bit SRTCP indexes.
#pragma once

#include <cstdint>

namespace treff::srtp {

class ReplayWindow {
 public:
  static constexpr uint64_t kSize = 128;

  enum class Verdict { New, Old, Duplicate };

  bool empty() const { return empty_; }
  uint64_t highest() const { return highest_; }

  // Read-only: the caller authenticates the packet before accept().
  Verdict check(uint64_t index) const {
    if (empty_ || index > highest_) return Verdict::New;
    const uint64_t behind = highest_ - index;
    if (behind >= kSize) return Verdict::Old;
    return bit(behind) ? Verdict::Duplicate : Verdict::New;
  }

  // Records index as received; moves the window forward when index is the new highest.
  void accept(uint64_t index) {
    if (empty_) {
      empty_ = false;
      highest_ = index;
      low_ = 1;
      high_ = 0;
      return;
    }
    if (index > highest_) {
      shift(index - highest_);
      highest_ = index;
      low_ |= 1;
      return;
    }
    const uint64_t behind = highest_ - index;
    if (behind < kSize) setBit(behind);
  }

 private:
  // Bit n (0 = highest_) of the 128-bit mask high_:low_.
  bool bit(uint64_t n) const { return n < 64 ? (low_ >> n) & 1 : (high_ >> (n - 64)) & 1; }
  void setBit(uint64_t n) {
    if (n < 64) {
      low_ |= uint64_t{1} << n;
    } else {
      high_ |= uint64_t{1} << (n - 64);
    }
  }
  void shift(uint64_t n) {
    if (n >= kSize) {
      low_ = high_ = 0;
    } else if (n >= 64) {
      high_ = low_ << (n - 64);
      low_ = 0;
    } else {
      high_ = (high_ << n) | (low_ >> (64 - n));
      low_ <<= n;
    }
  }

  bool empty_ = true;
  uint64_t highest_ = 0;
  uint64_t low_ = 0;
  uint64_t high_ = 0;
};

}  // namespace treff::srtp
