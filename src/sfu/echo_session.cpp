#include "sfu/echo_session.hpp"

#include <spdlog/spdlog.h>

#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtcp_sdes.hpp"
#include "rtp/rtp_packet.hpp"
#include "srtp/srtp_session.hpp"

namespace treff::sfu {
namespace {

constexpr uint64_t kReportIntervalUs = 1'000'000;
// RFC 4585 leaves the rate to us; a keyframe costs the sender a lot, so at most one per 300 ms.
constexpr uint64_t kKeyframeRequestGapMs = 300;
constexpr size_t kRtcpScratch = util::PacketBuffer::kCapacity - srtp::SrtpSession::kMaxRtcpOverhead;

}  // namespace

EchoSession::EchoSession(Worker& worker, const EchoConfig& config)
    : worker_(worker), cname_(config.cname), identifier_(config.remote.extensions) {
  for (const auto& s : config.streams) streams_.push_back(Stream{s});
  for (const auto& [ssrc, mid] : config.hints.ssrcMids) identifier_.addSsrc(ssrc, mid);
  for (const auto& [repair, primary] : config.hints.repairOf) {
    identifier_.addRepairSsrc(repair, primary);
  }
  for (const auto& [pt, mid] : config.hints.payloadTypeMids) identifier_.addPayloadTypeMid(pt, mid);
  for (uint8_t pt : config.hints.repairPayloadTypes) identifier_.addRepairPayloadType(pt);
  transport_ = std::make_unique<Transport>(worker, config.localIce, config.remote,
                                           static_cast<Transport::Listener&>(*this));
}

EchoSession::~EchoSession() = default;

EchoSession::Stream* EchoSession::streamByMid(std::string_view mid) {
  for (auto& s : streams_) {
    if (s.config.mid == mid) return &s;
  }
  return nullptr;
}

EchoSession::Stream* EchoSession::streamByOutSsrc(uint32_t ssrc) {
  for (auto& s : streams_) {
    if (s.config.outSsrc == ssrc || (s.config.outRtxSsrc && s.config.outRtxSsrc == ssrc)) return &s;
  }
  return nullptr;
}

EchoSession::Stream* EchoSession::streamByInSsrc(uint32_t ssrc) {
  for (auto& s : streams_) {
    if (s.inSsrc == ssrc) return &s;
  }
  return nullptr;
}

rtp::ReceiveStreamStats* EchoSession::receiver(uint32_t ssrc, uint32_t clockRate) {
  for (auto& r : receivers_) {
    if (r.ssrc == ssrc) return r.stats.get();
  }
  if (receivers_.size() >= rtp::kMaxReportBlocks) return nullptr;
  // Once per new stream, not per packet.
  receivers_.push_back(Receiver{ssrc, std::make_unique<rtp::ReceiveStreamStats>(ssrc, clockRate)});
  return receivers_.back().stats.get();
}

void EchoSession::onTransportRtp(Transport& transport, rtp::RtpPacket& packet, util::PacketRef&,
                                 uint64_t nowUs) {
  const rtp::StreamInfo* info = identifier_.lookup(packet);
  Stream* stream = info ? streamByMid(info->mid) : nullptr;
  if (!stream) {
    worker_.stats().drop(DropReason::UnknownStream);
    return;
  }
  uint32_t outSsrc;
  if (info->isRepair) {
    if (!stream->config.outRtxSsrc) {
      worker_.stats().drop(DropReason::UnknownStream);
      return;
    }
    stream->inRtxSsrc = packet.ssrc();
    outSsrc = stream->config.outRtxSsrc;
  } else {
    if (stream->inSsrc != packet.ssrc()) {
      stream->inSsrc = packet.ssrc();
      // A new source: the echoed decoder needs a keyframe to start.
      requestKeyframe(*stream, nowUs / 1000);
    }
    if (auto* stats = receiver(packet.ssrc(), stream->config.clockRate))
      stats->onRtp(packet, nowUs);
    outSsrc = stream->config.outSsrc;
  }
  // Sequence numbers and timestamps pass unchanged: one source per stream, so they stay
  // continuous. The SSRC is ours, and the transport-wide sequence is this transport's own.
  packet.setSsrc(outSsrc);
  transport.stampTransportSeq(packet);
  transport.sendRtp(packet.data(), packet.size());
}

void EchoSession::requestKeyframe(Stream& stream, uint64_t nowMs) {
  if (!stream.inSsrc || !transport_->connected()) return;
  if (stream.lastKeyframeRequestMs &&
      nowMs - stream.lastKeyframeRequestMs < kKeyframeRequestGapMs) {
    return;
  }
  if (!stream.config.video) return;
  stream.lastKeyframeRequestMs = nowMs;
  uint8_t buf[64];
  size_t n = rtp::buildPli(buf, sizeof(buf), transport_->feedbackSsrc(), stream.inSsrc);
  if (n && transport_->sendRtcp(buf, n)) worker_.stats().add(Counter::KeyframeRequestsOut);
}

void EchoSession::onTransportRtcp(Transport& transport, uint8_t* data, size_t size,
                                  uint64_t nowUs) {
  rtp::RtcpCompound compound(util::ConstBytes(data, size));
  rtp::RtcpPacket p;
  uint8_t out[kRtcpScratch];
  while (compound.next(p)) {
    uint8_t* bytes = data + p.offset;
    util::MutableBytes packetBytes(bytes, p.bytes.size());
    switch (static_cast<rtp::RtcpType>(p.packetType)) {
      case rtp::RtcpType::kSenderReport: {
        rtp::SenderReportView sr;
        if (sr.parse(p.bytes) != rtp::RtcpError::kNone) break;
        Stream* stream = streamByInSsrc(sr.senderSsrc());
        if (auto* stats = stream ? receiver(sr.senderSsrc(), stream->config.clockRate) : nullptr) {
          stats->onSenderReport(sr.senderInfo().ntpTimestamp, nowUs);
        }
        if (!stream) break;
        // The echoed stream keeps the sender's timestamps, so its sender info maps one to one.
        size_t n =
            rtp::buildSenderReport(out, sizeof(out), stream->config.outSsrc, sr.senderInfo(), {});
        if (n) transport.sendRtcp(out, n);
        break;
      }
      case rtp::RtcpType::kPayloadFeedback: {
        if (p.count == rtp::psfb::kPli || p.count == rtp::psfb::kFir) {
          if (p.bytes.size() < 12) break;
          // PLI names the stream in the media SSRC field, FIR in its entries.
          uint32_t target = p.count == rtp::psfb::kPli
                                ? util::loadBe32(bytes + 8)
                                : (p.bytes.size() >= 16 ? util::loadBe32(bytes + 12) : 0);
          if (Stream* stream = streamByOutSsrc(target)) requestKeyframe(*stream, nowUs / 1000);
        }
        break;
      }
      case rtp::RtcpType::kRtpFeedback: {
        if (p.count != rtp::rtpfb::kNack) break;
        rtp::NackView nack;
        if (nack.parseWritable(packetBytes) != rtp::RtcpError::kNone) break;
        Stream* stream = streamByOutSsrc(nack.mediaSsrc());
        if (!stream || !stream->inSsrc) break;
        // Same sequence numbers both ways: the browser's own sender can answer from its history.
        nack.setSenderSsrc(transport.feedbackSsrc());
        nack.setMediaSsrc(stream->inSsrc);
        transport.sendRtcp(bytes, p.bytes.size());
        break;
      }
      default:
        break;  // RR, SDES, BYE, XR, transport-wide CC and REMB about the echo: nothing to do
    }
  }
  if (compound.error() != rtp::RtcpError::kNone) worker_.stats().drop(DropReason::RtcpMalformed);
}

void EchoSession::sendReceiverReports(uint64_t nowUs) {
  if (receivers_.empty() || !transport_->connected()) return;
  rtp::ReportBlockData blocks[rtp::kMaxReportBlocks];
  size_t count = 0;
  for (auto& r : receivers_) {
    if (r.stats->hasReceived() && count < rtp::kMaxReportBlocks) {
      blocks[count++] = r.stats->makeReportBlock(nowUs);
    }
  }
  uint8_t out[kRtcpScratch];
  size_t n = rtp::buildReceiverReport(out, sizeof(out), transport_->feedbackSsrc(),
                                      std::span<const rtp::ReportBlockData>(blocks, count));
  if (!n) return;
  rtp::SdesChunk chunk{transport_->feedbackSsrc(), cname_};
  size_t m = rtp::buildSdes(out + n, sizeof(out) - n, std::span<const rtp::SdesChunk>(&chunk, 1));
  transport_->sendRtcp(out, n + m);
}

void EchoSession::onTick(uint64_t nowMs) {
  transport_->onTick(nowMs);
  uint64_t nowUs = nowMs * 1000;
  if (nowUs - lastReportUs_ >= kReportIntervalUs) {
    lastReportUs_ = nowUs;
    sendReceiverReports(nowUs);
  }
}

void EchoSession::restartIce(const ice::IceCredentials& local, const ice::IceCredentials& remote) {
  transport_->restartIce(local, remote);
}

void EchoSession::onTransportClosed(Transport&, const char* reason) {
  spdlog::info("echo session {} closed: {}", id_, reason);
  worker_.removeSession(id_);
}

}  // namespace treff::sfu
