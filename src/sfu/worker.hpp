// A media worker: one thread, one event loop, its own UDP socket and ICE-TCP listener per listen
// address (port = media port base + worker index), and the sessions pinned to it. The control
// plane talks to it only through post(); it reports back through callbacks the tasks carry.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "net/event_loop.hpp"
#include "net/tcp_server.hpp"
#include "net/udp_socket.hpp"
#include "sfu/media_path.hpp"
#include "sfu/worker_stats.hpp"
#include "util/packet_pool.hpp"

namespace treff::dtls {
class Certificate;
class Context;
}  // namespace treff::dtls

namespace treff::sfu {

class Transport;

// Something the worker keeps alive and ticks: an echo session, later a room.
class Session {
 public:
  virtual ~Session() = default;
  virtual void onTick(uint64_t nowMs) = 0;
};

// Work a session defers to the end of the current receive batch (Room: the fan-out, so that
// each subscriber's state is touched once for all the batch's packets of a publication).
class BatchWork {
 public:
  virtual void runBatchWork() = 0;

 protected:
  ~BatchWork() = default;
};

struct WorkerConfig {
  unsigned index = 0;
  std::vector<net::SocketAddress> listen;  // port already set to base + index
  size_t poolBuffers = 8192;
};

class Worker final : public net::UdpSocket::Listener, public net::TcpServer::Listener {
 public:
  // Binds every socket (throws std::runtime_error naming the address on failure).
  Worker(const WorkerConfig& config, const dtls::Certificate& certificate);
  ~Worker() override;

  void start();  // starts the thread
  void stop();   // stops and joins; sessions are destroyed on the worker thread

  // Thread-safe: runs fn on the worker thread.
  void post(std::function<void()> fn) { loop_.post(std::move(fn)); }

  unsigned index() const { return index_; }
  const WorkerStats& stats() const { return stats_; }
  WorkerStats& stats() { return stats_; }
  // Local addresses actually bound (UDP and TCP share each port).
  std::vector<net::SocketAddress> localAddresses() const;

  // --- worker thread only ---
  // `id` comes from the media plane (unique across workers).
  void addSession(uint64_t id, std::unique_ptr<Session> session);
  Session* findSession(uint64_t id);
  // Destroys the session after the current loop turn.
  void removeSession(uint64_t id);
  size_t sessionCount() const { return sessions_.size(); }

  void registerUfrag(const std::string& ufrag, Transport* transport);
  void unregisterUfrag(const std::string& ufrag, Transport* transport);
  void registerPath(const MediaPath& path, Transport* transport);
  void unregisterPaths(Transport* transport);
  void markPathActive(const MediaPath& path);

  // Runs work->runBatchWork() once at the end of the current receive batch (at the latest at
  // the end of this loop turn). `work` calls cancelBatchWork before it goes away.
  void deferToBatchEnd(BatchWork* work);
  void cancelBatchWork(BatchWork* work);

  // Queues a datagram on a path (UDP: sent at the end of this loop turn, batched).
  bool send(const MediaPath& path, util::PacketRef packet);
  util::PacketPool& pool() { return pool_; }
  const dtls::Context& dtlsContext() const { return *dtlsContext_; }
  uint64_t nowMs() const { return nowMs_; }

  // net listeners
  void onUdpPacket(net::UdpSocket& socket, util::PacketRef packet, const net::SocketAddress& from,
                   uint64_t nowUs) override;
  void onTcpPacket(net::TcpConnection& conn, util::PacketRef packet, uint64_t nowUs) override;
  void onTcpClosed(net::TcpConnection& conn) override;
  void onUdpBatchEnd(net::UdpSocket& socket) override;

 private:
  void demux(util::PacketRef packet, const MediaPath& path, uint64_t nowUs);
  void handleStun(util::PacketRef& packet, const MediaPath& path, uint64_t nowUs);
  void onTick(uint64_t nowMs);
  void flushSends();
  void runBatchWork();

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  unsigned index_;
  net::EventLoop loop_;
  util::PacketPool pool_;
  WorkerStats stats_;
  std::unique_ptr<dtls::Context> dtlsContext_;
  std::vector<std::unique_ptr<net::UdpSocket>> udp_;
  std::vector<std::unique_ptr<net::TcpServer>> tcp_;
  std::unordered_map<std::string, Transport*, StringHash, std::equal_to<>> byUfrag_;
  std::unordered_map<MediaPath, Transport*, MediaPathHash> byPath_;
  std::unordered_map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::vector<BatchWork*> batchWork_;  // reserved once; one entry per room with pending packets
  uint64_t nowMs_ = 0;
  std::thread thread_;
};

}  // namespace treff::sfu
