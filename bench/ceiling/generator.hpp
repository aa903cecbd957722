// Publisher traffic: each publisher has its own socket (its own 5-tuple) and outbound SRTP
// session and sends video frames as bursts of packets plus audio every 20 ms, at fixed rates
// with phases spread across publishers. One generator thread serves a range of publishers.
#pragma once

#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "ceiling_config.hpp"
#include "topology.hpp"

namespace treff::ceiling {

class Generator {
 public:
  // Publishers [first, first + count) of the scenario, sending to `forwarder`.
  Generator(const Config& config, size_t first, size_t count, const sockaddr_in& forwarder);
  ~Generator();
  Generator(const Generator&) = delete;
  Generator& operator=(const Generator&) = delete;

  size_t firstPublisher() const { return first_; }
  // The local port of each publisher's socket, in publisher order.
  std::vector<uint16_t> sourcePorts() const;

  void run(const std::atomic<bool>& stop);

  // Published after every wake-up (relaxed stores).
  std::atomic<uint64_t> packetsSent{0};
  std::atomic<uint64_t> bytesSent{0};
  std::atomic<uint64_t> sendErrors{0};
  std::atomic<uint64_t> lateWakeups{0};  // woke more than 5 ms after a due send

 private:
  struct Publisher;
  void sendFrame(Publisher& p, uint64_t frameIndex);
  void sendAudio(Publisher& p);
  void sendBurst(Publisher& p, size_t count);

  Config config_;
  size_t first_;
  sockaddr_in forwarder_;
  std::vector<Publisher> publishers_;
  std::vector<uint8_t> plain_;  // one plaintext RTP packet being built
  std::vector<uint8_t> out_;    // SRTP datagrams of one burst
  std::vector<size_t> outLen_;
  uint64_t sent_ = 0, bytes_ = 0, errors_ = 0;
};

}  // namespace treff::ceiling
