// A meeting participant on the worker: its publish transport and the publications that arrive
// on it, and its subscribe transport and the subscriptions that leave on it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rtp/stream_identifier.hpp"
#include "sfu/publication.hpp"
#include "sfu/room_specs.hpp"
#include "sfu/subscription.hpp"
#include "sfu/transport.hpp"

namespace treff::sfu {

class Room;
class Worker;

class Participant final : private Transport::Listener {
 public:
  // `speakerSlot` names the participant in the room's speaker detector (-1: none free).
  Participant(Room& room, Worker& worker, std::string id, int speakerSlot);
  ~Participant() override;

  const std::string& id() const { return id_; }
  int speakerSlot() const { return speakerSlot_; }
  void setPublish(const PublishSpec& spec);
  void setSubscribe(const SubscribeSpec& spec);

  Publication* publication(Source source);
  // Remembered per source, so a publication made later starts muted too.
  void setMuted(Source source, bool muted) { muted_[static_cast<size_t>(source)] = muted; }
  const std::vector<std::unique_ptr<Publication>>& publications() const { return publications_; }
  std::vector<std::unique_ptr<Subscription>>& subscriptions() { return subscriptions_; }
  Transport* subscribeTransport() { return subscribeTransport_.get(); }
  // Asks the publisher for a keyframe of one layer (throttled per publication).
  void requestKeyframe(Publication& publication, int layer, uint64_t nowMs);

  void onTick(uint64_t nowMs);

  // What this subscriber shows (tiles, pins, its own last-N).
  void setView(const ViewSpec& view) { view_ = view; }
  void measureBitrates(uint64_t nowUs);
  // Shares the subscribe transport's estimated bandwidth over the video subscriptions: last-N
  // and hidden tiles pause, then layers by priority (screen share, dominant speaker, pinned,
  // the rest) within the tile sizes; probes the link when a wanted layer does not fit.
  void allocate(uint64_t nowUs);

 private:
  // Transport::Listener
  void onTransportRtp(Transport&, rtp::RtpPacket& packet, util::PacketRef& buffer,
                      uint64_t nowUs) override;
  void onTransportRtcp(Transport&, uint8_t* data, size_t size, uint64_t nowUs) override;
  void onTransportClosed(Transport&, const char* reason) override;

  void onPublisherRtcp(uint8_t* data, size_t size, uint64_t nowUs);
  void onSubscriberRtcp(uint8_t* data, size_t size, uint64_t nowUs);
  void sendPublisherFeedback(uint64_t nowMs);
  void sendSenderReports(uint64_t nowUs);
  void sendKeyframeRequest(Publication& publication, int layer);

  Room& room_;
  Worker& worker_;
  std::string id_;
  int speakerSlot_;
  ViewSpec view_;
  std::vector<std::pair<std::string, Source>> paused_;  // as last reported
  // A probe in progress: padding sent in even parts, one per tick, on one video's RTX stream.
  struct ProbePacing {
    uint32_t carrierSsrc = 0;
    size_t bytesPerTick = 0;
    int ticksLeft = 0;
  };
  ProbePacing probe_;
  // Bandwidth is taken away only on evidence of congestion (see allocate).
  uint64_t lastTargetBps_ = Transport::kBweStartBps;
  uint64_t lastProbeFailures_ = 0;
  uint64_t congestedUntilUs_ = 0;
  void sendProbePart(uint64_t nowUs);
  std::unique_ptr<Transport> publishTransport_;
  std::unique_ptr<Transport> subscribeTransport_;
  std::unique_ptr<rtp::StreamIdentifier> identifier_;
  std::vector<std::unique_ptr<Publication>> publications_;
  std::vector<std::unique_ptr<Subscription>> subscriptions_;
  std::string cname_;
  bool muted_[3] = {false, false, false};
  uint64_t lastReportUs_ = 0;
  uint64_t lastSenderReportUs_ = 0;
};

}  // namespace treff::sfu
