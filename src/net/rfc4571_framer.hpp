// RFC 4571 framing: each packet on a stream is preceded by a 16-bit big-endian length.
// ICE-TCP (RFC 6544) carries STUN, DTLS and SRTP this way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/bytes.hpp"

namespace treff::net {

class Rfc4571Framer {
 public:
  enum class Drop { None, TooLarge, Empty };

  // Frames longer than maxFrame are skipped (their bytes consumed) and counted.
  explicit Rfc4571Framer(size_t maxFrame);

  // Consumes stream bytes; calls onFrame(util::ConstBytes) for each complete frame. The span is
  // valid only during the call.
  template <typename F>
  void feed(util::ConstBytes bytes, F&& onFrame) {
    size_t i = 0;
    while (i < bytes.size()) {
      if (headerHave_ < 2) {
        header_[headerHave_++] = bytes[i++];
        if (headerHave_ == 2) startFrame();
        continue;
      }
      size_t want = need_ - have_;
      size_t take = bytes.size() - i < want ? bytes.size() - i : want;
      if (!skipping_) {
        for (size_t k = 0; k < take; ++k) frame_[have_ + k] = bytes[i + k];
      }
      have_ += take;
      i += take;
      if (have_ == need_) {
        if (!skipping_) onFrame(util::ConstBytes(frame_.data(), need_));
        resetFrame();
      }
    }
  }

  uint64_t framesTooLarge() const { return tooLarge_; }
  uint64_t framesEmpty() const { return empty_; }

  // Writes the 2-byte header for a frame of `length` bytes; false if length > 65535.
  static bool writeHeader(uint8_t* out, size_t length);

 private:
  void startFrame();
  void resetFrame() {
    headerHave_ = 0;
    have_ = 0;
    need_ = 0;
    skipping_ = false;
  }

  std::vector<uint8_t> frame_;  // sized once, at construction
  uint8_t header_[2] = {0, 0};
  size_t headerHave_ = 0;
  size_t need_ = 0;
  size_t have_ = 0;
  bool skipping_ = false;
  uint64_t tooLarge_ = 0;
  uint64_t empty_ = 0;
};

}  // namespace treff::net
