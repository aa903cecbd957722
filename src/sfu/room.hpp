// A meeting's media on one worker: its participants, the routes from each publication to the
// subscriptions that forward it, the dominant speaker, and every half second the allocation of
// each subscriber's bandwidth over its videos (last-N, tile sizes, estimated bandwidth).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "sfu/dominant_speaker.hpp"
#include "sfu/participant.hpp"
#include "sfu/svc_layer.hpp"
#include "sfu/worker.hpp"

namespace treff::sfu {

class Room final : public Session, private BatchWork {
 public:
  // onEvent runs on the worker thread (see RoomEvent).
  Room(Worker& worker, const RoomConfig& config, std::function<void(RoomEvent)> onEvent);
  ~Room() override;

  // Most participants a room tracks for speaker detection.
  static constexpr size_t kMaxSpeakerSlots = 1024;

  void setPublisher(const std::string& participant, const PublishSpec& spec);
  void setSubscriber(const std::string& participant, const SubscribeSpec& spec);
  void removeParticipant(const std::string& participant);
  void setMuted(const std::string& participant, Source source, bool muted);
  void setView(const std::string& participant, const ViewSpec& view);
  size_t participantCount() const { return participants_.size(); }

  // Speakers. A participant's audio levels (RFC 6464: -dBov and the V bit) feed the detector.
  void onAudioLevel(int slot, uint8_t level, bool voice, uint64_t nowMs) {
    if (slot >= 0) speakers_.onAudioLevel(slot, level, voice, nowMs);
  }
  const Participant* dominantSpeaker() const;
  // Whether the audio of the participant in `slot` is forwarded (loudest-N in large rooms).
  bool audible(int slot) const {
    return !loudestOnly_ || (slot >= 0 && static_cast<size_t>(slot) < audible_.size() &&
                             audible_[static_cast<size_t>(slot)]);
  }
  const RoomConfig& config() const { return config_; }
  // Participants in recent-speaker order (the dominant speaker first), for last-N.
  const std::vector<Participant*>& speakerOrder() const { return speakerOrder_; }

  // From a participant's publish transport: one packet of a publication's layer, held in
  // `buffer`. The fan-out waits for the end of the receive batch: then each subscription takes
  // all the batch's packets of a publication in a row, its state read once, not once per packet.
  void route(Publication& publication, int layer, const rtp::RtpPacket& packet,
             const util::PacketRef& buffer, bool keyframe, const SvcLayer& svc, uint64_t arrivalUs);
  // A padding-only packet that is not forwarded: subscriptions keep their numbering gap-free.
  void routeSkipped(Publication& publication, int layer, uint32_t ssrc, uint16_t seq);
  // Rebuilds the publication -> subscriptions table after any publish or subscribe change.
  void rebuildRoutes();
  Participant* participant(const std::string& id);
  uint8_t* scratch() { return scratch_; }
  void onMediaClosed(const std::string& participant) {
    RoomEvent e;
    e.kind = RoomEvent::Kind::MediaClosed;
    e.participant = participant;
    emit(std::move(e));
  }
  void emit(RoomEvent event) {
    if (onEvent_) onEvent_(std::move(event));
  }

  void onTick(uint64_t nowMs) override;

 private:
  // A packet whose fan-out waits for the end of the receive batch.
  struct Pending {
    Publication* publication = nullptr;
    int layer = 0;
    bool skipped = false;  // padding only: numbering, not forwarding
    bool keyframe = false;
    SvcLayer svc;
    uint32_t skippedSsrc = 0;
    uint16_t skippedSeq = 0;
    rtp::RtpPacket packet;  // a view into buffer
    util::PacketRef buffer;
  };
  static constexpr size_t kMaxPending = 64;

  Pending* addPending(Publication& publication, int layer);
  Participant& ensureParticipant(const std::string& id);
  void updateSpeakers(uint64_t nowMs);
  // Every subscriber's allocation, then what each publisher must send.
  void allocate(uint64_t nowMs);
  void updatePublisherLayers();
  // The fan-out of every pending packet, publication by publication, subscription-major.
  void runBatchWork() override;

  Worker& worker_;
  RoomConfig config_;
  std::function<void(RoomEvent)> onEvent_;
  DominantSpeakerDetector speakers_{kMaxSpeakerSlots};
  std::vector<Participant*> bySlot_;  // speaker slot -> participant
  std::vector<int> freeSlots_;
  std::vector<Participant*> speakerOrder_;
  std::vector<bool> audible_;
  bool loudestOnly_ = false;
  uint64_t lastAllocationMs_ = 0;
  std::map<std::string, std::unique_ptr<Participant>> participants_;
  struct Route {
    Subscription* subscription;
    Transport* transport;  // the subscriber's
  };
  std::unordered_map<const Publication*, std::vector<Route>> routes_;
  std::array<Pending, kMaxPending> pending_;
  size_t pendingCount_ = 0;
  uint8_t scratch_[util::PacketBuffer::kCapacity];
};

}  // namespace treff::sfu
