// A meeting's media on one worker: its participants, and the routes from each publication to
// the subscriptions that forward it.
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
#include "sfu/participant.hpp"
#include "sfu/worker.hpp"

namespace treff::sfu {

class Room final : public Session, private BatchWork {
 public:
  // onMediaClosed runs on the worker thread when a participant's transport closes for good.
  Room(Worker& worker, std::function<void(const std::string& participant)> onMediaClosed);
  ~Room() override;

  void setPublisher(const std::string& participant, const PublishSpec& spec);
  void setSubscriber(const std::string& participant, const SubscribeSpec& spec);
  void removeParticipant(const std::string& participant);
  void setMuted(const std::string& participant, Source source, bool muted);
  size_t participantCount() const { return participants_.size(); }

  // From a participant's publish transport: one packet of a publication's layer, held in
  // `buffer`. The fan-out waits for the end of the receive batch: then each subscription takes
  // all the batch's packets of a publication in a row, its state read once, not once per packet.
  void route(Publication& publication, int layer, const rtp::RtpPacket& packet,
             const util::PacketRef& buffer, bool keyframe, uint64_t arrivalUs);
  // A padding-only packet that is not forwarded: subscriptions keep their numbering gap-free.
  void routeSkipped(Publication& publication, int layer, uint32_t ssrc, uint16_t seq);
  // Rebuilds the publication -> subscriptions table after any publish or subscribe change.
  void rebuildRoutes();
  Participant* participant(const std::string& id);
  uint8_t* scratch() { return scratch_; }
  void onMediaClosed(const std::string& participant) {
    if (onMediaClosed_) onMediaClosed_(participant);
  }

  void onTick(uint64_t nowMs) override;

 private:
  // A packet whose fan-out waits for the end of the receive batch.
  struct Pending {
    Publication* publication = nullptr;
    int layer = 0;
    bool skipped = false;  // padding only: numbering, not forwarding
    bool keyframe = false;
    uint32_t skippedSsrc = 0;
    uint16_t skippedSeq = 0;
    rtp::RtpPacket packet;  // a view into buffer
    util::PacketRef buffer;
  };
  static constexpr size_t kMaxPending = 64;

  Pending* addPending(Publication& publication, int layer);
  // The fan-out of every pending packet, publication by publication, subscription-major.
  void runBatchWork() override;

  Worker& worker_;
  std::function<void(const std::string&)> onMediaClosed_;
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
