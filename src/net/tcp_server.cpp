#include "net/tcp_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "util/time.hpp"

namespace treff::net {

TcpConnection::TcpConnection(TcpServer& server, int fd, const SocketAddress& remote)
    : server_(server),
      fd_(fd),
      remote_(remote),
      id_(server.nextId_++),
      framer_(util::PacketBuffer::kCapacity),
      lastActivityMs_(util::nowMs()) {
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  server_.loop_.add(fd_, EPOLLIN | EPOLLRDHUP, this);
}

TcpConnection::~TcpConnection() {
  if (fd_ >= 0) {
    server_.loop_.remove(fd_);
    ::close(fd_);
  }
}

void TcpConnection::onIoReady(uint32_t events) {
  if (closed()) return;
  if (events & (EPOLLERR | EPOLLHUP)) {
    close();
    return;
  }
  if (events & EPOLLOUT) writePending();
  if (events & (EPOLLIN | EPOLLRDHUP)) readAvailable();
}

void TcpConnection::readAvailable() {
  uint8_t chunk[16384];
  for (int round = 0; round < 16 && !closed(); ++round) {
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), MSG_DONTWAIT);
    if (n == 0) {
      close();
      return;
    }
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close();
      return;
    }
    uint64_t now = util::nowUs();
    uint64_t before = framer_.framesTooLarge() + framer_.framesEmpty();
    framer_.feed(util::ConstBytes(chunk, static_cast<size_t>(n)), [&](util::ConstBytes frame) {
      if (closed()) return;
      util::PacketRef packet = server_.pool_.acquire();
      if (!packet) {
        ++server_.stats_.framesDropped;
        return;
      }
      std::memcpy(packet->data(), frame.data(), frame.size());
      packet->size = static_cast<uint32_t>(frame.size());
      ++server_.stats_.framesReceived;
      server_.listener_.onTcpPacket(*this, std::move(packet), now);
    });
    server_.stats_.framesDropped += framer_.framesTooLarge() + framer_.framesEmpty() - before;
  }
}

void TcpConnection::markActive() { lastActivityMs_ = util::nowMs(); }

bool TcpConnection::send(const uint8_t* data, size_t length) {
  if (closed()) return false;
  uint8_t header[2];
  if (!Rfc4571Framer::writeHeader(header, length)) {
    ++server_.stats_.framesDropped;
    return false;
  }
  if (pending_.empty()) {
    iovec iov[2] = {{header, 2}, {const_cast<uint8_t*>(data), length}};
    ssize_t n = ::writev(fd_, iov, 2);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        close();
        return false;
      }
      n = 0;
    }
    size_t written = static_cast<size_t>(n);
    if (written == length + 2) {
      ++server_.stats_.framesSent;
      return true;
    }
    // Keep the unsent tail; the frame must go out whole or the stream is corrupt.
    if (written < 2) pending_.append(reinterpret_cast<char*>(header) + written, 2 - written);
    size_t dataDone = written > 2 ? written - 2 : 0;
    pending_.append(reinterpret_cast<const char*>(data) + dataDone, length - dataDone);
    server_.loop_.modify(fd_, EPOLLIN | EPOLLRDHUP | EPOLLOUT, this);
    ++server_.stats_.framesSent;
    return true;
  }
  if (pending_.size() + length + 2 > TcpServer::kMaxPendingBytes) {
    ++server_.stats_.framesDropped;
    return false;
  }
  pending_.append(reinterpret_cast<char*>(header), 2);
  pending_.append(reinterpret_cast<const char*>(data), length);
  ++server_.stats_.framesSent;
  return true;
}

void TcpConnection::writePending() {
  while (!pending_.empty()) {
    ssize_t n = ::send(fd_, pending_.data(), pending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close();
      return;
    }
    pending_.erase(0, static_cast<size_t>(n));
  }
  server_.loop_.modify(fd_, EPOLLIN | EPOLLRDHUP, this);
}

void TcpConnection::close() {
  if (closed()) return;
  server_.loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  server_.destroy(*this);
}

TcpServer::TcpServer(EventLoop& loop, const SocketAddress& local, util::PacketPool& pool,
                     Listener& listener)
    : loop_(loop), pool_(pool), listener_(listener), local_(local) {
  fd_ = socket(local.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("tcp socket: " + std::string(std::strerror(errno)));
  int one = 1;
  setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (local.isV6()) setsockopt(fd_, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd_, local.sockaddrPtr(), local.sockaddrLength()) != 0 || listen(fd_, 128) != 0) {
    int err = errno;
    ::close(fd_);
    throw std::runtime_error("cannot listen on TCP " + local.toString() + ": " +
                             std::strerror(err));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  local_ = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&bound), len);
  loop_.add(fd_, EPOLLIN, this);
}

TcpServer::~TcpServer() {
  connections_.clear();
  loop_.remove(fd_);
  ::close(fd_);
}

void TcpServer::onIoReady(uint32_t) {
  for (int i = 0; i < 64; ++i) {
    sockaddr_storage from{};
    socklen_t len = sizeof(from);
    int fd = accept4(fd_, reinterpret_cast<sockaddr*>(&from), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    if (connections_.size() >= kMaxConnections) {
      ++stats_.rejectedTooMany;
      ::close(fd);
      continue;
    }
    ++stats_.accepted;
    auto remote = SocketAddress::fromSockaddr(reinterpret_cast<sockaddr*>(&from), len);
    auto conn = std::make_unique<TcpConnection>(*this, fd, remote);
    uint64_t id = conn->id();
    connections_.emplace(id, std::move(conn));
  }
}

void TcpServer::destroy(TcpConnection& conn) {
  listener_.onTcpClosed(conn);
  uint64_t id = conn.id();
  // The connection may still have an event queued in this turn: free it afterwards.
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  auto owned = std::make_shared<std::unique_ptr<TcpConnection>>(std::move(it->second));
  connections_.erase(it);
  loop_.runAfterTurn([owned] {});
}

void TcpServer::onTick(uint64_t nowMs) {
  for (auto it = connections_.begin(); it != connections_.end();) {
    TcpConnection& conn = *(it++)->second;
    if (nowMs - conn.lastActivityMs_ > kIdleTimeoutMs) {
      ++stats_.idleClosed;
      conn.close();
    }
  }
}

}  // namespace treff::net
