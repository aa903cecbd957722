#include "sfu/participant.hpp"

#include <spdlog/spdlog.h>
#include <strings.h>

#include <algorithm>
#include <cstring>

#include "bwe/bandwidth_estimator.hpp"
#include "bwe/layer_allocator.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtcp_twcc.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "sfu/room.hpp"
#include "sfu/worker.hpp"
#include "srtp/srtp_session.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::sfu {
namespace {

constexpr uint64_t kReportIntervalUs = 1'000'000;
constexpr size_t kRtcpScratch = util::PacketBuffer::kCapacity - srtp::SrtpSession::kMaxRtcpOverhead;
constexpr uint32_t kAssumedRttMs = 50;  // until receiver reports give a measured one
constexpr uint32_t kTickUs = 20'000;    // the worker's tick: the probe pacer's step

}  // namespace

Participant::Participant(Room& room, Worker& worker, std::string id, int speakerSlot)
    : room_(room),
      worker_(worker),
      id_(std::move(id)),
      speakerSlot_(speakerSlot),
      cname_(util::randomString(16, "abcdefghijklmnopqrstuvwxyz0123456789")) {}

Participant::~Participant() = default;

Publication* Participant::publication(Source source) {
  for (auto& p : publications_) {
    if (p->source() == source) return p.get();
  }
  return nullptr;
}

void Participant::setPublish(const PublishSpec& spec) {
  Transport::Listener& listener = *this;
  if (!publishTransport_ || publishTransport_->closed()) {
    publishTransport_ = std::make_unique<Transport>(worker_, spec.localIce, spec.remote, listener);
  } else if (publishTransport_->localIce().ufrag != spec.localIce.ufrag) {
    publishTransport_->restartIce(spec.localIce, spec.remote.ice);
  }
  identifier_ = std::make_unique<rtp::StreamIdentifier>(spec.remote.extensions);
  std::vector<std::unique_ptr<Publication>> next;
  for (const auto& ps : spec.publications) {
    for (const auto& [ssrc, rtx] : ps.ssrcs) {
      try {
        identifier_->addSsrc(ssrc, ps.mid);
        if (rtx) identifier_->addRepairSsrc(rtx, ssrc);
      } catch (const std::exception&) {
        // A repeated SSRC in the offer: the extensions will identify it.
      }
    }
    for (const auto& c : ps.codecs) {
      identifier_->addPayloadTypeMid(c.payloadType, ps.mid);
      if (c.rtxPayloadType) {
        identifier_->addPayloadTypeMid(*c.rtxPayloadType, ps.mid);
        identifier_->addRepairPayloadType(*c.rtxPayloadType);
      }
    }
    // A publication that stays (same mid and source) keeps its state.
    std::unique_ptr<Publication> kept;
    for (auto& old : publications_) {
      if (old && old->mid() == ps.mid && old->source() == ps.source) kept = std::move(old);
    }
    if (kept) {
      kept->setExtensions(spec.remote.extensions);
      // Simulcast SSRCs were learned from RID extensions that the browser stopped sending once
      // RTCP acknowledged them: the new identifier must know them already.
      for (size_t i = 0; i < kept->layerCount(); ++i) {
        const auto& layer = kept->layer(i);
        if (!layer.ssrc || identifier_->find(layer.ssrc)) continue;
        try {
          identifier_->addSsrc(layer.ssrc, ps.mid, layer.rid);
        } catch (const std::exception&) {
          // Full table: the extensions identify it if they come back.
        }
      }
      next.push_back(std::move(kept));
    } else {
      next.push_back(std::make_unique<Publication>(id_, ps, spec.remote.extensions));
    }
  }
  publications_ = std::move(next);
  for (auto& pub : publications_) pub->setMuted(muted_[static_cast<size_t>(pub->source())]);
  room_.rebuildRoutes();
}

void Participant::setSubscribe(const SubscribeSpec& spec) {
  Transport::Listener& listener = *this;
  if (!subscribeTransport_ || subscribeTransport_->closed()) {
    subscribeTransport_ =
        std::make_unique<Transport>(worker_, spec.localIce, spec.remote, listener);
    subscribeTransport_->enableBandwidthEstimation();
  } else if (subscribeTransport_->localIce().ufrag != spec.localIce.ufrag) {
    subscribeTransport_->restartIce(spec.localIce, spec.remote.ice);
  }
  cname_ = spec.cname;
  std::vector<std::unique_ptr<Subscription>> next;
  for (const auto& ss : spec.subscriptions) {
    std::unique_ptr<Subscription> kept;
    for (auto& old : subscriptions_) {
      if (old && old->spec().mid == ss.mid && old->ssrc() == ss.ssrc) kept = std::move(old);
    }
    next.push_back(kept ? std::move(kept) : std::make_unique<Subscription>(id_, ss));
  }
  subscriptions_ = std::move(next);
  room_.rebuildRoutes();
}

void Participant::requestKeyframe(Publication& publication, int layer, uint64_t nowMs) {
  publication.requestLayer(layer);
  if (publication.keyframeRequests().shouldRequest(nowMs)) sendKeyframeRequest(publication, layer);
}

void Participant::sendKeyframeRequest(Publication& publication, int layer) {
  // A scalable stream's layers are spatial layers of its one encoding.
  if (publication.scalable()) layer = 0;
  if (!publishTransport_ || layer < 0 || static_cast<size_t>(layer) >= publication.layerCount())
    return;
  uint32_t ssrc = publication.layer(layer).ssrc;
  if (!ssrc) return;
  uint8_t buf[16];
  size_t n = rtp::buildPli(buf, sizeof(buf), publishTransport_->feedbackSsrc(), ssrc);
  if (n && publishTransport_->sendRtcp(buf, n)) worker_.stats().add(Counter::KeyframeRequestsOut);
}

void Participant::onTransportRtp(Transport& transport, rtp::RtpPacket& packet,
                                 util::PacketRef& buffer, uint64_t nowUs) {
  if (&transport != publishTransport_.get() || !identifier_) {
    worker_.stats().drop(DropReason::UnknownStream);
    return;
  }
  const rtp::StreamInfo* info = identifier_->lookup(packet);
  Publication* pub = nullptr;
  if (info) {
    for (auto& p : publications_) {
      if (p->mid() == info->mid) pub = p.get();
    }
  }
  bool isRtx = false;
  const CodecSpec* codec = pub ? pub->codecOf(packet.payloadType(), &isRtx) : nullptr;
  int layerIndex = pub ? pub->layerOf(info->rid) : -1;
  if (!codec || layerIndex < 0) {
    worker_.stats().drop(DropReason::UnknownStream);
    return;
  }
  Publication::Layer& layer = pub->layer(static_cast<size_t>(layerIndex));
  if (isRtx) {
    // RFC 4588 §4: a retransmission carries the original sequence number first. Turn it back
    // into the original packet in place; a padding-only probe carries nothing to forward.
    if (packet.payloadLength() < 2 || !layer.ssrc) return;
    uint8_t* payload = packet.data() + packet.headerLength();
    uint16_t osn = util::loadBe16(payload);
    size_t rest = packet.payloadLength() - 2;
    std::memmove(payload, payload + 2, rest);
    packet.data()[0] &= static_cast<uint8_t>(~0x20);  // padding dropped with the move
    size_t size = packet.headerLength() + rest;
    if (!rtp::RtpPacket::parse(packet.data(), size, &packet)) return;
    packet.setSequence(osn);
    packet.setSsrc(layer.ssrc);
    packet.setPayloadType(codec->payloadType);
    buffer->size = static_cast<uint32_t>(size);
  } else if (layer.ssrc != packet.ssrc()) {
    layer.ssrc = packet.ssrc();
    layer.stats = std::make_unique<rtp::ReceiveStreamStats>(layer.ssrc, pub->clockRate());
  }
  if (!layer.stats)
    layer.stats = std::make_unique<rtp::ReceiveStreamStats>(layer.ssrc, pub->clockRate());
  layer.stats->onRtp(packet, nowUs);
  layer.lastPacketUs = nowUs;
  layer.bytesSinceMeasure += packet.size();
  if (!pub->video()) {
    if (auto level = rtp::readAudioLevel(packet, pub->extensions())) {
      room_.onAudioLevel(speakerSlot_, level->levelDbov, level->voiceActivity, nowUs / 1000);
    }
    // Loudest-N in a large room: the others' audio is numbered past, not forwarded.
    if (!room_.audible(speakerSlot_)) {
      room_.routeSkipped(*pub, layerIndex, packet.ssrc(), packet.sequence());
      return;
    }
  }
  if (packet.payloadLength() == 0) {
    // Padding only (bandwidth probing): nothing to decode, so nothing to forward.
    room_.routeSkipped(*pub, layerIndex, packet.ssrc(), packet.sequence());
    return;
  }
  bool keyframe = rtp::isKeyframe(codec->video, packet.payload());
  if (keyframe) {
    layer.lastKeyframeUs = nowUs;
    if (codec->video == rtp::VideoCodec::Vp8)
      rtp::vp8KeyframeSize(packet.payload(), &layer.width, &layer.height);
    pub->keyframeRequests().onKeyframe();
  }
  // One VP9 or AV1 stream may carry spatial layers (SVC): where this packet sits, read once.
  const SvcLayer svc = pub->video() && pub->layerCount() == 1
                           ? pub->classify(packet, codec->video, nowUs)
                           : SvcLayer{};
  if (layer.nacks) layer.nacks->onPacket(packet.sequence(), nowUs, keyframe);
  if (layer.ring) layer.ring->insert(packet.sequence(), buffer, nowUs);
  room_.route(*pub, layerIndex, packet, buffer, keyframe, svc, nowUs);
}

void Participant::onTransportRtcp(Transport& transport, uint8_t* data, size_t size,
                                  uint64_t nowUs) {
  if (&transport == publishTransport_.get()) {
    onPublisherRtcp(data, size, nowUs);
  } else if (&transport == subscribeTransport_.get()) {
    onSubscriberRtcp(data, size, nowUs);
  }
}

void Participant::onPublisherRtcp(uint8_t* data, size_t size, uint64_t nowUs) {
  rtp::RtcpCompound compound(util::ConstBytes(data, size));
  rtp::RtcpPacket p;
  while (compound.next(p)) {
    if (p.packetType != static_cast<uint8_t>(rtp::RtcpType::kSenderReport)) continue;
    rtp::SenderReportView sr;
    if (sr.parse(p.bytes) != rtp::RtcpError::kNone) continue;
    for (auto& pub : publications_) {
      int layer = pub->layerOfSsrc(sr.senderSsrc());
      if (layer < 0) continue;
      auto& l = pub->layer(static_cast<size_t>(layer));
      rtp::SenderInfo info = sr.senderInfo();
      l.srNtp = info.ntpTimestamp;
      l.srRtpTimestamp = info.rtpTimestamp;
      l.srArrivalUs = nowUs;
      if (l.stats) l.stats->onSenderReport(info.ntpTimestamp, nowUs);
    }
  }
  if (compound.error() != rtp::RtcpError::kNone) worker_.stats().drop(DropReason::RtcpMalformed);
}

void Participant::onSubscriberRtcp(uint8_t* data, size_t size, uint64_t nowUs) {
  rtp::RtcpCompound compound(util::ConstBytes(data, size));
  rtp::RtcpPacket p;
  uint64_t nowMs = nowUs / 1000;
  auto findSubscription = [&](uint32_t ssrc) -> Subscription* {
    for (auto& s : subscriptions_) {
      if (s->owns(ssrc)) return s.get();
    }
    return nullptr;
  };
  auto publicationOf = [&](const Subscription& s, Participant** publisher) -> Publication* {
    *publisher = s.sourceParticipant();
    return s.sourcePublication();
  };
  while (compound.next(p)) {
    auto type = static_cast<rtp::RtcpType>(p.packetType);
    if (type == rtp::RtcpType::kPayloadFeedback &&
        (p.count == rtp::psfb::kPli || p.count == rtp::psfb::kFir)) {
      uint32_t target = 0;
      if (p.count == rtp::psfb::kPli) {
        rtp::PliView pli;
        if (pli.parse(p.bytes) == rtp::RtcpError::kNone) target = pli.mediaSsrc();
      } else {
        rtp::FirView fir;
        if (fir.parse(p.bytes) == rtp::RtcpError::kNone && fir.entryCount() > 0) {
          target = fir.entry(0).ssrc;
        }
      }
      Subscription* sub = findSubscription(target);
      Participant* publisher = nullptr;
      Publication* pub = sub ? publicationOf(*sub, &publisher) : nullptr;
      if (pub) {
        int layer = sub->currentLayer() >= 0 ? sub->currentLayer() : sub->targetLayer();
        publisher->requestKeyframe(*pub, layer, nowMs);
      }
    } else if (type == rtp::RtcpType::kRtpFeedback && p.count == rtp::rtpfb::kTransportCc) {
      if (subscribeTransport_) subscribeTransport_->onBandwidthFeedback(p.bytes, nowUs);
    } else if (type == rtp::RtcpType::kPayloadFeedback && p.count == rtp::psfb::kAfb) {
      rtp::RembView remb;
      if (subscribeTransport_ && remb.parse(p.bytes) == rtp::RtcpError::kNone)
        subscribeTransport_->onRemb(remb.bitrateBps(), nowUs);
    } else if (type == rtp::RtcpType::kRtpFeedback && p.count == rtp::rtpfb::kNack) {
      rtp::NackView nack;
      if (nack.parse(p.bytes) != rtp::RtcpError::kNone) continue;
      Subscription* sub = findSubscription(nack.mediaSsrc());
      Participant* publisher = nullptr;
      Publication* pub = sub ? publicationOf(*sub, &publisher) : nullptr;
      if (!pub || !subscribeTransport_) continue;
      uint16_t lost[256];
      size_t n = nack.lostSequenceNumbers(lost);
      for (size_t i = 0; i < n; ++i) {
        sub->retransmit(*pub, lost[i], nowUs, *subscribeTransport_, room_.scratch(),
                        worker_.stats());
      }
    }
  }
  if (compound.error() != rtp::RtcpError::kNone) worker_.stats().drop(DropReason::RtcpMalformed);
}

void Participant::sendPublisherFeedback(uint64_t nowMs) {
  if (!publishTransport_ || !publishTransport_->connected()) return;
  uint64_t nowUs = nowMs * 1000;
  uint8_t out[kRtcpScratch];
  // Upstream NACKs for what the server lost (RFC 4585 §6.2.1).
  for (auto& pub : publications_) {
    for (size_t i = 0; i < pub->layerCount(); ++i) {
      auto& layer = pub->layer(i);
      // A paused layer gives its buffers back to the pool.
      if (layer.ring) layer.ring->releaseExpired(nowUs);
      if (!layer.nacks || !layer.ssrc) continue;
      uint16_t seqs[64];
      size_t count = layer.nacks->collectNacks(nowUs, kAssumedRttMs, seqs);
      if (count == 0) continue;
      size_t n = rtp::buildNack(out, sizeof(out), publishTransport_->feedbackSsrc(), layer.ssrc,
                                std::span<const uint16_t>(seqs, count));
      if (n) publishTransport_->sendRtcp(out, n);
    }
    // A keyframe request that waited out the throttle interval goes now.
    if (pub->keyframeRequests().pendingDue(nowMs)) sendKeyframeRequest(*pub, pub->requestedLayer());
  }
  if (nowUs - lastReportUs_ < kReportIntervalUs) return;
  lastReportUs_ = nowUs;
  rtp::ReportBlockData blocks[rtp::kMaxReportBlocks];
  size_t count = 0;
  for (auto& pub : publications_) {
    for (size_t i = 0; i < pub->layerCount() && count < rtp::kMaxReportBlocks; ++i) {
      auto& layer = pub->layer(i);
      if (layer.stats && layer.stats->hasReceived())
        blocks[count++] = layer.stats->makeReportBlock(nowUs);
    }
  }
  if (count == 0) return;
  size_t n = rtp::buildReceiverReport(out, sizeof(out), publishTransport_->feedbackSsrc(),
                                      std::span<const rtp::ReportBlockData>(blocks, count));
  rtp::SdesChunk chunk{publishTransport_->feedbackSsrc(), cname_};
  size_t m =
      n ? rtp::buildSdes(out + n, sizeof(out) - n, std::span<const rtp::SdesChunk>(&chunk, 1)) : 0;
  if (n) publishTransport_->sendRtcp(out, n + m);
}

void Participant::sendSenderReports(uint64_t nowUs) {
  if (!subscribeTransport_ || !subscribeTransport_->connected()) return;
  if (nowUs - lastSenderReportUs_ < kReportIntervalUs) return;
  lastSenderReportUs_ = nowUs;
  uint8_t out[kRtcpScratch];
  for (auto& sub : subscriptions_) {
    Publication* pub = sub->sourcePublication();
    if (!pub) continue;
    size_t n = sub->buildSenderReport(*pub, nowUs, out, sizeof(out));
    if (!n) continue;
    rtp::SdesChunk chunk{sub->ssrc(), cname_};
    size_t m = rtp::buildSdes(out + n, sizeof(out) - n, std::span<const rtp::SdesChunk>(&chunk, 1));
    subscribeTransport_->sendRtcp(out, n + m);
  }
}

void Participant::onTick(uint64_t nowMs) {
  if (publishTransport_) publishTransport_->onTick(nowMs);
  if (subscribeTransport_) subscribeTransport_->onTick(nowMs);
  sendPublisherFeedback(nowMs);
  uint64_t nowUs = nowMs * 1000;
  sendProbePart(util::nowUs());
  for (auto& sub : subscriptions_) {
    Publication* pub = sub->sourcePublication();
    if (pub && sub->updateTarget(*pub, nowUs))
      sub->sourceParticipant()->requestKeyframe(*pub, sub->targetLayer(), nowMs);
  }
  sendSenderReports(nowUs);
}

void Participant::measureBitrates(uint64_t nowUs) {
  for (auto& pub : publications_) pub->measureBitrates(nowUs);
}

namespace {

constexpr uint64_t kAudioReserveBps = 50'000;
constexpr uint64_t kCongestionMemoryUs = 10'000'000;
// Without any feedback from the subscriber there is no estimate: nothing limits the layers.
constexpr uint64_t kUnlimitedBps = 1'000'000'000'000;

}  // namespace

void Participant::allocate(uint64_t nowUs) {
  if (!subscribeTransport_) return;
  const Participant* dominant = room_.dominantSpeaker();
  auto pinnedRank = [&](const std::string& publisher) -> int {
    for (size_t i = 0; i < view_.pinned.size(); ++i) {
      if (view_.pinned[i] == publisher) return static_cast<int>(i);
    }
    return -1;
  };
  auto tileOf = [&](const Subscription& s) -> const TileView* {
    for (const auto& t : view_.tiles) {
      if (t.publisher == s.spec().publisher && t.source == s.spec().source) return &t;
    }
    return nullptr;
  };
  // Video subscriptions in the order they are served within a priority class: pinned ones,
  // then by recent speaking, then the rest as subscribed.
  std::vector<Subscription*> videos;
  size_t audioCount = 0;
  for (auto& s : subscriptions_) {
    if (!s->sourcePublication()) continue;
    if (s->spec().source == Source::Microphone) {
      ++audioCount;
    } else {
      videos.push_back(s.get());
    }
  }
  const auto& order = room_.speakerOrder();
  auto speakerRank = [&](const Subscription* s) -> size_t {
    for (size_t i = 0; i < order.size(); ++i) {
      if (order[i] == s->sourceParticipant()) return i;
    }
    return order.size();
  };
  // Pinned people first, then the dominant speaker, then whoever is forwarded already (so the
  // last-N set changes when the dominant speaker does, not with every cough), then by how
  // recently they spoke.
  std::stable_sort(videos.begin(), videos.end(), [&](const Subscription* a, const Subscription* b) {
    const int pa = pinnedRank(a->spec().publisher), pb = pinnedRank(b->spec().publisher);
    if ((pa >= 0) != (pb >= 0)) return pa >= 0;
    if (pa >= 0) return pa < pb;
    const bool da = a->sourceParticipant() == dominant, db = b->sourceParticipant() == dominant;
    if (da != db) return da;
    if (a->paused() != b->paused()) return !a->paused();
    return speakerRank(a) < speakerRank(b);
  });
  // Last-N counts cameras; a shared screen is always on.
  int lastN = room_.config().lastN;
  if (view_.lastN >= 0 && (lastN < 0 || view_.lastN < lastN)) lastN = view_.lastN;
  std::vector<bwe::LayerRequest> requests(videos.size());
  int cameras = 0;
  for (size_t i = 0; i < videos.size(); ++i) {
    const Subscription& s = *videos[i];
    const Publication& pub = *s.sourcePublication();
    bwe::LayerRequest& r = requests[i];
    const size_t layers = std::min(pub.selectableLayerCount(), bwe::kMaxLayers);
    uint32_t heights[bwe::kMaxLayers] = {};
    for (size_t l = 0; l < layers; ++l) {
      r.layerBps[l] = pub.layerCostBps(l);
      // An upgrade must fit with a sixth to spare, so a layer near the estimate does not come
      // and go with every wobble of it.
      if (static_cast<int>(l) > s.allocatedLayer() || s.paused())
        r.layerBps[l] += r.layerBps[l] / 6;
      heights[l] = pub.layerHeight(l);
    }
    if (s.spec().source == Source::Screen) {
      r.priority = bwe::PriorityClass::kScreenShare;
    } else if (s.sourceParticipant() == dominant) {
      r.priority = bwe::PriorityClass::kDominantSpeaker;
    } else if (pinnedRank(s.spec().publisher) >= 0) {
      r.priority = bwe::PriorityClass::kPinned;
    } else {
      r.priority = bwe::PriorityClass::kOther;
    }
    r.maxLayer = static_cast<int>(layers) - 1;
    if (view_.reported) {
      const TileView* tile = tileOf(s);
      r.maxLayer = tile ? bwe::maxLayerForTile(tile->width, tile->height,
                                               std::span<const uint32_t>(heights, layers))
                        : -1;
    }
    if (s.spec().source == Source::Camera && lastN >= 0 && cameras++ >= lastN) r.maxLayer = -1;
  }
  bwe::BandwidthEstimator* estimator = subscribeTransport_->bandwidthEstimator();
  const bool estimating =
      estimator && (estimator->state().twccActive || estimator->state().rembBps > 0);
  const uint64_t available = estimating ? estimator->targetBps() : kUnlimitedBps;
  std::vector<int> chosen(videos.size(), -1);
  const uint64_t audioBps = audioCount * kAudioReserveBps;
  bwe::allocateLayers(available, audioBps, requests, chosen);
  // The first video in line keeps its lowest layer while the estimate covers a quarter of it: a
  // picture that arrives a little late beats none, and right after a loss burst the estimate
  // undershoots the link for a few seconds (measured: 196 kbit/s on a 400 kbit/s link).
  size_t first = videos.size();
  for (size_t i = 0; i < videos.size(); ++i) {
    if (requests[i].maxLayer >= 0 &&
        (first == videos.size() || requests[i].priority < requests[first].priority))
      first = i;
  }
  if (first < videos.size() &&
      std::all_of(chosen.begin(), chosen.end(), [](int c) { return c < 0; })) {
    const auto& bps = requests[first].layerBps;
    for (size_t l = 0; l < bps.size(); ++l) {
      if (bps[l] == 0) continue;
      if (available > audioBps && (available - audioBps) * 4 >= bps[l])
        chosen[first] = static_cast<int>(l);
      break;
    }
  }
  // Layers are taken away only on evidence: the estimate fell (delay or loss said so) or a
  // probe failed, within the last kCongestionMemoryUs. Before that the estimate is a floor,
  // not a limit: what plays keeps playing while probes raise the estimate for more.
  bool congested = false;
  if (estimating) {
    const uint64_t target = estimator->targetBps();
    const uint64_t failures = estimator->stats().probesFailed;
    if (target + target / 32 < lastTargetBps_ || failures > lastProbeFailures_)
      congestedUntilUs_ = nowUs + kCongestionMemoryUs;
    lastTargetBps_ = target;
    lastProbeFailures_ = failures;
    congested = nowUs < congestedUntilUs_;
  }
  if (!congested) {
    for (size_t i = 0; i < videos.size(); ++i) {
      const int held = std::min(videos[i]->allocatedLayer(), requests[i].maxLayer);
      chosen[i] = std::max(chosen[i], held);
    }
  }
  for (size_t i = 0; i < videos.size(); ++i) {
    // A track that has not sent yet costs nothing known: it is not paused for that, and its
    // first key frame goes out as soon as it comes.
    const auto& bps = requests[i].layerBps;
    if (std::all_of(bps.begin(), bps.end(), [](uint64_t b) { return b == 0; }))
      chosen[i] = requests[i].maxLayer;
  }

  std::vector<std::pair<std::string, Source>> paused;
  uint64_t wantedBps = audioCount * kAudioReserveBps;
  Subscription* probeCarrier = nullptr;
  for (size_t i = 0; i < videos.size(); ++i) {
    Subscription& s = *videos[i];
    Publication& pub = *s.sourcePublication();
    s.setAllocatedLayer(chosen[i]);
    if (chosen[i] < 0) paused.emplace_back(s.spec().publisher, s.spec().source);
    if (requests[i].maxLayer >= 0) {
      // What this tile would take with enough bandwidth: its cap, or the best layer below it.
      for (int l = requests[i].maxLayer; l >= 0; --l) {
        if (requests[i].layerBps[static_cast<size_t>(l)]) {
          wantedBps += requests[i].layerBps[static_cast<size_t>(l)];
          break;
        }
      }
    }
    // Padding goes on a video's RTX stream, paused or not: the subscriber ignores it.
    if (!probeCarrier && s.spec().rtxSsrc) probeCarrier = &s;
    if (s.updateTarget(pub, nowUs))
      s.sourceParticipant()->requestKeyframe(pub, s.targetLayer(), nowUs / 1000);
  }
  // Before an upgrade the link is probed: padding at the rate the upgrade needs, paced over
  // kProbeParts ticks (the rate is measured between the first part and the last).
  if (estimating && probeCarrier && probe_.ticksLeft == 0 && wantedBps > available &&
      estimator->wantsProbe(nowUs)) {
    constexpr int kProbeParts = 4;
    // A quarter more than the upgrade needs: layer rates wander, and a probe that only just
    // proves the need is not worth sending.
    const bwe::ProbeRequest probe = subscribeTransport_->requestProbe(
        nowUs, wantedBps + wantedBps / 4, (kProbeParts - 1) * kTickUs);
    if (!probe.empty()) {
      probe_ = ProbePacing{probeCarrier->spec().rtxSsrc, probe.bytes / kProbeParts, kProbeParts};
      sendProbePart(util::nowUs());
    }
  }
  if (estimator && spdlog::should_log(spdlog::level::debug)) {
    const bwe::BweState st = estimator->state();
    std::string layers;
    for (int c : chosen) layers += std::to_string(c) + " ";
    spdlog::debug(
        "allocation: target {} kbit/s (delay {}, loss {}, acked {}, loss {:.2f}){}: "
        "layers {}",
        st.targetBps / 1000, st.delayBasedBps / 1000, st.lossBasedBps / 1000, st.ackedBps / 1000,
        st.lossFraction, congested ? ", congested" : "", layers);
  }
  if (paused != paused_) {
    paused_ = paused;
    RoomEvent e;
    e.kind = RoomEvent::Kind::Forwarding;
    e.participant = id_;
    e.paused = std::move(paused);
    room_.emit(std::move(e));
  }
}

void Participant::sendProbePart(uint64_t nowUs) {
  if (probe_.ticksLeft <= 0 || !subscribeTransport_) return;
  --probe_.ticksLeft;
  for (auto& s : subscriptions_) {
    if (s->spec().rtxSsrc == probe_.carrierSsrc) {
      s->sendPadding(probe_.bytesPerTick, nowUs, *subscribeTransport_, room_.scratch());
      return;
    }
  }
  probe_.ticksLeft = 0;  // the carrier went away: the estimator times the cluster out
}

void Participant::onTransportClosed(Transport& transport, const char* reason) {
  // The browser may still come back with an ICE restart through signaling; the transport stays
  // closed and a new one is made when the next description arrives.
  spdlog::info("participant transport {} closed: {}",
               &transport == publishTransport_.get() ? "publish" : "subscribe", reason);
  room_.onMediaClosed(id_);
}

}  // namespace treff::sfu
