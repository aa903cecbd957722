#include "participant.hpp"

#include <algorithm>

#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_report.hpp"
#include "sdp_exchange.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::loadgen {
namespace {

constexpr uint64_t kSenderReportIntervalUs = 1'000'000;

void bump(std::atomic<uint64_t>& counter) {
  // One writer (the loop thread): no read-modify-write needed.
  counter.store(counter.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

LocalIdentity makeIdentity(const std::string& fingerprint, const std::string& cname) {
  return {util::randomIceString(8), util::randomIceString(24), fingerprint, cname};
}

}  // namespace

Participant::Participant(const ParticipantConfig& config, net::EventLoop& loop,
                         const dtls::Context& dtlsContext, const std::string& fingerprint,
                         SignalingThread& signaling, uint8_t* receiveBuffer, size_t receiveCapacity)
    : config_(config),
      loop_(loop),
      dtlsContext_(dtlsContext),
      receiveBuffer_(receiveBuffer),
      receiveCapacity_(receiveCapacity),
      audioSsrc_(util::randomU32()),
      videoSsrc_(util::randomU32()),
      videoRtxSsrc_(util::randomU32()),
      receiver_(config.firstInRoom, config.roomSize),
      dropRandom_(config.seed * 7 + config.index + 1),
      dropThreshold_(
          static_cast<uint32_t>(std::min(config.dropPercent, 100.0) / 100.0 * 4294967295.0)) {
  const std::string cname = util::randomIceString(16);
  publishLocal_ = makeIdentity(fingerprint, cname);
  subscribeLocal_ = makeIdentity(fingerprint, cname);
  signaling_ = config.janus ? signaling.makeJanusSignaling(config.url, config.janusRoom, *this)
                            : signaling.makeTreffSignaling(config.url, *this);
  sendSubscribeRtcp_ = [this](uint8_t* data, size_t size) {
    if (subscribe_) subscribe_->sendRtcp(data, size, rtcpBuffer_.size());
  };
}

Participant::~Participant() = default;

void Participant::join() { signaling_->join(config_.roomName, config_.name); }

void Participant::leave() {
  leaving_ = true;
  signaling_->leave();
}

std::string Participant::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void Participant::fail(const std::string& why) {
  if (leaving_) return;
  {
    std::lock_guard lock(mutex_);
    if (failure_.empty()) failure_ = config_.name + ": " + why;
  }
  failed_ = true;
}

// --- signaling thread ---------------------------------------------------------------------

void Participant::onJoined(const std::string& participantId) {
  {
    std::lock_guard lock(mutex_);
    id_ = participantId;
  }
  joined_ = true;
  if (!config_.publishes) return;
  PublishOfferParams params;
  params.local = publishLocal_;
  params.audioSsrc = audioSsrc_;
  params.videoSsrc = videoSsrc_;
  params.videoRtxSsrc = videoRtxSsrc_;
  params.video = !config_.audioOnly;
  std::vector<PublishedTrack> tracks = {{"0", "microphone"}};
  if (params.video) tracks.push_back({"1", "camera"});
  signaling_->publish(buildPublishOffer(params), tracks);
}

void Participant::onPublishAnswer(const std::string& sdp) {
  PublishAnswerInfo info;
  try {
    info = readPublishAnswer(sdp, config_.serverHost);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  if (!info.audio.accepted || (!config_.audioOnly && !info.video.accepted)) {
    return fail("the publish answer did not accept our Opus/VP8 tracks");
  }
  loop_.post([this, info] {
    SourceConfig audio;
    audio.ssrc = audioSsrc_;
    audio.payloadType = info.audio.payloadType;
    audio.publisher = config_.index;
    audio.mid = std::string(1, '0');  // not = "0": g++ 12 false -Wrestrict (PR 105651)
    audio.extensions = info.audio.extensions;
    audio.seed = config_.seed * 1000003 + config_.index * 2 + 1;
    audio.rateScale = config_.rateScale;
    audio_ = std::make_unique<AudioSource>(audio);
    if (!config_.audioOnly) {
      SourceConfig video = audio;
      video.ssrc = videoSsrc_;
      video.payloadType = info.video.payloadType;
      video.mid = std::string(1, '1');
      video.extensions = info.video.extensions;
      video.seed = config_.seed * 1000003 + config_.index * 2 + 2;
      video_ = std::make_unique<VideoSource>(video, config_.videoKbps);
    }
    publish_ = std::make_unique<ClientTransport>(loop_, dtlsContext_, transportListener(),
                                                 publishLocal_.ufrag, publishLocal_.pwd,
                                                 receiveBuffer_, receiveCapacity_);
    try {
      publish_->start(info.remote, util::nowMs());
    } catch (const std::exception& e) {
      fail(std::string("publish transport: ") + e.what());
    }
  });
}

void Participant::onSubscribeOffer(const std::string& sdp) {
  SubscribeOfferInfo info;
  try {
    info = answerSubscribeOffer(sdp, subscribeLocal_, config_.serverHost);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  // Answered at once and in order: the server keeps one offer in flight.
  signaling_->answerSubscribe(info.answerSdp);
  loop_.post([this, info = std::move(info)] {
    receiver_.setStreams(info.streams, info.transportCcId, info.absSendTimeId);
    if (subscribe_) return;
    subscribe_ = std::make_unique<ClientTransport>(loop_, dtlsContext_, transportListener(),
                                                   subscribeLocal_.ufrag, subscribeLocal_.pwd,
                                                   receiveBuffer_, receiveCapacity_);
    try {
      subscribe_->start(info.remote, util::nowMs());
    } catch (const std::exception& e) {
      fail(std::string("subscribe transport: ") + e.what());
    }
  });
}

void Participant::onSignalingError(const std::string& what) { fail(what); }

// --- loop thread ----------------------------------------------------------------------------

void Participant::onTransportConnected(ClientTransport& transport) {
  if (&transport == publish_.get()) publishConnected_ = true;
  if (&transport == subscribe_.get()) subscribeConnected_ = true;
}

void Participant::onTransportFailed(ClientTransport& transport, const char* why) {
  fail(std::string(&transport == publish_.get() ? "publish" : "subscribe") +
       " transport failed: " + why);
}

void Participant::onRtp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) {
  if (&transport != subscribe_.get()) return;
  rtpBytesOffered_ += size;
  liveOfferedBytes_.store(rtpBytesOffered_, std::memory_order_relaxed);
  if (dropThreshold_ != 0 && dropRandom_.next() < dropThreshold_) {
    ++droppedOnPurpose_;
    return;
  }
  uint64_t arrivalUs = nowUs;
  if (config_.capacityKbps) {
    // A tail-drop queue in front of a link of capacityKbps: the packet leaves when the ones
    // before it have, and arrives once its last bit is through.
    // The packet enters the link when the server sent it (its abs-send-time): this loop's
    // own scheduling delays do not make bursts the server never sent.
    constexpr uint64_t kQueueLimitUs = 100'000;
    const uint64_t enterUs = receiver_.serverSendUs(data, size, nowUs);
    const uint64_t startUs = std::max(enterUs, linkFreeUs_);
    if (startUs - enterUs > kQueueLimitUs) {
      ++linkDrops_;
      return;
    }
    linkFreeUs_ = startUs + size * 8 * 1000 / config_.capacityKbps;
    arrivalUs = linkFreeUs_;
  }
  rtpBytesDelivered_ += size;
  receiver_.onRtp(data, size, arrivalUs);
  bump(liveReceived_);
}

void Participant::onRtcp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) {
  if (&transport == subscribe_.get()) {
    receiver_.onRtcp(data, size, nowUs);
  } else {
    onPublishRtcp(data, size);
  }
}

// The server's feedback on what we publish: a PLI or FIR asks for a key frame (RFC 4585
// §6.3.1, RFC 5104 §4.3.1); NACKs are counted (we send no retransmissions).
void Participant::onPublishRtcp(const uint8_t* data, size_t size) {
  rtp::RtcpCompound compound({data, size});
  rtp::RtcpPacket packet;
  while (compound.next(packet)) {
    if (packet.packetType == static_cast<uint8_t>(rtp::RtcpType::kPayloadFeedback)) {
      if (packet.count == rtp::psfb::kPli) ++plisReceived_;
      if (packet.count == rtp::psfb::kFir) ++firsReceived_;
      if ((packet.count == rtp::psfb::kPli || packet.count == rtp::psfb::kFir) && video_) {
        video_->requestKeyframe();
      }
    } else if (packet.packetType == static_cast<uint8_t>(rtp::RtcpType::kRtpFeedback) &&
               packet.count == rtp::rtpfb::kNack) {
      ++nacksReceived_;
    }
  }
}

void Participant::onTick(uint64_t nowMs) {
  if (publish_) publish_->onTick(nowMs);
  if (subscribe_) subscribe_->onTick(nowMs);
  const uint64_t nowUs = util::nowUs();
  if (mediaOn_ && publish_ && publish_->connected()) {
    sendMedia(nowUs);
    sendSenderReports(nowUs);
  }
  if (subscribe_ && subscribe_->connected()) {
    receiver_.writeFeedback(nowUs, rtcpBuffer_.data(), rtcpBuffer_.size() - 32, sendSubscribeRtcp_);
  }
}

void Participant::sendMedia(uint64_t nowUs) {
  const size_t cap = sendBuffer_.size();
  const size_t room = cap - 32;  // SRTP tag space
  if (audio_) {
    while (size_t n = audio_->nextPacket(nowUs, sendBuffer_.data(), room, &wideSeq_)) {
      if (publish_->sendRtp(sendBuffer_.data(), n, cap)) bump(liveSent_);
    }
  }
  if (video_) {
    while (size_t n = video_->nextPacket(nowUs, sendBuffer_.data(), room, &wideSeq_)) {
      if (publish_->sendRtp(sendBuffer_.data(), n, cap)) bump(liveSent_);
    }
  }
}

// RFC 3550 §6.4.1: one sender report per SSRC about once a second (reduced size, RFC 5506).
void Participant::sendSenderReports(uint64_t nowUs) {
  if (nowUs < nextSenderReportUs_) return;
  nextSenderReportUs_ = nowUs + kSenderReportIntervalUs;
  const uint64_t ntp = util::ntpNow();
  auto report = [&](uint32_t ssrc, const SourceCounters& c, uint32_t clockRate) {
    rtp::SenderInfo info;
    info.ntpTimestamp = ntp;
    // The RTP time of now, extrapolated from the last frame's capture time.
    info.rtpTimestamp = c.lastRtpTimestamp +
                        static_cast<uint32_t>((nowUs - c.lastRtpTimestampUs) * clockRate / 1000000);
    info.packetCount = static_cast<uint32_t>(c.packets);
    info.octetCount = static_cast<uint32_t>(c.payloadBytes);
    const size_t n =
        rtp::buildSenderReport(rtcpBuffer_.data(), rtcpBuffer_.size() - 32, ssrc, info, {});
    if (n > 0 && publish_->sendRtcp(rtcpBuffer_.data(), n, rtcpBuffer_.size())) ++senderReports_;
  };
  if (audio_ && audio_->counters().packets > 0) {
    report(audio_->ssrc(), audio_->counters(), AudioSource::kClockRate);
  }
  if (video_ && video_->counters().packets > 0) {
    report(video_->ssrc(), video_->counters(), VideoSource::kClockRate);
  }
}

bool Participant::receivingFromAll(uint32_t publishersPerRoom) const {
  for (uint32_t p = 0; p < std::min(publishersPerRoom, config_.roomSize); ++p) {
    const uint32_t publisher = config_.firstInRoom + p;
    if (publisher == config_.index) continue;
    if (!receiver_.flow(publisher, MediaKind::Audio).started()) return false;
    if (!config_.audioOnly && !receiver_.flow(publisher, MediaKind::Video).started()) return false;
  }
  return true;
}

ParticipantSnapshot Participant::rawSnapshot() const {
  ParticipantSnapshot s;
  s.index = config_.index;
  s.room = config_.room;
  {
    std::lock_guard lock(mutex_);
    s.id = id_;
  }
  s.publishes = config_.publishes;
  if (audio_) s.audioSent = audio_->counters();
  if (video_) s.videoSent = video_->counters();
  for (const ClientTransport* t : {publish_.get(), subscribe_.get()}) {
    if (!t) continue;
    s.datagramsSent += t->counters().datagramsSent;
    s.bytesSent += t->counters().bytesSent;
    s.datagramsReceived += t->counters().datagramsReceived;
    s.bytesReceived += t->counters().bytesReceived;
    s.srtpErrors += t->counters().srtpErrors;
  }
  if (publish_ && publish_->connected()) s.publishConnectMs = publish_->connectedAfterMs();
  if (subscribe_ && subscribe_->connected()) s.subscribeConnectMs = subscribe_->connectedAfterMs();
  s.senderReports = senderReports_;
  s.subscribeRtcp = receiver_.rtcp();
  s.plisReceived = plisReceived_;
  s.firsReceived = firsReceived_;
  s.nacksReceived = nacksReceived_;
  s.droppedOnPurpose = droppedOnPurpose_;
  s.rtpBytesOffered = rtpBytesOffered_;
  s.rtpBytesDelivered = rtpBytesDelivered_;
  s.linkDrops = linkDrops_;
  s.receive = receiver_.counters();
  return s;
}

void Participant::beginMeasurement() {
  receiver_.resetFlows();
  baseline_ = rawSnapshot();
}

ParticipantSnapshot Participant::snapshot() const {
  ParticipantSnapshot s = rawSnapshot();
  const ParticipantSnapshot& b = baseline_;
  auto minus = [](SourceCounters& c, const SourceCounters& base) {
    c.packets -= base.packets;
    c.payloadBytes -= base.payloadBytes;
    c.frames -= base.frames;
    c.keyframes -= base.keyframes;
  };
  minus(s.audioSent, b.audioSent);
  minus(s.videoSent, b.videoSent);
  s.datagramsSent -= b.datagramsSent;
  s.bytesSent -= b.bytesSent;
  s.datagramsReceived -= b.datagramsReceived;
  s.bytesReceived -= b.bytesReceived;
  s.srtpErrors -= b.srtpErrors;
  s.senderReports -= b.senderReports;
  s.subscribeRtcp.senderReports -= b.subscribeRtcp.senderReports;
  s.subscribeRtcp.receiverReports -= b.subscribeRtcp.receiverReports;
  s.subscribeRtcp.transportCc -= b.subscribeRtcp.transportCc;
  s.subscribeRtcp.nacks -= b.subscribeRtcp.nacks;
  s.subscribeRtcp.nackedPackets -= b.subscribeRtcp.nackedPackets;
  s.plisReceived -= b.plisReceived;
  s.firsReceived -= b.firsReceived;
  s.nacksReceived -= b.nacksReceived;
  s.droppedOnPurpose -= b.droppedOnPurpose;
  s.rtpBytesOffered -= b.rtpBytesOffered;
  s.rtpBytesDelivered -= b.rtpBytesDelivered;
  s.linkDrops -= b.linkDrops;
  s.receive.rtpPackets -= b.receive.rtpPackets;
  s.receive.rtxPackets -= b.receive.rtxPackets;
  s.receive.unknownSsrc -= b.receive.unknownSsrc;
  s.receive.noStamp -= b.receive.noStamp;
  s.receive.foreignPublisher -= b.receive.foreignPublisher;
  s.receive.rtcpPackets -= b.receive.rtcpPackets;
  s.flows.reserve(size_t{config_.roomSize} * 2);
  for (uint32_t p = 0; p < config_.roomSize; ++p) {
    s.flows.push_back(receiver_.flow(config_.firstInRoom + p, MediaKind::Audio));
    s.flows.push_back(receiver_.flow(config_.firstInRoom + p, MediaKind::Video));
  }
  return s;
}

void Participant::closeTransports() {
  mediaOn_ = false;
  if (publish_) publish_->close();
  if (subscribe_) subscribe_->close();
}

}  // namespace treff::loadgen
