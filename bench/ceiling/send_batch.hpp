// Outgoing datagrams of one forwarding turn, written in place into a contiguous arena and sent
// with one sendmmsg. With GSO, consecutive datagrams to the same destination with the same
// size (the last one may be shorter) become one message carrying a UDP_SEGMENT cmsg: the kernel
// splits it into datagrams after a single trip through the socket layer.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace treff::ceiling {

class SendBatch {
 public:
  static constexpr size_t kMaxDatagram = 1600;
  // Linux caps a GSO train at 64 segments and a 64 KiB UDP payload.
  static constexpr size_t kMaxSegments = 64;
  static constexpr size_t kMaxGsoBytes = 65000;

  struct Stats {
    uint64_t datagramsSent = 0;  // what the kernel accepted, counting every GSO segment
    uint64_t messagesSent = 0;   // sendmmsg entries (a GSO train is one)
    uint64_t syscalls = 0;
    uint64_t sendErrors = 0;  // messages the kernel refused (their datagrams are lost)
    uint64_t datagramsRefused = 0;
  };

  SendBatch(int fd, size_t maxMessages, bool gso);
  ~SendBatch();
  SendBatch(const SendBatch&) = delete;
  SendBatch& operator=(const SendBatch&) = delete;

  // Where the next datagram goes (kMaxDatagram bytes of room); flushes first when full.
  uint8_t* slot() {
    if (count_ == maxMessages_ || used_ + kMaxDatagram > arenaSize_) flush();
    return arena_.get() + used_;
  }
  // Queues the `len` bytes just written at slot() for `to`, which must outlive the flush.
  void commit(const sockaddr_in* to, size_t len);
  void flush();
  size_t queuedMessages() const { return count_; }
  const Stats& stats() const { return stats_; }

 private:
  struct Message {
    const sockaddr_in* to;
    uint32_t offset;
    uint32_t bytes;
    uint16_t segmentSize;
    uint16_t segments;
    bool closed;  // ended by a shorter segment: nothing may follow in this train
  };

  int fd_;
  size_t maxMessages_;
  bool gso_;
  size_t arenaSize_;
  std::unique_ptr<uint8_t[]> arena_;
  std::unique_ptr<Message[]> messages_;
  std::unique_ptr<mmsghdr[]> headers_;
  std::unique_ptr<iovec[]> iovs_;
  std::unique_ptr<uint8_t[]> control_;  // one UDP_SEGMENT cmsg per message
  size_t controlStride_;
  size_t count_ = 0;
  size_t used_ = 0;
  Stats stats_;
};

}  // namespace treff::ceiling
