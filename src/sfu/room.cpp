#include "sfu/room.hpp"

#include <algorithm>

#include "rtp/rtp_packet.hpp"
#include "util/time.hpp"

namespace treff::sfu {

namespace {
constexpr uint64_t kAllocationIntervalMs = 500;
}

Room::Room(Worker& worker, const RoomConfig& config, std::function<void(RoomEvent)> onEvent)
    : worker_(worker), config_(config), onEvent_(std::move(onEvent)) {
  bySlot_.assign(kMaxSpeakerSlots, nullptr);
  audible_.assign(kMaxSpeakerSlots, false);
  for (int i = static_cast<int>(kMaxSpeakerSlots) - 1; i >= 0; --i) freeSlots_.push_back(i);
}

Participant& Room::ensureParticipant(const std::string& id) {
  auto& p = participants_[id];
  if (!p) {
    int slot = -1;
    if (!freeSlots_.empty()) {
      slot = freeSlots_.back();
      freeSlots_.pop_back();
      speakers_.add(slot);
    }
    p = std::make_unique<Participant>(*this, worker_, id, slot);
    if (slot >= 0) bySlot_[static_cast<size_t>(slot)] = p.get();
  }
  return *p;
}

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
  ensureParticipant(id).setPublish(spec);
}

void Room::setSubscriber(const std::string& id, const SubscribeSpec& spec) {
  runBatchWork();  // pending packets go out along the routes they arrived for
  Participant* p = &ensureParticipant(id);
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
  const int slot = it->second->speakerSlot();
  if (slot >= 0) {
    speakers_.remove(slot);
    bySlot_[static_cast<size_t>(slot)] = nullptr;
    audible_[static_cast<size_t>(slot)] = false;
    freeSlots_.push_back(slot);
  }
  std::erase(speakerOrder_, it->second.get());
  participants_.erase(it);
  rebuildRoutes();
}

void Room::setMuted(const std::string& id, Source source, bool muted) {
  runBatchWork();  // pending packets go out along the routes they arrived for
  Participant* p = &ensureParticipant(id);
  p->setMuted(source, muted);
  Publication* pub = p->publication(source);
  if (!pub || pub->muted() == muted) return;
  pub->setMuted(muted);
  // Video that comes back needs a keyframe at every subscriber.
  if (!muted && pub->video()) p->requestKeyframe(*pub, pub->requestedLayer(), worker_.nowMs());
}

void Room::setView(const std::string& id, const ViewSpec& view) {
  ensureParticipant(id).setView(view);
  // Apply at once: a tile that appeared or grew should not wait for the next round.
  allocate(worker_.nowMs());
}

const Participant* Room::dominantSpeaker() const {
  const int slot = speakers_.dominant();
  return slot >= 0 ? bySlot_[static_cast<size_t>(slot)] : nullptr;
}

void Room::updateSpeakers(uint64_t nowMs) {
  if (speakers_.update(nowMs)) {
    if (const Participant* p = dominantSpeaker()) {
      RoomEvent e;
      e.kind = RoomEvent::Kind::DominantSpeaker;
      e.participant = p->id();
      emit(std::move(e));
    }
  }
  // The recent-speaker order, for last-N and for loudest-N audio.
  int slots[kMaxSpeakerSlots];
  const size_t n = speakers_.recentSpeakers(std::span<int>(slots, kMaxSpeakerSlots));
  speakerOrder_.clear();
  for (size_t i = 0; i < n; ++i) {
    if (Participant* p = bySlot_[static_cast<size_t>(slots[i])]) speakerOrder_.push_back(p);
  }
  loudestOnly_ =
      config_.audioLoudestN > 0 && participants_.size() >= config_.audioLoudestMinParticipants;
  if (loudestOnly_) {
    std::fill(audible_.begin(), audible_.end(), false);
    const size_t keep = std::min(n, static_cast<size_t>(config_.audioLoudestN));
    for (size_t i = 0; i < keep; ++i) audible_[static_cast<size_t>(slots[i])] = true;
  }
}

void Room::allocate(uint64_t nowMs) {
  lastAllocationMs_ = nowMs;
  const uint64_t nowUs = nowMs * 1000;
  for (auto& [id, p] : participants_) p->measureBitrates(nowUs);
  for (auto& [id, p] : participants_) p->allocate(nowUs);
  updatePublisherLayers();
}

void Room::updatePublisherLayers() {
  // Per publication, the highest layer any subscription was allocated.
  std::unordered_map<const Publication*, int> needed;
  for (auto& [id, p] : participants_) {
    for (auto& sub : p->subscriptions()) {
      const Publication* pub = sub->sourcePublication();
      if (!pub || !pub->video() || sub->paused()) continue;
      const int top = static_cast<int>(pub->selectableLayerCount()) - 1;
      const int want = std::min(sub->allocatedLayer(), top);
      auto [it, inserted] = needed.emplace(pub, want);
      if (!inserted) it->second = std::max(it->second, want);
    }
  }
  for (auto& [id, p] : participants_) {
    for (auto& pub : p->publications()) {
      // Simulcast encodings, or an SVC stream's spatial layers (the client then lowers its
      // scalability mode).
      if (!pub->video() || pub->selectableLayerCount() < 2) continue;
      auto it = needed.find(pub.get());
      // The lowest layer always goes: a new subscriber starts on it at once.
      const int want = std::max(it == needed.end() ? 0 : it->second, 0);
      if (!pub->updateNeededLayer(want)) continue;
      RoomEvent e;
      e.kind = RoomEvent::Kind::PublisherLayers;
      e.participant = id;
      e.source = pub->source();
      e.neededLayer = pub->neededLayer();
      e.layerCount = pub->selectableLayerCount();
      emit(std::move(e));
    }
  }
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
                 const util::PacketRef& buffer, bool keyframe, const SvcLayer& svc,
                 uint64_t arrivalUs) {
  (void)arrivalUs;  // forwarding uses the send time, taken once per batch
  if (publication.muted() || !routes_.count(&publication)) return;
  Pending* p = addPending(publication, layer);
  p->skipped = false;
  p->keyframe = keyframe;
  p->svc = svc;
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
            // A scalable stream's current layer is a spatial one, of the same one stream.
            const bool forwarding =
                publication->scalable() ? sub.currentLayer() >= 0 : sub.currentLayer() == p.layer;
            if (forwarding) sub.onSkipped(p.skippedSsrc, p.skippedSeq);
          } else if (connected) {
            sub.onPacket(*publication, p.layer, p.packet, p.keyframe, p.svc, nowUs, *r.transport,
                         scratch_, worker_.stats());
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
  updateSpeakers(nowMs);
  if (nowMs - lastAllocationMs_ >= kAllocationIntervalMs) allocate(nowMs);
}

}  // namespace treff::sfu
