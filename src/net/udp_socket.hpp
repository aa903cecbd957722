// A non-blocking UDP socket read with recvmmsg into pooled buffers, with sends batched per loop
// turn and written with sendmmsg. Datagrams of a batch that go to the same address with the same
// size travel as one UDP GSO message (UDP_SEGMENT): the kernel builds one large packet and cuts
// it up at the end of its path, which saves its per-datagram work on the way.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <memory>

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
    // After the datagrams of one recvmmsg batch were handed over: work deferred to the end of a
    // batch (fan-out grouped per subscriber) runs here.
    virtual void onUdpBatchEnd(UdpSocket&) {}
  };

  struct Stats {
    uint64_t datagramsReceived = 0;
    uint64_t datagramsSent = 0;
    uint64_t sendErrors = 0;
    uint64_t droppedNoBuffer = 0;  // the pool was empty
    uint64_t recvBatches = 0;
    uint64_t sendBatches = 0;
    uint64_t messagesSent = 0;  // one datagram, or one GSO train
    uint64_t gsoMessages = 0;   // messages that carried more than one datagram
  };

  static constexpr size_t kBatch = 32;
  // Room for the fan-out of several received packets, so that a subscriber's packets meet in
  // one batch and can share a GSO message.
  static constexpr size_t kSendQueue = 1024;
  static constexpr size_t kMaxSegments = 64;         // UDP_MAX_SEGMENTS of older kernels
  static constexpr size_t kMaxGsoBytes = 60 * 1024;  // below the 64 KiB of one IP packet

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
  // Off when asked, or after the kernel refused a GSO message (then datagrams go one by one).
  bool gsoEnabled() const { return gso_; }
  void setGsoEnabled(bool on) { gso_ = on; }

  void onIoReady(uint32_t events) override;

 private:
  void receiveBatch();
  // Orders the queue into messages: each is a run of datagrams to one address, all of one size
  // but the last (which may be shorter), in queue order per address. Fills order_ and
  // messages_; returns the number of messages.
  size_t groupQueued();
  // Sends messages_[first..count); a path that refuses GSO turns it off and gets the rest as
  // single datagrams.
  void sendMessages(size_t first, size_t count);

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
  bool gso_ = true;
  // Flush scratch, allocated once: per queued datagram the next one to the same address, the
  // datagrams in message order, and per message its first entry in order_ and its length.
  struct Message {
    uint16_t first = 0;
    uint16_t count = 0;
  };
  std::unique_ptr<uint16_t[]> nextSameAddress_;
  std::unique_ptr<uint16_t[]> order_;
  std::unique_ptr<Message[]> messages_;
  std::unique_ptr<uint16_t[]> addressSlots_;  // open addressing: last queued index per address
  std::unique_ptr<mmsghdr[]> msgs_;
  std::unique_ptr<struct iovec[]> iovs_;
  std::unique_ptr<uint64_t[]> controls_;  // one cmsg with UDP_SEGMENT per message
};

}  // namespace treff::net
