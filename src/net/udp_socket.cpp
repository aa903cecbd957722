#include "net/udp_socket.hpp"

#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "util/time.hpp"

namespace treff::net {

UdpSocket::UdpSocket(EventLoop& loop, const SocketAddress& local, util::PacketPool& pool,
                     Listener& listener)
    : loop_(loop), pool_(pool), listener_(listener), local_(local) {
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
  size_t done = 0;
  while (done < queued_) {
    mmsghdr msgs[kSendQueue];
    iovec iovs[kSendQueue];
    size_t count = queued_ - done;
    for (size_t i = 0; i < count; ++i) {
      auto& buf = sendBuffers_[done + i];
      iovs[i].iov_base = buf->data();
      iovs[i].iov_len = buf->size;
      std::memset(&msgs[i].msg_hdr, 0, sizeof(msghdr));
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
      msgs[i].msg_hdr.msg_name = const_cast<sockaddr*>(sendTo_[done + i].sockaddrPtr());
      msgs[i].msg_hdr.msg_namelen = sendTo_[done + i].sockaddrLength();
    }
    int n = sendmmsg(fd_, msgs, static_cast<unsigned>(count), MSG_DONTWAIT);
    ++stats_.sendBatches;
    if (n <= 0) {
      // The datagram at the head failed (full buffer, unreachable): drop it and go on.
      ++stats_.sendErrors;
      ++done;
      continue;
    }
    stats_.datagramsSent += static_cast<uint64_t>(n);
    done += static_cast<size_t>(n);
  }
  for (size_t i = 0; i < queued_; ++i) sendBuffers_[i].reset();
  queued_ = 0;
}

}  // namespace treff::net
