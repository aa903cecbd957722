#include "sfu/room.hpp"

#include "rtp/rtp_packet.hpp"

namespace treff::sfu {

Room::Room(Worker& worker, std::function<void(const std::string&)> onMediaClosed)
    : worker_(worker), onMediaClosed_(std::move(onMediaClosed)) {}

Room::~Room() {
  routes_.clear();
  participants_.clear();
}

Participant* Room::participant(const std::string& id) {
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : it->second.get();
}

void Room::setPublisher(const std::string& id, const PublishSpec& spec) {
  auto& p = participants_[id];
  if (!p) p = std::make_unique<Participant>(*this, worker_, id);
  p->setPublish(spec);
}

void Room::setSubscriber(const std::string& id, const SubscribeSpec& spec) {
  auto& p = participants_[id];
  if (!p) p = std::make_unique<Participant>(*this, worker_, id);
  p->setSubscribe(spec);
  // A new subscriber needs a keyframe promptly to start decoding.
  uint64_t nowMs = worker_.nowMs();
  for (auto& sub : p->subscriptions()) {
    Participant* publisher = participant(sub->spec().publisher);
    Publication* pub = publisher ? publisher->publication(sub->spec().source) : nullptr;
    if (pub && pub->video() && sub->currentLayer() < 0) {
      sub->updateTarget(*pub, nowMs * 1000);
      publisher->requestKeyframe(*pub, sub->targetLayer() < 0 ? 0 : sub->targetLayer(), nowMs);
    }
  }
}

void Room::removeParticipant(const std::string& id) {
  auto it = participants_.find(id);
  if (it == participants_.end()) return;
  // Routes point into the participant: drop them first.
  routes_.clear();
  participants_.erase(it);
  rebuildRoutes();
}

void Room::setMuted(const std::string& id, Source source, bool muted) {
  auto& owned = participants_[id];
  if (!owned) owned = std::make_unique<Participant>(*this, worker_, id);
  Participant* p = owned.get();
  p->setMuted(source, muted);
  Publication* pub = p->publication(source);
  if (!pub || pub->muted() == muted) return;
  pub->setMuted(muted);
  // Video that comes back needs a keyframe at every subscriber.
  if (!muted && pub->video()) p->requestKeyframe(*pub, pub->requestedLayer(), worker_.nowMs());
}

void Room::rebuildRoutes() {
  routes_.clear();
  for (auto& [id, subscriber] : participants_) {
    Transport* transport = subscriber->subscribeTransport();
    for (auto& sub : subscriber->subscriptions()) {
      Participant* publisher = participant(sub->spec().publisher);
      Publication* pub = publisher ? publisher->publication(sub->spec().source) : nullptr;
      sub->bindSource(pub ? publisher : nullptr, pub);
      if (pub && transport) routes_[pub].push_back(Route{sub.get(), transport});
    }
  }
}

void Room::route(Publication& publication, int layer, const rtp::RtpPacket& packet, bool keyframe,
                 uint64_t nowUs) {
  if (publication.muted()) return;
  auto it = routes_.find(&publication);
  if (it == routes_.end()) return;
  for (const Route& r : it->second) {
    if (!r.transport->connected()) continue;
    r.subscription->onPacket(publication, layer, packet, keyframe, nowUs, *r.transport, scratch_,
                             worker_.stats());
  }
}

void Room::routeSkipped(Publication& publication, int layer, uint32_t ssrc, uint16_t seq) {
  auto it = routes_.find(&publication);
  if (it == routes_.end()) return;
  for (const Route& r : it->second) {
    if (r.subscription->currentLayer() == layer) r.subscription->onSkipped(ssrc, seq);
  }
}

void Room::onTick(uint64_t nowMs) {
  for (auto& [id, p] : participants_) p->onTick(nowMs);
}

}  // namespace treff::sfu
