// Fixed-size packet buffers from a per-worker pool: no heap allocation per packet.
//
// A buffer is reference counted (single thread: the worker that owns the pool), so the
// retransmission ring can keep a received buffer without copying it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>

namespace treff::util {

class PacketPool;

struct PacketBuffer {
  // Room for a 1500-byte MTU datagram plus SRTP/SRTCP growth and RFC 4571 framing.
  static constexpr size_t kCapacity = 1600;
  // Reserved in front of the payload, so a TCP frame header can be written without a copy.
  static constexpr size_t kHeadroom = 2;

  uint8_t storage[kHeadroom + kCapacity];
  uint32_t size = 0;
  uint32_t refs = 0;
  PacketBuffer* nextFree = nullptr;
  PacketPool* pool = nullptr;

  uint8_t* data() { return storage + kHeadroom; }
  const uint8_t* data() const { return storage + kHeadroom; }
};

// A counted reference to a pooled buffer; returns it to the pool on the last release.
class PacketRef {
 public:
  PacketRef() = default;
  explicit PacketRef(PacketBuffer* b) : buf_(b) {
    if (buf_) ++buf_->refs;
  }
  PacketRef(const PacketRef& o) : PacketRef(o.buf_) {}
  PacketRef(PacketRef&& o) noexcept : buf_(std::exchange(o.buf_, nullptr)) {}
  PacketRef& operator=(PacketRef o) noexcept {
    std::swap(buf_, o.buf_);
    return *this;
  }
  ~PacketRef() { reset(); }

  void reset();
  PacketBuffer* get() const { return buf_; }
  PacketBuffer* operator->() const { return buf_; }
  explicit operator bool() const { return buf_ != nullptr; }

 private:
  PacketBuffer* buf_ = nullptr;
};

class PacketPool {
 public:
  explicit PacketPool(size_t count);
  PacketPool(const PacketPool&) = delete;
  PacketPool& operator=(const PacketPool&) = delete;

  // Null when the pool is exhausted: the caller drops the packet and counts it.
  PacketRef acquire() {
    PacketBuffer* b = free_;
    if (!b) return PacketRef();
    free_ = b->nextFree;
    --available_;
    b->size = 0;
    return PacketRef(b);
  }
  size_t available() const { return available_; }
  size_t capacity() const { return count_; }

 private:
  friend class PacketRef;
  void release(PacketBuffer* b) {
    b->nextFree = free_;
    free_ = b;
    ++available_;
  }

  std::unique_ptr<PacketBuffer[]> buffers_;
  PacketBuffer* free_ = nullptr;
  size_t count_;
  size_t available_ = 0;
};

inline void PacketRef::reset() {
  if (buf_ && --buf_->refs == 0) buf_->pool->release(buf_);
  buf_ = nullptr;
}

}  // namespace treff::util
