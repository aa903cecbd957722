#include "bwe/send_history.hpp"

#include <stdexcept>

namespace treff::bwe {

SendHistory::SendHistory(size_t capacity) {
  if (capacity == 0 || capacity > kMaxCapacity) {
    throw std::invalid_argument("SendHistory capacity must be between 1 and 32768");
  }
  size_t rounded = 1;
  while (rounded < capacity) rounded <<= 1;
  slots_.assign(rounded, SentPacket{});
  mask_ = rounded - 1;
}

int64_t SendHistory::onSent(uint16_t seq, int64_t sendUs, size_t size, bool probe,
                            uint16_t probeCluster) {
  const int64_t unwrapped = unwrapper_.unwrap(seq);
  if (unwrapped > newest_) newest_ = unwrapped;
  SentPacket& slot = slots_[static_cast<uint64_t>(unwrapped) & mask_];
  slot.seq = unwrapped;
  slot.sendUs = sendUs;
  slot.size = size > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(size);
  slot.probe = probe;
  slot.probeCluster = probeCluster;
  slot.feedback = FeedbackState::kUnreported;
  return unwrapped;
}

SentPacket* SendHistory::find(uint16_t seq) {
  return const_cast<SentPacket*>(static_cast<const SendHistory*>(this)->find(seq));
}

const SentPacket* SendHistory::find(uint16_t seq) const {
  if (empty()) return nullptr;
  const int64_t unwrapped = unwrapper_.peek(seq);
  if (unwrapped > newest_ || newest_ - unwrapped >= static_cast<int64_t>(slots_.size())) {
    return nullptr;
  }
  const SentPacket& slot = slots_[static_cast<uint64_t>(unwrapped) & mask_];
  return slot.seq == unwrapped ? &slot : nullptr;
}

}  // namespace treff::bwe
