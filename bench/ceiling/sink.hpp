// The subscribers' end: one socket per subscriber (one transport each), all drained by one
// thread through epoll (or a timed sweep, --sink-sweep-ms) and recvmmsg, counting datagrams and
// bytes per subscriber. GSO trains arrive coalesced where the kernel allows UDP_GRO and are counted
// by segment. With verify, a sample of datagrams is unprotected with the subscriber's inbound
// session.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "ceiling_config.hpp"
#include "topology.hpp"

namespace treff::ceiling {

class Sink {
 public:
  Sink(const Config& config, const Topology& topology);
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  const std::vector<sockaddr_in>& addresses() const { return addresses_; }
  void run(const std::atomic<bool>& stop);

  // Published after every wake-up (relaxed stores).
  std::atomic<uint64_t> datagrams{0};
  std::atomic<uint64_t> bytes{0};
  std::atomic<uint64_t> verified{0};
  std::atomic<uint64_t> verifyFailed{0};     // the SRTP check refused the datagram
  std::atomic<uint64_t> wrongSubscriber{0};  // valid SRTP, but another subscriber's SSRC
  // Per subscriber; read after run() has returned.
  const std::vector<uint64_t>& datagramsPerSubscriber() const { return perSubscriber_; }

 private:
  struct State;
  void drain(uint32_t subscriber);

  std::unique_ptr<State> state_;
  std::vector<sockaddr_in> addresses_;
  std::vector<uint64_t> perSubscriber_;
};

}  // namespace treff::ceiling
