// Passive ICE-TCP (RFC 6544): a listening socket and its connections, each framed per RFC 4571.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

#include "net/event_loop.hpp"
#include "net/rfc4571_framer.hpp"
#include "net/socket_address.hpp"
#include "util/packet_pool.hpp"

namespace treff::net {

class TcpServer;

class TcpConnection final : public IoHandler {
 public:
  TcpConnection(TcpServer& server, int fd, const SocketAddress& remote);
  ~TcpConnection() override;

  const SocketAddress& remote() const { return remote_; }
  uint64_t id() const { return id_; }
  // Sends one framed packet. Data that the kernel does not take at once waits in a bounded
  // buffer; past the bound the packet is dropped (counted) rather than blocking the worker.
  bool send(const uint8_t* data, size_t length);
  void close();
  // A valid ICE check arrived: keeps the connection from the idle timeout.
  void markActive();
  bool closed() const { return fd_ < 0; }

  void onIoReady(uint32_t events) override;

 private:
  void readAvailable();
  void writePending();

  TcpServer& server_;
  int fd_;
  SocketAddress remote_;
  uint64_t id_;
  Rfc4571Framer framer_;
  std::string pending_;  // unsent bytes (capacity reused)
  uint64_t lastActivityMs_ = 0;
  friend class TcpServer;
};

class TcpServer final : public IoHandler {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTcpPacket(TcpConnection& conn, util::PacketRef packet, uint64_t nowUs) = 0;
    // The connection is going away; drop every reference to it.
    virtual void onTcpClosed(TcpConnection& conn) = 0;
  };

  struct Stats {
    uint64_t accepted = 0;
    uint64_t rejectedTooMany = 0;
    uint64_t framesReceived = 0;
    uint64_t framesSent = 0;
    uint64_t framesDropped = 0;  // too large, empty, no buffer, or send buffer full
    uint64_t idleClosed = 0;
  };

  static constexpr size_t kMaxConnections = 1024;
  static constexpr size_t kMaxPendingBytes = 256 * 1024;
  // A connection that has not carried a valid ICE check is closed after this long.
  static constexpr uint64_t kIdleTimeoutMs = 30000;

  TcpServer(EventLoop& loop, const SocketAddress& local, util::PacketPool& pool,
            Listener& listener);
  ~TcpServer() override;

  const SocketAddress& localAddress() const { return local_; }
  const Stats& stats() const { return stats_; }
  size_t connectionCount() const { return connections_.size(); }
  // Closes connections idle for longer than kIdleTimeoutMs.
  void onTick(uint64_t nowMs);

  void onIoReady(uint32_t events) override;

 private:
  friend class TcpConnection;
  void destroy(TcpConnection& conn);

  EventLoop& loop_;
  util::PacketPool& pool_;
  Listener& listener_;
  int fd_ = -1;
  SocketAddress local_;
  Stats stats_;
  uint64_t nextId_ = 1;
  std::unordered_map<uint64_t, std::unique_ptr<TcpConnection>> connections_;
};

}  // namespace treff::net
