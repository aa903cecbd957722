#include "subscribe_receiver.hpp"

#include <algorithm>
#include <array>

#include "media_stamp.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "util/random.hpp"

namespace treff::loadgen {
namespace {

constexpr uint64_t kReportIntervalUs = 1'000'000;  // what browsers send, about once a second
constexpr uint64_t kTwccIntervalUs = 50'000;       // draft-holmer: every 50-100 ms
constexpr uint64_t kNackIntervalUs = 20'000;
constexpr uint32_t kNackRttMs = 20;
constexpr size_t kMaxFeedbackPerTurn = 8;

}  // namespace

SubscribeReceiver::SubscribeReceiver(uint32_t firstPublisher, uint32_t roomSize)
    : firstPublisher_(firstPublisher),
      roomSize_(roomSize),
      localSsrc_(util::randomU32() | 1),
      flows_(size_t{roomSize} * 2) {}

void SubscribeReceiver::setStreams(const std::vector<OfferedStream>& offered, uint8_t transportCcId,
                                   uint8_t absSendTimeId) {
  if (absSendTimeId && extensionIds_.idOf(rtp::ExtensionType::AbsSendTime) == 0) {
    extensionIds_.set(rtp::ExtensionType::AbsSendTime, absSendTimeId);
  }
  if (transportCcId && extensionIds_.idOf(rtp::ExtensionType::TransportWideCc) == 0) {
    extensionIds_.set(rtp::ExtensionType::TransportWideCc, transportCcId);
  }
  for (const auto& o : offered) {
    auto it = std::find_if(streams_.begin(), streams_.end(),
                           [&](const Stream& s) { return s.ssrc == o.ssrc; });
    if (it != streams_.end()) continue;
    Stream s;
    s.ssrc = o.ssrc;
    s.rtxSsrc = o.rtxSsrc;
    s.rtxPayloadType = o.rtxPayloadType;
    s.video = o.video;
    s.stats = std::make_unique<rtp::ReceiveStreamStats>(o.ssrc, o.video ? 90000 : 48000);
    if (o.video) s.nack = std::make_unique<rtp::NackGenerator>();
    streams_.push_back(std::move(s));
  }
}

SubscribeReceiver::Stream* SubscribeReceiver::find(uint32_t ssrc, bool* isRtx) {
  for (auto& s : streams_) {
    if (s.ssrc == ssrc) {
      *isRtx = false;
      return &s;
    }
    if (s.rtxSsrc != 0 && s.rtxSsrc == ssrc) {
      *isRtx = true;
      return &s;
    }
  }
  return nullptr;
}

void SubscribeReceiver::recordStamp(const uint8_t* at, size_t available, MediaKind kind,
                                    uint64_t nowUs) {
  MediaStamp stamp;
  if (!stamp.read(at, available)) {
    ++counters_.noStamp;
    return;
  }
  if (stamp.publisher < firstPublisher_ || stamp.publisher - firstPublisher_ >= roomSize_) {
    ++counters_.foreignPublisher;
    return;
  }
  const uint64_t delay = nowUs > stamp.sendUs ? nowUs - stamp.sendUs : 0;
  flows_[(stamp.publisher - firstPublisher_) * 2 + static_cast<size_t>(kind)].onPacket(
      stamp.sequence, delay);
}

uint64_t SubscribeReceiver::serverSendUs(const uint8_t* data, size_t size, uint64_t nowUs) const {
  rtp::RtpPacket packet;
  if (!rtp::RtpPacket::parse(const_cast<uint8_t*>(data), size, &packet)) return nowUs;
  const auto abs = rtp::readAbsSendTime(packet, extensionIds_);
  if (!abs) return nowUs;
  // Both ends read CLOCK_MONOTONIC: how long ago, modulo the 64 s wrap.
  constexpr uint32_t kWrap = 1u << 24;
  const uint32_t ago = (rtp::absSendTimeFromUs(nowUs) - *abs) & (kWrap - 1);
  const uint64_t agoUs = rtp::absSendTimeToUs(ago);
  return agoUs < 10'000'000 && agoUs <= nowUs ? nowUs - agoUs : nowUs;
}

void SubscribeReceiver::onRtp(uint8_t* data, size_t size, uint64_t nowUs) {
  rtp::RtpPacket packet;
  if (!rtp::RtpPacket::parse(data, size, &packet)) return;
  ++counters_.rtpPackets;
  if (auto wide = rtp::readTransportWideSeq(packet, extensionIds_)) {
    twcc_.onPacket(*wide, nowUs);
    if (twccMediaSsrc_ == 0) twccMediaSsrc_ = packet.ssrc();
  }
  bool isRtx = false;
  Stream* stream = find(packet.ssrc(), &isRtx);
  if (!stream) {
    ++counters_.unknownSsrc;
    return;
  }
  stream->seen = true;
  util::ConstBytes payload = packet.payload();
  uint16_t sequence = packet.sequence();
  if (isRtx) {
    // RFC 4588 §4: the original sequence number, then the original payload.
    if (payload.size() < 2) return;
    ++counters_.rtxPackets;
    sequence = util::loadBe16(payload.data());
    payload = payload.subspan(2);
  } else {
    stream->stats->onRtp(packet, nowUs);
  }
  if (!stream->video) {
    if (payload.size() > kOpusStampOffset) {
      recordStamp(payload.data() + kOpusStampOffset, payload.size() - kOpusStampOffset,
                  MediaKind::Audio, nowUs);
    }
    return;
  }
  rtp::Vp8Descriptor descriptor;
  const bool parsed = rtp::parseVp8Descriptor(payload, &descriptor);
  if (stream->nack) stream->nack->onPacket(sequence, nowUs, parsed && descriptor.isKeyframe);
  const size_t at = descriptor.size + kVp8StampAfterDescriptor;
  if (!parsed || payload.size() <= at) {
    ++counters_.noStamp;
    return;
  }
  recordStamp(payload.data() + at, payload.size() - at, MediaKind::Video, nowUs);
}

void SubscribeReceiver::onRtcp(const uint8_t* data, size_t size, uint64_t nowUs) {
  ++counters_.rtcpPackets;
  rtp::RtcpCompound compound({data, size});
  rtp::RtcpPacket packet;
  while (compound.next(packet)) {
    if (packet.packetType != static_cast<uint8_t>(rtp::RtcpType::kSenderReport)) continue;
    rtp::SenderReportView report;
    if (report.parse(packet.bytes) != rtp::RtcpError::kNone) continue;
    bool isRtx = false;
    Stream* stream = find(report.senderSsrc(), &isRtx);
    if (stream && !isRtx) stream->stats->onSenderReport(report.senderInfo().ntpTimestamp, nowUs);
  }
}

void SubscribeReceiver::writeFeedback(uint64_t nowUs, uint8_t* buf, size_t cap,
                                      const std::function<void(uint8_t*, size_t)>& send) {
  if (nowUs >= nextTwccUs_) {
    nextTwccUs_ = nowUs + kTwccIntervalUs;
    for (size_t i = 0; i < kMaxFeedbackPerTurn && twcc_.hasPending(); ++i) {
      const size_t n = twcc_.buildFeedback(buf, cap, localSsrc_, twccMediaSsrc_);
      if (n == 0) break;
      send(buf, n);
      ++rtcp_.transportCc;
    }
  }
  if (nowUs >= nextNackUs_) {
    nextNackUs_ = nowUs + kNackIntervalUs;
    std::array<uint16_t, 128> missing;
    for (auto& s : streams_) {
      if (!s.nack || !s.seen) continue;
      const size_t count = s.nack->collectNacks(nowUs, kNackRttMs, missing);
      if (count == 0) continue;
      const size_t n = rtp::buildNack(buf, cap, localSsrc_, s.ssrc, {missing.data(), count});
      if (n == 0) continue;
      send(buf, n);
      ++rtcp_.nacks;
      rtcp_.nackedPackets += count;
    }
  }
  if (nowUs >= nextReportUs_) {
    nextReportUs_ = nowUs + kReportIntervalUs;
    std::array<rtp::ReportBlockData, rtp::kMaxReportBlocks> blocks;
    size_t count = 0;
    auto flush = [&] {
      const size_t n = rtp::buildReceiverReport(buf, cap, localSsrc_, {blocks.data(), count});
      if (n > 0) {
        send(buf, n);
        ++rtcp_.receiverReports;
      }
      count = 0;
    };
    for (auto& s : streams_) {
      if (!s.stats->hasReceived()) continue;
      blocks[count++] = s.stats->makeReportBlock(nowUs);
      if (count == blocks.size()) flush();
    }
    if (count > 0) flush();
  }
}

void SubscribeReceiver::resetFlows() {
  for (auto& f : flows_) f.reset();
}

}  // namespace treff::loadgen
