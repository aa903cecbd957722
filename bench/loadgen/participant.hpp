// One simulated participant: its signaling session, a publish connection (Opus and VP8 out,
// sender reports, PLI/NACK in) and a subscribe connection (everyone else's media in, receiver
// reports, transport-wide CC feedback and NACKs out). Signaling callbacks run on the signaling
// thread and hand work to the participant's event loop; media and RTCP run only on the loop.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client_transport.hpp"
#include "media_source.hpp"
#include "signaling.hpp"
#include "subscribe_receiver.hpp"

namespace treff::loadgen {

struct ParticipantConfig {
  uint32_t index = 0;  // in the whole run
  uint32_t room = 0;
  std::string roomName;
  std::string name;
  uint32_t firstInRoom = 0;  // index of the room's first participant
  uint32_t roomSize = 0;
  bool publishes = true;
  bool audioOnly = false;
  uint32_t videoKbps = 1500;
  double rateScale = 1.0;  // multiplies the media packet rate
  uint64_t seed = 1;
  double dropPercent = 0;
  // The subscriber's downlink: a bottleneck of this many kbit/s with a 100 ms queue, emulated
  // where packets arrive (0: none). Arrival times, and so the feedback, carry its delay.
  uint32_t capacityKbps = 0;
  std::string url;
  bool janus = false;  // url is a Janus HTTP API, roomName a VideoRoom id
  JanusRoomSettings janusRoom;
  std::string serverHost;  // preferred candidate address
};

// What one participant did during the measured phase.
struct ParticipantSnapshot {
  uint32_t index = 0;
  uint32_t room = 0;
  std::string id;
  bool publishes = false;
  uint64_t publishConnectMs = 0;
  uint64_t subscribeConnectMs = 0;
  SourceCounters audioSent;
  SourceCounters videoSent;
  uint64_t datagramsSent = 0;  // both connections, STUN and RTCP included
  uint64_t bytesSent = 0;
  uint64_t datagramsReceived = 0;
  uint64_t bytesReceived = 0;
  uint64_t senderReports = 0;
  RtcpCounters subscribeRtcp;
  uint64_t plisReceived = 0;
  uint64_t firsReceived = 0;
  uint64_t nacksReceived = 0;
  uint64_t srtpErrors = 0;
  uint64_t droppedOnPurpose = 0;  // --drop-percent
  // Subscribe-side RTP bytes the server sent, and those the emulated downlink let through.
  uint64_t rtpBytesOffered = 0;
  uint64_t rtpBytesDelivered = 0;
  uint64_t linkDrops = 0;  // packets the emulated downlink's full queue dropped
  ReceiveCounters receive;
  std::vector<FlowStats> flows;  // [publisher - firstInRoom][kind]
};

class Participant final : private Signaling::Listener, private ClientTransport::Listener {
 public:
  Participant(const ParticipantConfig& config, net::EventLoop& loop,
              const dtls::Context& dtlsContext, const std::string& fingerprint,
              SignalingThread& signaling, uint8_t* receiveBuffer, size_t receiveCapacity);
  ~Participant() override;

  // Any thread.
  void join();
  void leave();
  bool failed() const { return failed_.load(); }
  std::string failure() const;
  bool joined() const { return joined_.load(); }
  bool publishConnected() const { return publishConnected_.load(); }
  bool subscribeConnected() const { return subscribeConnected_.load(); }
  uint64_t liveSent() const { return liveSent_.load(std::memory_order_relaxed); }
  uint64_t liveReceived() const { return liveReceived_.load(std::memory_order_relaxed); }
  // Subscribe-side RTP bytes the server sent so far (any thread).
  uint64_t liveOfferedBytes() const { return liveOfferedBytes_.load(std::memory_order_relaxed); }
  const ParticipantConfig& config() const { return config_; }

  // Loop thread.
  void onTick(uint64_t nowMs);
  // Whether a packet arrived from every other publisher's tracks in the room.
  bool receivingFromAll(uint32_t publishersPerRoom) const;
  void beginMeasurement();
  ParticipantSnapshot snapshot() const;
  void stopMedia() { mediaOn_ = false; }
  void closeTransports();

 private:
  // Signaling::Listener (signaling thread).
  void onJoined(const std::string& participantId) override;
  void onPublishAnswer(const std::string& sdp) override;
  void onSubscribeOffer(const std::string& sdp) override;
  void onSignalingError(const std::string& what) override;

  // ClientTransport::Listener (loop thread).
  void onTransportConnected(ClientTransport& transport) override;
  void onTransportFailed(ClientTransport& transport, const char* why) override;
  void onRtp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) override;
  void onRtcp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) override;

  ClientTransport::Listener& transportListener() { return *this; }
  void fail(const std::string& why);
  void sendMedia(uint64_t nowUs);
  void sendSenderReports(uint64_t nowUs);
  void onPublishRtcp(const uint8_t* data, size_t size);
  ParticipantSnapshot rawSnapshot() const;

  ParticipantConfig config_;
  net::EventLoop& loop_;
  const dtls::Context& dtlsContext_;
  uint8_t* receiveBuffer_;
  size_t receiveCapacity_;
  std::unique_ptr<Signaling> signaling_;
  LocalIdentity publishLocal_;
  LocalIdentity subscribeLocal_;
  uint32_t audioSsrc_;
  uint32_t videoSsrc_;
  uint32_t videoRtxSsrc_;

  // Loop thread state.
  std::unique_ptr<ClientTransport> publish_;
  std::unique_ptr<ClientTransport> subscribe_;
  std::unique_ptr<AudioSource> audio_;
  std::unique_ptr<VideoSource> video_;
  SubscribeReceiver receiver_;
  std::function<void(uint8_t*, size_t)> sendSubscribeRtcp_;
  uint16_t wideSeq_ = 1;
  SmallRandom dropRandom_;
  uint32_t dropThreshold_;  // drop when a 32-bit draw is below this
  uint64_t droppedOnPurpose_ = 0;
  bool mediaOn_ = true;
  uint64_t nextSenderReportUs_ = 0;
  uint64_t senderReports_ = 0;
  uint64_t plisReceived_ = 0;
  uint64_t firsReceived_ = 0;
  uint64_t nacksReceived_ = 0;
  ParticipantSnapshot baseline_;
  alignas(16) std::array<uint8_t, 1600> sendBuffer_{};
  alignas(16) std::array<uint8_t, 1600> rtcpBuffer_{};

  // Shared with other threads.
  std::atomic<bool> joined_{false};
  std::atomic<bool> publishConnected_{false};
  std::atomic<bool> subscribeConnected_{false};
  std::atomic<bool> failed_{false};
  std::atomic<bool> leaving_{false};
  std::atomic<uint64_t> liveSent_{0};
  std::atomic<uint64_t> liveReceived_{0};
  std::atomic<uint64_t> liveOfferedBytes_{0};
  // The emulated downlink (capacityKbps): when its queue empties, and what it did.
  uint64_t linkFreeUs_ = 0;
  uint64_t rtpBytesOffered_ = 0;
  uint64_t rtpBytesDelivered_ = 0;
  uint64_t linkDrops_ = 0;
  mutable std::mutex mutex_;  // guards id_ and failure_ (control path only)
  std::string id_;
  std::string failure_;
};

}  // namespace treff::loadgen
