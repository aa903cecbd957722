#include "sfu/worker.hpp"

#include <spdlog/spdlog.h>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "ice/stun_message.hpp"
#include "sfu/transport.hpp"
#include "util/time.hpp"

namespace treff::sfu {
namespace {
constexpr uint32_t kTickMs = 20;
}

Worker::Worker(const WorkerConfig& config, const dtls::Certificate& certificate)
    : index_(config.index),
      pool_(config.poolBuffers),
      dtlsContext_(std::make_unique<dtls::Context>(certificate)),
      nowMs_(util::nowMs()) {
  for (const auto& address : config.listen) {
    udp_.push_back(std::make_unique<net::UdpSocket>(loop_, address, pool_, *this));
    tcp_.push_back(std::make_unique<net::TcpServer>(loop_, address, pool_, *this));
  }
  loop_.setTickHandler(kTickMs, [this](uint64_t now) { onTick(now); });
  loop_.setTurnEndHandler([this] {
    runBatchWork();
    flushSends();
  });
  batchWork_.reserve(64);
}

Worker::~Worker() { stop(); }

void Worker::start() {
  thread_ = std::thread([this] {
    loop_.run();
    // Sessions end on their own thread: their transports unregister from the maps here.
    sessions_.clear();
    flushSends();
  });
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  loop_.stop();
  thread_.join();
}

std::vector<net::SocketAddress> Worker::localAddresses() const {
  std::vector<net::SocketAddress> out;
  for (const auto& s : udp_) out.push_back(s->localAddress());
  return out;
}

void Worker::addSession(uint64_t id, std::unique_ptr<Session> session) {
  sessions_[id] = std::move(session);
}

Session* Worker::findSession(uint64_t id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void Worker::removeSession(uint64_t id) {
  // The session may be on the call stack (a transport reporting its own close, or the tick
  // loop): free it once this turn is done.
  loop_.runAfterTurn([this, id] { sessions_.erase(id); });
}

void Worker::registerUfrag(const std::string& ufrag, Transport* transport) {
  byUfrag_[ufrag] = transport;
}

void Worker::unregisterUfrag(const std::string& ufrag, Transport* transport) {
  auto it = byUfrag_.find(ufrag);
  if (it != byUfrag_.end() && it->second == transport) byUfrag_.erase(it);
}

void Worker::registerPath(const MediaPath& path, Transport* transport) {
  auto [it, inserted] = byPath_.emplace(path, transport);
  if (!inserted && it->second != transport) {
    // Another transport's check on the same 5-tuple (a browser reusing a port after a reload):
    // the most recent valid check wins.
    it->second->onPathClosed(path);
    it->second = transport;
  }
}

void Worker::unregisterPaths(Transport* transport) {
  for (auto it = byPath_.begin(); it != byPath_.end();) {
    if (it->second == transport) {
      it = byPath_.erase(it);
    } else {
      ++it;
    }
  }
}

void Worker::markPathActive(const MediaPath& path) {
  if (path.tcp) path.tcp->markActive();
}

bool Worker::send(const MediaPath& path, util::PacketRef packet) {
  if (path.udp) {
    stats_.add(Counter::BytesOut, packet->size);
    path.udp->queueSend(std::move(packet), path.remote);
    return true;
  }
  if (path.tcp) {
    stats_.add(Counter::BytesOut, packet->size);
    if (path.tcp->send(packet->data(), packet->size)) return true;
  }
  stats_.drop(DropReason::SendFailed);
  return false;
}

void Worker::deferToBatchEnd(BatchWork* work) { batchWork_.push_back(work); }

void Worker::cancelBatchWork(BatchWork* work) { std::erase(batchWork_, work); }

void Worker::runBatchWork() {
  // Work may defer more work (a room that forwards and is handed new packets): index, not
  // iterators.
  for (size_t i = 0; i < batchWork_.size(); ++i) batchWork_[i]->runBatchWork();
  batchWork_.clear();
}

void Worker::onUdpBatchEnd(net::UdpSocket&) { runBatchWork(); }

void Worker::flushSends() {
  for (auto& s : udp_) {
    if (!s->queued()) continue;
    const net::UdpSocket::Stats before = s->stats();
    s->flush();
    const net::UdpSocket::Stats& after = s->stats();
    stats_.add(Counter::UdpSendCalls, after.sendBatches - before.sendBatches);
    stats_.add(Counter::UdpMessagesOut, after.messagesSent - before.messagesSent);
    stats_.add(Counter::UdpGsoMessagesOut, after.gsoMessages - before.gsoMessages);
  }
}

void Worker::onUdpPacket(net::UdpSocket& socket, util::PacketRef packet,
                         const net::SocketAddress& from, uint64_t nowUs) {
  MediaPath path{&socket, nullptr, from};
  demux(std::move(packet), path, nowUs);
}

void Worker::onTcpPacket(net::TcpConnection& conn, util::PacketRef packet, uint64_t nowUs) {
  MediaPath path{nullptr, &conn, conn.remote()};
  demux(std::move(packet), path, nowUs);
  runBatchWork();
}

void Worker::onTcpClosed(net::TcpConnection& conn) {
  MediaPath path{nullptr, &conn, conn.remote()};
  auto it = byPath_.find(path);
  if (it == byPath_.end()) return;
  Transport* transport = it->second;
  byPath_.erase(it);
  transport->onPathClosed(path);
}

void Worker::demux(util::PacketRef packet, const MediaPath& path, uint64_t nowUs) {
  stats_.add(Counter::DatagramsIn);
  stats_.add(Counter::BytesIn, packet->size);
  if (packet->size == 0) {
    stats_.drop(DropReason::Unclassified);
    return;
  }
  // RFC 7983 §7: the first byte tells STUN (0..3), DTLS (20..63) and RTP/RTCP (128..191).
  uint8_t first = packet->data()[0];
  if (first <= 3) {
    handleStun(packet, path, nowUs);
    return;
  }
  if (first < 20 || (first > 63 && first < 128) || first > 191) {
    stats_.drop(DropReason::Unclassified);
    return;
  }
  auto it = byPath_.find(path);
  if (it == byPath_.end()) {
    stats_.drop(DropReason::UnknownPath);
    return;
  }
  if (first <= 63) {
    stats_.add(Counter::DtlsIn);
    it->second->onDtls(packet->data(), packet->size, path, nowUs);
  } else {
    it->second->onSrtp(std::move(packet), path, nowUs);
  }
}

void Worker::handleStun(util::PacketRef& packet, const MediaPath& path, uint64_t nowUs) {
  auto message = ice::StunMessage::parse(util::ConstBytes(packet->data(), packet->size));
  if (!message) {
    stats_.drop(DropReason::StunMalformed);
    return;
  }
  if (message->messageClass() != ice::StunClass::Request) {
    stats_.drop(DropReason::StunNotRequest);
    return;
  }
  stats_.add(Counter::StunIn);
  auto ufrag = ice::localUfragOf(*message);
  auto it = ufrag ? byUfrag_.find(*ufrag) : byUfrag_.end();
  if (it == byUfrag_.end()) {
    stats_.drop(DropReason::StunUnknownUfrag);
    return;
  }
  it->second->onStunRequest(*message, path, nowUs);
}

void Worker::onTick(uint64_t nowMs) {
  nowMs_ = nowMs;
  for (auto& s : tcp_) s->onTick(nowMs);
  for (auto& [id, session] : sessions_) session->onTick(nowMs);
}

}  // namespace treff::sfu
