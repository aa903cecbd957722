// One simulated publisher's socket in reflector mode (--reflector): a plain UDP socket connected
// to the reflector. The sender thread sends through it one copy of each packet per other member
// of the room (sendBatch, from that thread); the reflector sends every copy straight back, and
// the owning loop thread reads them here. Each copy's MediaStamp carries, in its publisher
// field, the index of the room member the copy stands for (its "recipient"), so the copies
// are counted as separate flows, exactly as that member's subscription would count the packets
// a server forwards to it. No allocation per packet.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "flow_stats.hpp"
#include "net/event_loop.hpp"
#include "net/socket_address.hpp"

namespace treff::loadgen {

// Payload types of the plain RTP sent in reflector mode: the kind of a returned packet.
inline constexpr uint8_t kReflectorAudioPayloadType = 111;
inline constexpr uint8_t kReflectorVideoPayloadType = 96;

struct ReflectorReceiveCounters {
  uint64_t datagrams = 0;
  uint64_t bytes = 0;
  uint64_t noStamp = 0;           // not RTP of ours, or no stamp where it should be
  uint64_t foreignRecipient = 0;  // a stamp naming a participant outside the room
};

class ReflectorEndpoint final : public net::IoHandler {
 public:
  // Flows exist for the recipients firstInRoom .. firstInRoom + roomSize - 1; `receiveBuffer`
  // is the loop thread's scratch space.
  ReflectorEndpoint(net::EventLoop& loop, uint32_t firstInRoom, uint32_t roomSize,
                    uint8_t* receiveBuffer, size_t receiveCapacity);
  ~ReflectorEndpoint() override;
  ReflectorEndpoint(const ReflectorEndpoint&) = delete;
  ReflectorEndpoint& operator=(const ReflectorEndpoint&) = delete;

  // Opens and connects the socket and registers it with the loop (call before the loop runs).
  // Throws std::runtime_error if the socket fails.
  void open(const net::SocketAddress& reflector);
  // Any thread: sends `count` datagrams to the reflector with one sendmmsg. Returns how many
  // went out.
  size_t sendBatch(mmsghdr* messages, size_t count);

  void onIoReady(uint32_t events) override;

  // Loop thread.
  // The copies that stand for what `recipient` would receive of this publisher's `kind` (0 audio,
  // 1 video).
  const FlowStats& flow(uint32_t recipient, uint32_t kind) const {
    return flows_[(recipient - firstInRoom_) * 2 + kind];
  }
  void resetFlows();
  const ReflectorReceiveCounters& counters() const { return counters_; }
  uint64_t sendErrors() const { return sendErrors_.load(std::memory_order_relaxed); }

  // Any thread: packets received so far, for progress lines.
  uint64_t liveReceived() const { return liveReceived_.load(std::memory_order_relaxed); }

 private:
  void onDatagram(uint8_t* data, size_t size, uint64_t nowUs);

  net::EventLoop& loop_;
  uint32_t firstInRoom_;
  uint32_t roomSize_;
  uint8_t* receiveBuffer_;
  size_t receiveCapacity_;
  int fd_ = -1;
  std::vector<FlowStats> flows_;  // [recipient - firstInRoom][kind]
  ReflectorReceiveCounters counters_;
  std::atomic<uint64_t> liveReceived_{0};
  std::atomic<uint64_t> sendErrors_{0};  // written by whichever publisher thread sends
};

// Where the MediaStamp sits in a packet an Audio- or VideoSource built: its offset from the
// start of the datagram, or 0 if there is none (not parseable).
size_t findStampOffset(uint8_t* packet, size_t size);

}  // namespace treff::loadgen
