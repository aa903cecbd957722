#include "sink.hpp"

#include <netinet/udp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>

#include "srtp/srtp_session.hpp"
#include "udp.hpp"
#include "util/bytes.hpp"

namespace treff::ceiling {

using srtp::SrtpSession;

namespace {
constexpr size_t kBatch = 32;
constexpr size_t kBufferSize = 65536;  // room for a coalesced GSO train
constexpr uint64_t kVerifyEvery = 16;
}  // namespace

struct Sink::State {
  Config config;
  int epollFd = -1;
  std::vector<int> fds;
  std::vector<SrtpSession> sessions;  // with verify only
  std::vector<uint64_t> sampleCounter;
  std::vector<uint8_t> buffers;
  std::vector<mmsghdr> headers;
  std::vector<iovec> iovs;
  std::vector<uint8_t> control;
  size_t controlStride = CMSG_SPACE(sizeof(int));
  uint64_t datagrams = 0, bytes = 0, verified = 0, verifyFailed = 0, wrongSubscriber = 0;
};

Sink::Sink(const Config& config, const Topology& topology)
    : state_(new State), perSubscriber_(topology.subscriberCount(), 0) {
  State& s = *state_;
  s.config = config;
  s.epollFd = epoll_create1(EPOLL_CLOEXEC);
  if (s.epollFd < 0) throw std::runtime_error("epoll_create1 failed");
  const size_t subs = topology.subscriberCount();
  s.sampleCounter.assign(subs, 0);
  for (size_t i = 0; i < subs; ++i) {
    int fd = openUdp("127.0.0.1", 0, 50, config.socketBufferBytes);
    enableUdpGro(fd);
    s.fds.push_back(fd);
    addresses_.push_back(localAddress(fd));
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u32 = static_cast<uint32_t>(i);
    if (config.sinkSweepMs == 0 && epoll_ctl(s.epollFd, EPOLL_CTL_ADD, fd, &ev) != 0)
      throw std::runtime_error("epoll_ctl failed for subscriber " + std::to_string(i));
    if (config.verify)
      s.sessions.push_back(Topology::subscriberSession(i, config.profile,
                                                       SrtpSession::Direction::Inbound,
                                                       topology.maxStreamsPerSubscriber() + 4));
  }
  s.buffers.assign(kBatch * kBufferSize, 0);
  s.headers.resize(kBatch);
  s.iovs.resize(kBatch);
  s.control.assign(kBatch * s.controlStride, 0);
}

Sink::~Sink() {
  for (int fd : state_->fds) close(fd);
  if (state_->epollFd >= 0) close(state_->epollFd);
}

void Sink::drain(uint32_t subscriber) {
  State& s = *state_;
  const int fd = s.fds[subscriber];
  for (int round = 0; round < 16; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      s.iovs[i] = iovec{s.buffers.data() + i * kBufferSize, kBufferSize};
      std::memset(&s.headers[i], 0, sizeof(mmsghdr));
      s.headers[i].msg_hdr.msg_iov = &s.iovs[i];
      s.headers[i].msg_hdr.msg_iovlen = 1;
      s.headers[i].msg_hdr.msg_control = s.control.data() + i * s.controlStride;
      s.headers[i].msg_hdr.msg_controllen = s.controlStride;
    }
    int n = recvmmsg(fd, s.headers.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    for (int i = 0; i < n; ++i) {
      msghdr& h = s.headers[i].msg_hdr;
      const size_t len = s.headers[i].msg_len;
      size_t segment = len;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c; c = CMSG_NXTHDR(&h, c)) {
        if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO) {
          int size = 0;
          std::memcpy(&size, CMSG_DATA(c), sizeof(size));
          if (size > 0) segment = static_cast<size_t>(size);
        }
      }
      const uint64_t count = segment ? (len + segment - 1) / segment : 1;
      s.datagrams += count;
      s.bytes += len;
      perSubscriber_[subscriber] += count;
      if (s.config.verify && s.sampleCounter[subscriber]++ % kVerifyEvery == 0) {
        uint8_t* data = static_cast<uint8_t*>(s.iovs[i].iov_base);
        size_t plainLen = 0;
        const size_t first = segment < len ? segment : len;
        if (first < 12 ||
            s.sessions[subscriber].unprotectRtp(data, first, &plainLen) != srtp::Error::Ok) {
          ++s.verifyFailed;
        } else if (Topology::subscriberOfSsrc(util::loadBe32(data + 8)) != subscriber) {
          ++s.wrongSubscriber;
        } else {
          ++s.verified;
        }
      }
    }
    if (static_cast<size_t>(n) < kBatch) return;
  }
}

void Sink::run(const std::atomic<bool>& stop) {
  State& s = *state_;
  epoll_event events[64];
  constexpr auto relaxed = std::memory_order_relaxed;
  const bool sweep = s.config.sinkSweepMs > 0;
  while (!stop.load(relaxed)) {
    if (sweep) {
      // No epoll registration: the forwarder's sends find no waiter to wake on each socket.
      for (uint32_t i = 0; i < s.fds.size(); ++i) drain(i);
      std::this_thread::sleep_for(std::chrono::milliseconds(s.config.sinkSweepMs));
    } else {
      int n = epoll_wait(s.epollFd, events, 64, 50);
      for (int i = 0; i < n; ++i) drain(events[i].data.u32);
    }
    datagrams.store(s.datagrams, relaxed);
    bytes.store(s.bytes, relaxed);
    verified.store(s.verified, relaxed);
    verifyFailed.store(s.verifyFailed, relaxed);
    wrongSubscriber.store(s.wrongSubscriber, relaxed);
  }
}

}  // namespace treff::ceiling
