// The forwarding thread: one UDP socket, recvmmsg batches, SRTP unprotect in place with the
// publisher's session, then per subscriber the 12-byte header rewrite and SRTP protect straight
// into a send slot (the one write per subscriber), sent with sendmmsg (and UDP GSO on request).
// Everything is allocated in the constructor; the loop takes no lock and allocates nothing.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "ceiling_config.hpp"
#include "topology.hpp"

namespace treff::ceiling {

// Published by the forwarding thread after every receive batch (relaxed stores, no lock).
struct ForwarderCounters {
  std::atomic<uint64_t> received{0};      // datagrams read
  std::atomic<uint64_t> forwarded{0};     // datagrams protected and queued
  std::atomic<uint64_t> sent{0};          // datagrams the kernel accepted
  std::atomic<uint64_t> sendMessages{0};  // sendmmsg entries (GSO trains count once)
  std::atomic<uint64_t> sendSyscalls{0};
  std::atomic<uint64_t> sendErrors{0};
  std::atomic<uint64_t> recvBatches{0};
  std::atomic<uint64_t> dropped{0};  // malformed, unknown source or failed unprotect
  std::atomic<uint64_t> unprotectFailed{0};
};

class Forwarder {
 public:
  Forwarder(const Config& config, const Topology& topology,
            const std::vector<sockaddr_in>& subscriberAddresses);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  sockaddr_in address() const;
  int receiveBuffer() const;  // bytes the kernel granted the forwarding socket
  // Packets from 127.0.0.1:`sourcePort` belong to `publisher` (the probe's 5-tuple lookup).
  void registerPublisher(uint16_t sourcePort, size_t publisher);

  // The thread body: runs until `stop` is set (noticed within the receive timeout).
  void run(const std::atomic<bool>& stop);

  const ForwarderCounters& counters() const { return counters_; }
  // Datagrams queued per subscriber; read after run() has returned.
  const std::vector<uint64_t>& forwardedPerSubscriber() const { return perSubscriber_; }

 private:
  struct Route;
  struct Received;
  struct State;

  void forwardRun(const Received* packets, size_t count);
  void publish();

  std::unique_ptr<State> state_;
  std::vector<uint64_t> perSubscriber_;
  ForwarderCounters counters_;
};

}  // namespace treff::ceiling
