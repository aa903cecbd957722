#include "forwarder.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "send_batch.hpp"
#include "udp.hpp"
#include "util/bytes.hpp"

namespace treff::ceiling {

using srtp::SrtpSession;

// One leg of the fan-out: a publisher's track as one subscriber receives it.
struct Forwarder::Route {
  SrtpSession* session;  // the subscriber transport's outbound session
  const sockaddr_in* to;
  uint32_t subscriber;
  uint32_t ssrc;
  uint32_t timestampDelta;
  uint16_t sequenceDelta;
  uint8_t payloadType;
};

// A received packet after unprotect: where it is and the header fields every leg rewrites.
struct Forwarder::Received {
  uint8_t* data;
  uint32_t length;  // RTP length after unprotect
  uint32_t publisher;
  uint32_t timestamp;
  uint16_t sequence;
  uint8_t kind;
  uint8_t marker;
};

struct Forwarder::State {
  static constexpr uint16_t kNoPublisher = 0xffff;

  Config config;
  int fd = -1;
  std::vector<SrtpSession> publisherSessions;
  std::vector<SrtpSession> subscriberSessions;
  std::vector<sockaddr_in> subscriberAddresses;
  // routes[(publisher * 2 + kind)] spans [routeBegin, routeEnd) of `routes`.
  std::vector<Route> routes;
  std::vector<uint32_t> routeBegin;
  std::vector<uint32_t> routeEnd;
  std::vector<uint16_t> publisherByPort = std::vector<uint16_t>(65536, kNoPublisher);

  // Receive side, preallocated.
  std::vector<uint8_t> recvArena;
  std::vector<mmsghdr> recvHeaders;
  std::vector<iovec> recvIovs;
  std::vector<sockaddr_in> recvFrom;
  std::vector<Received> batch;

  std::unique_ptr<SendBatch> send;
  // Counters kept by the thread, published after each batch.
  uint64_t received = 0, forwarded = 0, recvBatches = 0, dropped = 0, unprotectFailed = 0;
};

Forwarder::Forwarder(const Config& config, const Topology& topology,
                     const std::vector<sockaddr_in>& subscriberAddresses)
    : state_(new State), perSubscriber_(topology.subscriberCount(), 0) {
  State& s = *state_;
  s.config = config;
  s.fd = openUdp("127.0.0.1", 0, 50, config.socketBufferBytes);
  s.subscriberAddresses = subscriberAddresses;
  const size_t pubs = topology.publisherCount();
  const size_t subs = topology.subscriberCount();
  s.publisherSessions.reserve(pubs);
  for (size_t p = 0; p < pubs; ++p)
    s.publisherSessions.push_back(
        Topology::publisherSession(p, config.profile, SrtpSession::Direction::Inbound));
  s.subscriberSessions.reserve(subs);
  for (size_t i = 0; i < subs; ++i)
    s.subscriberSessions.push_back(
        Topology::subscriberSession(i, config.profile, SrtpSession::Direction::Outbound,
                                    topology.maxStreamsPerSubscriber() + 4));

  s.routeBegin.resize(pubs * 2);
  s.routeEnd.resize(pubs * 2);
  for (size_t p = 0; p < pubs; ++p) {
    for (uint8_t kind = 0; kind < 2; ++kind) {
      s.routeBegin[p * 2 + kind] = static_cast<uint32_t>(s.routes.size());
      for (uint32_t sub : topology.subscribersOf(p)) {
        const auto mk = static_cast<MediaKind>(kind);
        // Offsets as an SFU would keep them after a source switch: arbitrary but fixed.
        const uint32_t mix = sub * 2654435761u ^ static_cast<uint32_t>(p * 40503u + kind);
        s.routes.push_back(Route{&s.subscriberSessions[sub], &s.subscriberAddresses[sub], sub,
                                 Topology::subscriberSsrc(sub, p, mk), mix,
                                 static_cast<uint16_t>(mix >> 7),
                                 kind == 0 ? kVideoPayloadType : kAudioPayloadType});
      }
      s.routeEnd[p * 2 + kind] = static_cast<uint32_t>(s.routes.size());
    }
  }

  const size_t batch = config.recvBatch;
  s.recvArena.assign(batch * SendBatch::kMaxDatagram, 0);
  s.recvHeaders.resize(batch);
  s.recvIovs.resize(batch);
  s.recvFrom.resize(batch);
  s.batch.resize(batch);
  for (size_t i = 0; i < batch; ++i) {
    s.recvIovs[i].iov_base = s.recvArena.data() + i * SendBatch::kMaxDatagram;
    s.recvIovs[i].iov_len = SendBatch::kMaxDatagram;
    std::memset(&s.recvHeaders[i], 0, sizeof(mmsghdr));
    s.recvHeaders[i].msg_hdr.msg_iov = &s.recvIovs[i];
    s.recvHeaders[i].msg_hdr.msg_iovlen = 1;
    s.recvHeaders[i].msg_hdr.msg_name = &s.recvFrom[i];
    s.recvHeaders[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
  }
  s.send = std::make_unique<SendBatch>(s.fd, config.sendBatch, config.gso);
}

Forwarder::~Forwarder() {
  if (state_ && state_->fd >= 0) close(state_->fd);
}

sockaddr_in Forwarder::address() const { return localAddress(state_->fd); }

int Forwarder::receiveBuffer() const { return receiveBufferBytes(state_->fd); }

void Forwarder::registerPublisher(uint16_t sourcePort, size_t publisher) {
  state_->publisherByPort[sourcePort] = static_cast<uint16_t>(publisher);
}

// Every leg of a run of packets from one publisher track: leg-major, so that with GSO the
// packets one subscriber gets from this receive batch sit next to each other in the batch.
void Forwarder::forwardRun(const Received* packets, size_t count) {
  State& s = *state_;
  const uint32_t track = packets[0].publisher * 2 + packets[0].kind;
  const Route* begin = s.routes.data() + s.routeBegin[track];
  const Route* end = s.routes.data() + s.routeEnd[track];
  for (const Route* r = begin; r != end; ++r) {
    for (size_t i = 0; i < count; ++i) {
      const Received& p = packets[i];
      // The minimal rewrite (RFC 3550 §5.1): marker and payload type, sequence number,
      // timestamp and SSRC of this subscriber's stream; byte 0 (V, P, X, CC) stays.
      p.data[1] = static_cast<uint8_t>(p.marker | r->payloadType);
      util::storeBe16(p.data + 2, static_cast<uint16_t>(p.sequence + r->sequenceDelta));
      util::storeBe32(p.data + 4, p.timestamp + r->timestampDelta);
      util::storeBe32(p.data + 8, r->ssrc);
      uint8_t* slot = s.send->slot();
      size_t outLen = 0;
      if (r->session->protectRtp(p.data, p.length, slot, SendBatch::kMaxDatagram, &outLen) !=
          srtp::Error::Ok) {
        ++s.dropped;
        continue;
      }
      s.send->commit(r->to, outLen);
      ++perSubscriber_[r->subscriber];
      ++s.forwarded;
    }
  }
}

void Forwarder::run(const std::atomic<bool>& stop) {
  State& s = *state_;
  const size_t batch = s.config.recvBatch;
  while (!stop.load(std::memory_order_relaxed)) {
    // MSG_WAITFORONE: sleep until the first datagram, then take whatever else is queued.
    int n =
        recvmmsg(s.fd, s.recvHeaders.data(), static_cast<unsigned>(batch), MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;  // the receive timeout: look at the stop flag
    ++s.recvBatches;
    s.received += static_cast<uint64_t>(n);
    size_t valid = 0;
    for (int i = 0; i < n; ++i) {
      mmsghdr& h = s.recvHeaders[i];
      uint8_t* data = static_cast<uint8_t*>(s.recvIovs[i].iov_base);
      const size_t len = h.msg_len;
      h.msg_hdr.msg_namelen = sizeof(sockaddr_in);
      // RTP version 2 and not RTCP (RFC 5761 §4: payload types 64..95 with the marker set).
      if (len < 12 || (data[0] & 0xc0) != 0x80 || (data[1] >= 192 && data[1] <= 223)) {
        ++s.dropped;
        continue;
      }
      const uint16_t publisher = s.publisherByPort[ntohs(s.recvFrom[i].sin_port)];
      if (publisher == State::kNoPublisher) {
        ++s.dropped;
        continue;
      }
      size_t plainLen = 0;
      if (s.publisherSessions[publisher].unprotectRtp(data, len, &plainLen) != srtp::Error::Ok) {
        ++s.dropped;
        ++s.unprotectFailed;
        continue;
      }
      const uint32_t ssrc = util::loadBe32(data + 8);
      const uint8_t kind = static_cast<uint8_t>(ssrc & 1);
      if (ssrc != Topology::publisherSsrc(publisher, static_cast<MediaKind>(kind))) {
        ++s.dropped;
        continue;
      }
      Received& r = s.batch[valid];
      r = Received{data,
                   static_cast<uint32_t>(plainLen),
                   publisher,
                   util::loadBe32(data + 4),
                   util::loadBe16(data + 2),
                   kind,
                   static_cast<uint8_t>(data[1] & 0x80)};
      if (!s.config.gso) {
        forwardRun(&r, 1);  // packet-major: each packet goes out to every leg in turn
      } else {
        ++valid;
      }
    }
    if (s.config.gso && valid > 0) {
      // Group the batch by publisher track (stable insertion sort: at most recvBatch entries),
      // then send each group leg-major so a subscriber's packets form one GSO train.
      for (size_t i = 1; i < valid; ++i) {
        Received key = s.batch[i];
        const uint32_t k = key.publisher * 2 + key.kind;
        size_t j = i;
        while (j > 0 && s.batch[j - 1].publisher * 2 + s.batch[j - 1].kind > k) {
          s.batch[j] = s.batch[j - 1];
          --j;
        }
        s.batch[j] = key;
      }
      size_t start = 0;
      for (size_t i = 1; i <= valid; ++i) {
        if (i == valid || s.batch[i].publisher != s.batch[start].publisher ||
            s.batch[i].kind != s.batch[start].kind) {
          forwardRun(&s.batch[start], i - start);
          start = i;
        }
      }
    }
    s.send->flush();
    publish();
  }
  s.send->flush();
  publish();
}

void Forwarder::publish() {
  const State& s = *state_;
  const auto& st = s.send->stats();
  constexpr auto relaxed = std::memory_order_relaxed;
  counters_.received.store(s.received, relaxed);
  counters_.forwarded.store(s.forwarded, relaxed);
  counters_.sent.store(st.datagramsSent, relaxed);
  counters_.sendMessages.store(st.messagesSent, relaxed);
  counters_.sendSyscalls.store(st.syscalls, relaxed);
  counters_.sendErrors.store(st.sendErrors, relaxed);
  counters_.recvBatches.store(s.recvBatches, relaxed);
  counters_.dropped.store(s.dropped, relaxed);
  counters_.unprotectFailed.store(s.unprotectFailed, relaxed);
}

}  // namespace treff::ceiling
