#include "rtp/nack_generator.hpp"

#include <algorithm>
#include <stdexcept>

namespace treff::rtp {

NackGenerator::NackGenerator(const Config& config) : config_(config) {
  if (config_.capacity == 0) throw std::invalid_argument("NackGenerator capacity must be > 0");
  list_ = std::make_unique<Missing[]>(config_.capacity);
}

void NackGenerator::clear() {
  head_ = count_ = live_ = 0;
  unwrapper_.reset();
  highest_ = 0;
}

void NackGenerator::kill(Missing& m) {
  if (!m.live) return;
  m.live = false;
  --live_;
}

void NackGenerator::popDeadFront() {
  while (count_ > 0 && !at(0).live) {
    head_ = (head_ + 1) % config_.capacity;
    --count_;
  }
}

void NackGenerator::compact() {
  size_t kept = 0;
  for (size_t i = 0; i < count_; ++i) {
    if (at(i).live) at(kept++) = at(i);
  }
  count_ = kept;
}

bool NackGenerator::addMissing(int64_t first, int64_t last, uint64_t nowUs) {
  bool complete = true;
  const int64_t cap = static_cast<int64_t>(config_.capacity);
  if (last - first + 1 > cap) {
    first = last - cap + 1;
    complete = false;
  }
  for (int64_t s = first; s <= last; ++s) {
    if (count_ == config_.capacity && live_ < count_) compact();
    if (count_ == config_.capacity) {
      kill(at(0));
      popDeadFront();
      complete = false;
    }
    Missing& m = at(count_++);
    m = Missing{s, nowUs, 0, 0, true};
    ++live_;
  }
  return complete;
}

size_t NackGenerator::indexOf(int64_t seq) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (at(mid).seq < seq) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < count_ && at(lo).seq == seq ? lo : count_;
}

NackPacketEvent NackGenerator::onPacket(uint16_t seq, uint64_t nowUs, bool isKeyframe) {
  if (!unwrapper_.started()) {
    highest_ = unwrapper_.unwrap(seq);
    return NackPacketEvent::First;
  }
  const int64_t u = unwrapper_.peek(seq);
  const int64_t jump = u - highest_;
  if (jump > kRestartGap || jump < -kRestartGap) {
    clear();
    highest_ = unwrapper_.unwrap(seq);
    return NackPacketEvent::Restart;
  }

  NackPacketEvent event = NackPacketEvent::Old;
  if (jump > 0) {
    unwrapper_.unwrap(seq);
    event = NackPacketEvent::InOrder;
    if (jump > 1) {
      event =
          addMissing(highest_ + 1, u - 1, nowUs) ? NackPacketEvent::Gap : NackPacketEvent::Overflow;
    }
    highest_ = u;
  } else if (jump < 0) {
    const size_t i = indexOf(u);
    if (i < count_ && at(i).live) {
      kill(at(i));
      event = NackPacketEvent::Recovered;
    }
  }

  if (isKeyframe) {
    // The decoder restarts at this keyframe: what was lost before it is no longer needed.
    while (count_ > 0 && at(0).seq < u) {
      kill(at(0));
      head_ = (head_ + 1) % config_.capacity;
      --count_;
    }
  }
  popDeadFront();
  return event;
}

size_t NackGenerator::collectNacks(uint64_t nowUs, uint32_t rttMs, std::span<uint16_t> out) {
  const uint64_t retryUs = uint64_t{std::max(rttMs, config_.minRetryMs)} * 1000;
  size_t n = 0;
  for (size_t i = 0; i < count_; ++i) {
    Missing& m = at(i);
    if (!m.live) continue;
    if ((nowUs > m.detectedUs && nowUs - m.detectedUs > config_.maxAgeUs) ||
        m.requests >= config_.maxRequests) {
      kill(m);
      continue;
    }
    const bool due =
        m.requests == 0 || (nowUs >= m.lastRequestUs && nowUs - m.lastRequestUs >= retryUs);
    if (!due || n == out.size()) continue;
    out[n++] = static_cast<uint16_t>(m.seq);
    ++m.requests;
    m.lastRequestUs = nowUs;
  }
  popDeadFront();
  return n;
}

}  // namespace treff::rtp
