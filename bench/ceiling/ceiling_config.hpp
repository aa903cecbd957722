// The probe's settings, filled from the command line by main.cpp.
#pragma once

#include <cstddef>
#include <cstdint>

#include "srtp/srtp_profile.hpp"

namespace treff::ceiling {

struct Config {
  // Fan-out: either every publisher to every subscriber (rooms == 0), or `rooms` rooms of
  // `participants` where each participant publishes to the other participants of its room.
  size_t publishers = 1;
  size_t subscribers = 200;
  size_t rooms = 0;
  size_t participants = 0;

  srtp::Profile profile = srtp::Profile::AeadAes128Gcm;
  bool gso = false;
  bool audioOnly = false;
  bool verify = false;

  // Packet mix per publisher before --rate-scale: video frames of `videoFramePackets`
  // packets (the last one of a frame shorter), audio packets every 20 ms.
  double rateScale = 1.0;
  size_t videoBytes = 1200;  // SRTP datagram size of a full video packet
  size_t audioBytes = 100;
  double videoPacketsPerSecond = 150;
  double audioPacketsPerSecond = 50;
  size_t videoFramePackets = 5;

  double warmupSeconds = 1.0;
  double durationSeconds = 5.0;
  size_t recvBatch = 32;
  size_t sendBatch = 256;
  size_t generatorThreads = 1;
  int forwarderCpu = -1;             // pin the forwarding thread to this CPU when >= 0
  int sinkNice = 10;                 // the sink thread's nice value: it yields to the forwarder
  int sinkSweepMs = 0;               // > 0: the sink sweeps its sockets this often instead of epoll
  int socketBufferBytes = 32 << 20;  // forwarder and sink sockets
  bool quiet = false;

  size_t publisherCount() const { return rooms ? rooms * participants : publishers; }
  size_t subscriberCount() const { return rooms ? rooms * participants : subscribers; }
};

}  // namespace treff::ceiling
