#include "sfu/room.hpp"

#include "rtp/rtp_packet.hpp"
#include "util/time.hpp"

namespace treff::sfu {

Room::Room(Worker& worker, std::function<void(const std::string&)> onMediaClosed)
    : worker_(worker), onMediaClosed_(std::move(onMediaClosed)) {}

Room::~Room() {
  worker_.cancelBatchWork(this);
  for (size_t i = 0; i < pendingCount_; ++i) pending_[i].buffer.reset();
  pendingCount_ = 0;
  routes_.clear();
  participants_.clear();
}

Participant* Room::participant(const std::string& id) {
  auto it = participants_.find(id);
  return it == participants_.end() ? nullptr : it->second.get();
}

void Room::setPublisher(const std::string& id, const PublishSpec& spec) {
  runBatchWork();  // pending packets go out along the routes they arrived for
  auto& p = participants_[id];
  if (!p) p = std::make_unique<Participant>(*this, worker_, id);
  p->setPublish(spec);
}

void Room::setSubscriber(const std::string& id, const SubscribeSpec& spec) {
  runBatchWork();  // pending packets go out along the routes they arrived for
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
  runBatchWork();  // pending packets go out along the routes they arrived for
  auto it = participants_.find(id);
  if (it == participants_.end()) return;
  // Routes point into the participant: drop them first.
  routes_.clear();
  participants_.erase(it);
  rebuildRoutes();
}

void Room::setMuted(const std::string& id, Source source, bool muted) {
  runBatchWork();  // pending packets go out along the routes they arrived for
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
  runBatchWork();  // pending packets go out along the routes they arrived for
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

Room::Pending* Room::addPending(Publication& publication, int layer) {
  if (pendingCount_ == kMaxPending) runBatchWork();
  if (pendingCount_ == 0) worker_.deferToBatchEnd(this);
  Pending& p = pending_[pendingCount_++];
  p.publication = &publication;
  p.layer = layer;
  return &p;
}

void Room::route(Publication& publication, int layer, const rtp::RtpPacket& packet,
                 const util::PacketRef& buffer, bool keyframe, uint64_t arrivalUs) {
  (void)arrivalUs;  // forwarding uses the send time, taken once per batch
  if (publication.muted() || !routes_.count(&publication)) return;
  Pending* p = addPending(publication, layer);
  p->skipped = false;
  p->keyframe = keyframe;
  p->packet = packet;
  p->buffer = buffer;
}

void Room::routeSkipped(Publication& publication, int layer, uint32_t ssrc, uint16_t seq) {
  if (!routes_.count(&publication)) return;
  // Kept in order with the forwarded packets: a subscription's numbering depends on both.
  Pending* p = addPending(publication, layer);
  p->skipped = true;
  p->skippedSsrc = ssrc;
  p->skippedSeq = seq;
  p->keyframe = false;
  p->buffer.reset();
}
void Room::runBatchWork() {
  const size_t count = pendingCount_;
  if (count == 0) return;
  const uint64_t nowUs = util::nowUs();  // the send time
  for (size_t i = 0; i < count; ++i) {
    Publication* publication = pending_[i].publication;
    if (!publication) continue;  // forwarded with an earlier packet of its publication
    auto it = routes_.find(publication);
    if (it != routes_.end()) {
      for (const Route& r : it->second) {
        Subscription& sub = *r.subscription;
        const bool connected = r.transport->connected();
        for (size_t j = i; j < count; ++j) {
          const Pending& p = pending_[j];
          if (p.publication != publication) continue;
          if (p.skipped) {
            if (sub.currentLayer() == p.layer) sub.onSkipped(p.skippedSsrc, p.skippedSeq);
          } else if (connected) {
            sub.onPacket(*publication, p.layer, p.packet, p.keyframe, nowUs, *r.transport, scratch_,
                         worker_.stats());
          }
        }
      }
    }
    for (size_t j = i; j < count; ++j) {
      Pending& p = pending_[j];
      if (p.publication != publication) continue;
      p.publication = nullptr;
      p.buffer.reset();
    }
  }
  pendingCount_ = 0;
}

void Room::onTick(uint64_t nowMs) {
  for (auto& [id, p] : participants_) p->onTick(nowMs);
}

}  // namespace treff::sfu
