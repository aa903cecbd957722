#include "net/udp_socket.hpp"

#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/time.hpp"

namespace treff::net {
namespace {

#ifndef UDP_SEGMENT
constexpr int UDP_SEGMENT = 103;  // linux/udp.h; older libc headers lack it
#endif

constexpr uint16_t kNone = 0xffff;
constexpr size_t kAddressSlots = 2 * UdpSocket::kSendQueue;  // a power of two
constexpr size_t kControlWords = 3;  // CMSG_SPACE(sizeof(uint16_t)) = 24 bytes

}  // namespace

UdpSocket::UdpSocket(EventLoop& loop, const SocketAddress& local, util::PacketPool& pool,
                     Listener& listener)
    : loop_(loop),
      pool_(pool),
      listener_(listener),
      local_(local),
      nextSameAddress_(new uint16_t[kSendQueue]),
      order_(new uint16_t[kSendQueue]),
      messages_(new Message[kSendQueue]),
      addressSlots_(new uint16_t[kAddressSlots]),
      msgs_(new mmsghdr[kSendQueue]),
      iovs_(new iovec[kSendQueue]),
      controls_(new uint64_t[kSendQueue * kControlWords]) {
  static_assert(CMSG_SPACE(sizeof(uint16_t)) <= kControlWords * sizeof(uint64_t));
  static_assert((kAddressSlots & (kAddressSlots - 1)) == 0);
  fd_ = socket(local.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("udp socket: " + std::string(std::strerror(errno)));
  int size = 4 << 20;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  if (local.isV6()) {
    int one = 1;
    setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  }
  if (bind(fd_, local.sockaddrPtr(), local.sockaddrLength()) != 0) {
    int err = errno;
    close(fd_);
    throw std::runtime_error("cannot bind UDP " + local.toString() + ": " + std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  local_ = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&bound), len);
  loop_.add(fd_, EPOLLIN, this);
}

UdpSocket::~UdpSocket() {
  loop_.remove(fd_);
  close(fd_);
}

void UdpSocket::onIoReady(uint32_t events) {
  if (events & EPOLLIN) receiveBatch();
}

void UdpSocket::receiveBatch() {
  // Bounded: a few batches per readiness so one busy socket cannot starve the loop.
  for (int round = 0; round < 8; ++round) {
    mmsghdr msgs[kBatch];
    iovec iovs[kBatch];
    size_t ready = 0;
    for (; ready < kBatch; ++ready) {
      if (!recvBuffers_[ready]) recvBuffers_[ready] = pool_.acquire();
      if (!recvBuffers_[ready]) break;
      iovs[ready].iov_base = recvBuffers_[ready]->data();
      iovs[ready].iov_len = util::PacketBuffer::kCapacity;
      std::memset(&msgs[ready].msg_hdr, 0, sizeof(msghdr));
      msgs[ready].msg_hdr.msg_iov = &iovs[ready];
      msgs[ready].msg_hdr.msg_iovlen = 1;
      msgs[ready].msg_hdr.msg_name = recvFrom_[ready].sockaddrPtr();
      msgs[ready].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    }
    if (ready == 0) {
      // Pool exhausted: read and discard one datagram so the socket does not spin.
      uint8_t scratch[64];
      if (recv(fd_, scratch, sizeof(scratch), MSG_DONTWAIT) >= 0) ++stats_.droppedNoBuffer;
      return;
    }
    int n = recvmmsg(fd_, msgs, static_cast<unsigned>(ready), MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    ++stats_.recvBatches;
    uint64_t now = util::nowUs();
    for (int i = 0; i < n; ++i) {
      if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) continue;  // larger than any media datagram
      ++stats_.datagramsReceived;
      util::PacketRef packet = std::move(recvBuffers_[i]);
      packet->size = msgs[i].msg_len;
      listener_.onUdpPacket(*this, std::move(packet), recvFrom_[i], now);
    }
    listener_.onUdpBatchEnd(*this);
    if (static_cast<size_t>(n) < ready) return;
  }
}

void UdpSocket::queueSend(util::PacketRef packet, const SocketAddress& to) {
  if (queued_ == kSendQueue) flush();
  sendBuffers_[queued_] = std::move(packet);
  sendTo_[queued_] = to;
  ++queued_;
}

void UdpSocket::flush() {
  if (queued_ == 0) return;
  size_t messages = groupQueued();
  sendMessages(0, messages);
  for (size_t i = 0; i < queued_; ++i) sendBuffers_[i].reset();
  queued_ = 0;
}

size_t UdpSocket::groupQueued() {
  // Chain each datagram to the next one queued for the same address.
  std::fill(addressSlots_.get(), addressSlots_.get() + kAddressSlots, kNone);
  for (size_t i = 0; i < queued_; ++i) {
    nextSameAddress_[i] = kNone;
    size_t slot = sendTo_[i].hash() & (kAddressSlots - 1);
    while (addressSlots_[slot] != kNone && !(sendTo_[addressSlots_[slot]] == sendTo_[i])) {
      slot = (slot + 1) & (kAddressSlots - 1);
    }
    if (addressSlots_[slot] != kNone)
      nextSameAddress_[addressSlots_[slot]] = static_cast<uint16_t>(i);
    addressSlots_[slot] = static_cast<uint16_t>(i);
  }
  // Walk the queue; each datagram not yet taken starts a message and pulls in the following
  // ones to its address while they have its size (a shorter one ends the message). A datagram
  // that does not fit stops the walk, so no datagram overtakes an earlier one to its address.
  std::array<bool, kSendQueue> taken{};
  size_t count = 0, placed = 0;
  for (size_t i = 0; i < queued_; ++i) {
    if (taken[i]) continue;
    Message& m = messages_[count++];
    m.first = static_cast<uint16_t>(placed);
    m.count = 1;
    order_[placed++] = static_cast<uint16_t>(i);
    taken[i] = true;
    const size_t segment = sendBuffers_[i]->size;
    size_t bytes = segment;
    for (uint16_t j = nextSameAddress_[i]; gso_ && j != kNone && m.count < kMaxSegments;
         j = nextSameAddress_[j]) {
      const size_t size = sendBuffers_[j]->size;
      if (size > segment || bytes + size > kMaxGsoBytes) break;
      order_[placed++] = j;
      taken[j] = true;
      ++m.count;
      bytes += size;
      if (size < segment) break;
    }
  }
  return count;
}

void UdpSocket::sendMessages(size_t first, size_t count) {
  for (size_t k = first; k < count; ++k) {
    const Message& m = messages_[k];
    mmsghdr& msg = msgs_[k];
    std::memset(&msg.msg_hdr, 0, sizeof(msghdr));
    for (size_t s = 0; s < m.count; ++s) {
      auto& buf = sendBuffers_[order_[m.first + s]];
      iovs_[m.first + s].iov_base = buf->data();
      iovs_[m.first + s].iov_len = buf->size;
    }
    const SocketAddress& to = sendTo_[order_[m.first]];
    msg.msg_hdr.msg_name = const_cast<sockaddr*>(to.sockaddrPtr());
    msg.msg_hdr.msg_namelen = to.sockaddrLength();
    msg.msg_hdr.msg_iov = &iovs_[m.first];
    msg.msg_hdr.msg_iovlen = m.count;
    if (m.count > 1) {
      // UDP GSO (Linux 4.18): the kernel cuts the payload into datagrams of this size.
      auto* control = reinterpret_cast<char*>(&controls_[k * kControlWords]);
      msg.msg_hdr.msg_control = control;
      msg.msg_hdr.msg_controllen = CMSG_SPACE(sizeof(uint16_t));
      cmsghdr* cm = CMSG_FIRSTHDR(&msg.msg_hdr);
      cm->cmsg_level = SOL_UDP;
      cm->cmsg_type = UDP_SEGMENT;
      cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      const uint16_t segment = static_cast<uint16_t>(sendBuffers_[order_[m.first]]->size);
      std::memcpy(CMSG_DATA(cm), &segment, sizeof(segment));
    }
  }
  size_t done = first;
  while (done < count) {
    int n = sendmmsg(fd_, &msgs_[done], static_cast<unsigned>(count - done), MSG_DONTWAIT);
    ++stats_.sendBatches;
    if (n <= 0) {
      const Message& head = messages_[done];
      if (head.count > 1 && (errno == EIO || errno == EINVAL || errno == EOPNOTSUPP)) {
        // This path cannot take GSO (no checksum offload, an old kernel): from now on every
        // datagram goes alone. The unsent ones are regrouped that way and sent at once.
        gso_ = false;
        const size_t from = head.first;  // the unsent datagrams are order_[from, queued_)
        const size_t singles = queued_ - from;
        for (size_t k = 0; k < singles; ++k) {
          messages_[k] = Message{static_cast<uint16_t>(from + k), 1};
        }
        sendMessages(0, singles);
        return;
      }
      // The message at the head failed (full buffer, unreachable): drop it and go on.
      stats_.sendErrors += head.count;
      ++done;
      continue;
    }
    for (int k = 0; k < n; ++k) {
      const Message& m = messages_[done + static_cast<size_t>(k)];
      stats_.datagramsSent += m.count;
      ++stats_.messagesSent;
      if (m.count > 1) ++stats_.gsoMessages;
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace treff::net
