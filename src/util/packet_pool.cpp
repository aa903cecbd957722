#include "util/packet_pool.hpp"

namespace treff::util {

PacketPool::PacketPool(size_t count) : buffers_(new PacketBuffer[count]), count_(count) {
  for (size_t i = 0; i < count; ++i) {
    buffers_[i].pool = this;
    release(&buffers_[i]);
  }
}

}  // namespace treff::util
