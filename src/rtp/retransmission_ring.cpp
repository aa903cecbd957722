#include "rtp/retransmission_ring.hpp"

#include <stdexcept>

namespace treff::rtp {

namespace {
// Slots looked at per insert when sweeping out expired packets: more than the one slot an
// insert advances, so the sweep catches up with a stream that went quiet and resumed.
constexpr size_t kSweepPerInsert = 2;
}  // namespace

RetransmissionRing::RetransmissionRing(size_t capacity, uint64_t maxAgeUs)
    : mask_(capacity - 1), maxAgeUs_(maxAgeUs) {
  if (capacity < 2 || capacity > 32768 || (capacity & (capacity - 1)) != 0) {
    throw std::invalid_argument("RetransmissionRing capacity must be a power of two in 2..32768");
  }
  slots_ = std::make_unique<Slot[]>(capacity);
}

void RetransmissionRing::release(Slot& s) {
  if (!s.packet) return;
  s.packet.reset();
  --held_;
}

void RetransmissionRing::clear() {
  for (size_t i = 0; i <= mask_; ++i) release(slots_[i]);
  unwrapper_.reset();
  newest_ = oldest_ = 0;
}

RingInsert RetransmissionRing::insert(uint16_t seq, util::PacketRef packet, uint64_t nowUs) {
  if (!packet) return RingInsert::NoPacket;
  const int64_t window = static_cast<int64_t>(capacity());
  RingInsert result = RingInsert::Stored;
  if (unwrapper_.started() && unwrapper_.peek(seq) <= newest_ - window) {
    clear();
    result = RingInsert::Restarted;
  }
  if (!unwrapper_.started()) {
    newest_ = oldest_ = unwrapper_.unwrap(seq);
  }
  const int64_t u = unwrapper_.unwrap(seq);
  if (u > newest_) {
    // The window moves up: slots it now covers hold packets a lap old (if any).
    if (u - newest_ >= window) {
      for (size_t i = 0; i <= mask_; ++i) release(slots_[i]);
    } else {
      for (int64_t v = newest_ + 1; v <= u; ++v) release(slots_[static_cast<size_t>(v) & mask_]);
    }
    newest_ = u;
    if (oldest_ < newest_ - window + 1) oldest_ = newest_ - window + 1;
  }
  Slot& slot = slots_[static_cast<size_t>(u) & mask_];
  if (slot.packet && slot.seq == u) return RingInsert::Duplicate;
  release(slot);
  slot.packet = std::move(packet);
  slot.seq = u;
  slot.storedUs = nowUs;
  ++held_;
  if (u < oldest_) oldest_ = u;
  releaseOldest(nowUs, kSweepPerInsert);
  return result;
}

const util::PacketRef* RetransmissionRing::find(uint16_t seq, uint64_t nowUs) const {
  if (!unwrapper_.started()) return nullptr;
  const int64_t u = unwrapper_.peek(seq);
  if (u > newest_ || u <= newest_ - static_cast<int64_t>(capacity())) return nullptr;
  const Slot& slot = slots_[static_cast<size_t>(u) & mask_];
  if (!slot.packet || slot.seq != u || expired(slot, nowUs)) return nullptr;
  return &slot.packet;
}

void RetransmissionRing::releaseOldest(uint64_t nowUs, size_t budget) {
  while (budget-- > 0 && oldest_ < newest_) {
    Slot& slot = slots_[static_cast<size_t>(oldest_) & mask_];
    const bool holdsOldest = slot.packet && slot.seq == oldest_;
    if (holdsOldest && !expired(slot, nowUs)) return;
    if (holdsOldest) release(slot);
    ++oldest_;
  }
}

void RetransmissionRing::releaseExpired(uint64_t nowUs) {
  releaseOldest(nowUs, capacity());
  // The newest packet is never swept from the oldest end; drop it too once it is stale.
  Slot& newest = slots_[static_cast<size_t>(newest_) & mask_];
  if (newest.packet && newest.seq == newest_ && expired(newest, nowUs)) release(newest);
}

}  // namespace treff::rtp
