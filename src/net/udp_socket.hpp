// A non-blocking UDP socket read with recvmmsg into pooled buffers, with sends batched per loop
// turn and written with one sendmmsg.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>

#include "net/event_loop.hpp"
#include "net/socket_address.hpp"
#include "util/packet_pool.hpp"

struct mmsghdr;

namespace treff::net {

class UdpSocket final : public IoHandler {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // `packet` holds the datagram (packet->size bytes at packet->data()).
    virtual void onUdpPacket(UdpSocket& socket, util::PacketRef packet, const SocketAddress& from,
                             uint64_t nowUs) = 0;
  };

  struct Stats {
    uint64_t datagramsReceived = 0;
    uint64_t datagramsSent = 0;
    uint64_t sendErrors = 0;
    uint64_t droppedNoBuffer = 0;  // the pool was empty
    uint64_t recvBatches = 0;
    uint64_t sendBatches = 0;
  };

  static constexpr size_t kBatch = 32;
  static constexpr size_t kSendQueue = 128;

  // Binds to `local` (port 0 picks one). Throws std::runtime_error naming the address.
  UdpSocket(EventLoop& loop, const SocketAddress& local, util::PacketPool& pool,
            Listener& listener);
  ~UdpSocket() override;
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  const SocketAddress& localAddress() const { return local_; }
  int fd() const { return fd_; }

  // Queues one datagram for this turn's batch (flushed by flush(), or when the queue is full).
  void queueSend(util::PacketRef packet, const SocketAddress& to);
  void flush();
  size_t queued() const { return queued_; }
  const Stats& stats() const { return stats_; }

  void onIoReady(uint32_t events) override;

 private:
  void receiveBatch();

  EventLoop& loop_;
  util::PacketPool& pool_;
  Listener& listener_;
  int fd_ = -1;
  SocketAddress local_;
  Stats stats_;

  // Receive side: buffers stay acquired between turns and are handed on when filled.
  std::array<util::PacketRef, kBatch> recvBuffers_;
  std::array<SocketAddress, kBatch> recvFrom_;
  // Send side.
  std::array<util::PacketRef, kSendQueue> sendBuffers_;
  std::array<SocketAddress, kSendQueue> sendTo_;
  size_t queued_ = 0;
};

}  // namespace treff::net
