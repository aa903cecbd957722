// A meeting's media on one worker: its participants, and the routes from each publication to
// the subscriptions that forward it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "sfu/participant.hpp"
#include "sfu/worker.hpp"

namespace treff::sfu {

class Room final : public Session {
 public:
  // onMediaClosed runs on the worker thread when a participant's transport closes for good.
  Room(Worker& worker, std::function<void(const std::string& participant)> onMediaClosed);
  ~Room() override;

  void setPublisher(const std::string& participant, const PublishSpec& spec);
  void setSubscriber(const std::string& participant, const SubscribeSpec& spec);
  void removeParticipant(const std::string& participant);
  void setMuted(const std::string& participant, Source source, bool muted);
  size_t participantCount() const { return participants_.size(); }

  // From a participant's publish transport: one packet of a publication's layer.
  void route(Publication& publication, int layer, const rtp::RtpPacket& packet, bool keyframe,
             uint64_t nowUs);
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
  Worker& worker_;
  std::function<void(const std::string&)> onMediaClosed_;
  std::map<std::string, std::unique_ptr<Participant>> participants_;
  struct Route {
    Subscription* subscription;
    Transport* transport;  // the subscriber's
  };
  std::unordered_map<const Publication*, std::vector<Route>> routes_;
  uint8_t scratch_[util::PacketBuffer::kCapacity];
};

}  // namespace treff::sfu
