#include "sfu/subscription.hpp"

#include <strings.h>

#include <algorithm>
#include <cstring>

#include "rtp/header_extensions.hpp"
#include "rtp/rtcp_report.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "sfu/publication.hpp"
#include "sfu/transport.hpp"
#include "sfu/worker_stats.hpp"
#include "srtp/srtp_session.hpp"
#include "util/packet_pool.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::sfu {
namespace {

// A layer that sent nothing for this long no longer counts as available.
constexpr uint64_t kLayerActiveWindowUs = 1'000'000;
constexpr size_t kMaxPlain = util::PacketBuffer::kCapacity - srtp::SrtpSession::kMaxRtpOverhead;

int lowestActiveLayer(const Publication& publication, uint64_t nowUs) {
  for (size_t i = 0; i < publication.layerCount(); ++i) {
    const auto& l = publication.layer(i);
    if (l.lastPacketUs && nowUs - l.lastPacketUs < kLayerActiveWindowUs) return static_cast<int>(i);
  }
  return -1;
}

bool sameCodec(const CodecSpec& a, const CodecSpec& b) {
  return strcasecmp(a.name.c_str(), b.name.c_str()) == 0 && a.clockRate == b.clockRate;
}

// Appends one RFC 8285 one-byte element; false when it does not fit the 16-byte value limit.
void addElement(uint8_t*& p, uint8_t id, const uint8_t* value, size_t size) {
  if (id == 0 || id > 14 || size == 0 || size > 16) return;
  *p++ = static_cast<uint8_t>(id << 4 | (size - 1));
  std::memcpy(p, value, size);
  p += size;
}

// Closes an RFC 8285 one-byte extension block that began at `ext`, `e` pointing past the last
// element: pads it to whole words and writes its length. Returns the end of the header.
uint8_t* finishExtensions(uint8_t* ext, uint8_t* e) {
  const size_t words = (static_cast<size_t>(e - (ext + 4)) + 3) / 4;
  while (e < ext + 4 + words * 4) *e++ = 0;
  util::storeBe16(ext + 2, static_cast<uint16_t>(words));
  return e;
}

}  // namespace

// The fixed header and the extensions every packet to this subscriber carries, in its own ids
// (its answer to the server's offer): MID, abs-send-time and the transport-wide sequence number.
// Returns where further elements go; finishExtensions closes the block.
uint8_t* Subscription::writeHeader(uint8_t* p, uint8_t first, uint8_t second, uint16_t seq,
                                   uint32_t timestamp, uint32_t ssrc, uint64_t nowUs,
                                   Transport& out) const {
  const rtp::ExtensionIdMap& ids = out.extensions();
  p[0] = first;
  p[1] = second;
  util::storeBe16(p + 2, seq);
  util::storeBe32(p + 4, timestamp);
  util::storeBe32(p + 8, ssrc);
  uint8_t* ext = p + 12;
  ext[0] = 0xBE;
  ext[1] = 0xDE;
  uint8_t* e = ext + 4;
  std::string_view mid = spec_.mid;
  addElement(e, ids.idOf(rtp::ExtensionType::Mid), reinterpret_cast<const uint8_t*>(mid.data()),
             mid.size());
  uint8_t value[3];
  util::storeBe24(value, rtp::absSendTimeFromUs(nowUs));
  addElement(e, ids.idOf(rtp::ExtensionType::AbsSendTime), value, 3);
  util::storeBe16(value, out.nextTransportSeq());
  addElement(e, ids.idOf(rtp::ExtensionType::TransportWideCc), value, 2);
  return e;
}

Subscription::Subscription(std::string subscriber, const SubscriptionSpec& spec)
    : subscriber_(std::move(subscriber)),
      spec_(spec),
      rewriter_(spec.source == Source::Microphone ? 48000 : 90000,
                static_cast<uint16_t>(util::randomU32()), util::randomU32()),
      rtxSeq_(static_cast<uint16_t>(util::randomU32())) {}

const CodecSpec* Subscription::outCodecFor(const Publication& publication, uint8_t inPayloadType) {
  if (codecCachePublication_ == &publication && codecCachePayloadType_ == inPayloadType)
    return codecCacheOut_;
  bool isRtx = false;
  const CodecSpec* in = publication.codecOf(inPayloadType, &isRtx);
  const CodecSpec* out = nullptr;
  if (in) {
    for (const auto& c : spec_.codecs) {
      if (sameCodec(c, *in)) {
        out = &c;
        break;
      }
    }
  }
  codecCachePublication_ = &publication;
  codecCachePayloadType_ = inPayloadType;
  codecCacheIn_ = in;
  codecCacheOut_ = out;
  return out;
}

bool Subscription::updateTarget(const Publication& publication, uint64_t nowUs) {
  if (!publication.video()) {
    targetLayer_ = 0;
    return false;
  }
  if (allocatedLayer_ < 0) {
    targetLayer_ = -1;
    return false;
  }
  if (publication.layerCount() == 1) {
    targetLayer_ = 0;
  } else {
    int active = publication.highestActiveLayerAtMost(allocatedLayer_, nowUs, kLayerActiveWindowUs);
    // Nothing active within the allocation (the publisher paused those layers): the lowest
    // active layer is better than a black tile.
    if (active < 0)
      active = publication.highestActiveLayer(nowUs, kLayerActiveWindowUs) >= 0
                   ? lowestActiveLayer(publication, nowUs)
                   : -1;
    if (active >= 0) targetLayer_ = active;
  }
  return targetLayer_ >= 0 && targetLayer_ != currentLayer_;
}

void Subscription::setAllocatedLayer(int layer) {
  if (layer == allocatedLayer_) return;
  allocatedLayer_ = layer;
  if (layer < 0) {
    // Paused: forwarding stops now, and picks up again only at a key frame.
    targetLayer_ = -1;
    currentLayer_ = -1;
  }
}

size_t Subscription::sendPadding(size_t bytes, uint64_t nowUs, Transport& out, uint8_t* scratch) {
  const CodecSpec* codec = codecCacheOut_         ? codecCacheOut_
                           : spec_.codecs.empty() ? nullptr
                                                  : &spec_.codecs.front();
  if (!spec_.rtxSsrc || !codec || !codec->rtxPayloadType || !out.connected()) return 0;
  constexpr size_t kMaxPadding = 255;  // one byte counts it (RFC 3550 §5.1)
  size_t sent = 0;
  while (sent < bytes) {
    const size_t padding = std::min(kMaxPadding, std::max<size_t>(bytes - sent, 32));
    uint8_t* p = scratch;
    uint8_t* e = writeHeader(p, 0x80 | 0x20 | 0x10 /* V=2, P, X */, *codec->rtxPayloadType,
                             rtxSeq_++, lastOutTimestamp_, spec_.rtxSsrc, nowUs, out);
    e = finishExtensions(p + 12, e);
    std::memset(e, 0, padding - 1);
    e[padding - 1] = static_cast<uint8_t>(padding);
    const size_t size = static_cast<size_t>(e - p) + padding;
    if (!out.sendRtp(scratch, size, nullptr, 0, nowUs, true)) break;
    sent += padding;
  }
  return sent;
}

void Subscription::onSkipped(uint32_t sourceSsrc, uint16_t seq) { rewriter_.skip(sourceSsrc, seq); }

void Subscription::onPacket(const Publication& publication, int layer, const rtp::RtpPacket& packet,
                            bool keyframe, uint64_t nowUs, Transport& out, uint8_t* scratch,
                            WorkerStats& stats) {
  if (targetLayer_ < 0) updateTarget(publication, nowUs);
  bool startsSource = false;
  if (layer != currentLayer_) {
    // Video switches only at a keyframe of the target layer, so the decoder never sees a
    // reference it lacks; audio has one layer and starts at once.
    if (layer != targetLayer_ || (publication.video() && !keyframe)) return;
    currentLayer_ = layer;
    rewriter_.switchSource(packet.ssrc());
  }
  rtp::RewriteResult r =
      rewriter_.rewrite(packet.ssrc(), packet.sequence(), packet.timestamp(), nowUs);
  if (!r.forward) return;
  startsSource = r.startsSource;
  if (startsSource || !haveOffset_ || sourceSsrc_ != packet.ssrc()) {
    haveOffset_ = true;
    sourceSsrc_ = packet.ssrc();
    timestampOffset_ = r.timestamp - packet.timestamp();
  }
  const CodecSpec* codec = outCodecFor(publication, packet.payloadType());
  if (!codec) {
    stats.drop(DropReason::UnknownStream);
    return;
  }
  Sent& record = sent_[r.seq % sent_.size()];
  Pieces w = writePacket(publication, packet, r.seq, r.timestamp, spec_.ssrc, codec->payloadType,
                         false, 0, nullptr, startsSource, nowUs, out, scratch, &record);
  if (w.headSize == 0) return;
  record.outSeq = r.seq;
  record.outTimestamp = r.timestamp;
  record.valid = true;
  lastOutTimestamp_ = r.timestamp;
  if (out.sendRtp(scratch, w.headSize, w.tail, w.tailSize, nowUs, false)) {
    ++packetsSent_;
    octetsSent_ += static_cast<uint32_t>(packet.payloadLength());
  }
}

Subscription::Pieces Subscription::writePacket(
    const Publication& publication, const rtp::RtpPacket& packet, uint16_t seq, uint32_t timestamp,
    uint32_t ssrc, uint8_t payloadType, bool rtx, uint16_t osn, const Sent* vp8Ids,
    bool startsSource, uint64_t nowUs, Transport& out, uint8_t* scratch, Sent* record) {
  const rtp::ExtensionIdMap& ids = out.extensions();
  // The body is everything after the source's header: payload and padding, as received.
  const uint8_t* body = packet.data() + packet.headerLength();
  size_t bodySize = packet.size() - packet.headerLength();
  if (rtx) bodySize = packet.payloadLength();  // RFC 4588 §4: no padding carried over

  uint8_t* p = scratch;
  bool padding = !rtx && packet.hasPadding();
  uint8_t* e = writeHeader(p, static_cast<uint8_t>(0x80 | (padding ? 0x20 : 0) | 0x10),
                           static_cast<uint8_t>((packet.marker() ? 0x80 : 0) | payloadType), seq,
                           timestamp, ssrc, nowUs, out);
  const rtp::ExtensionIdMap& inIds = publication.extensions();
  for (auto type : {rtp::ExtensionType::AudioLevel, rtp::ExtensionType::VideoOrientation}) {
    util::ConstBytes v = packet.findExtension(inIds.idOf(type));
    if (inIds.idOf(type) && v.data()) addElement(e, ids.idOf(type), v.data(), v.size());
  }
  e = finishExtensions(p + 12, e);
  size_t header = static_cast<size_t>(e - p);
  size_t total = header + (rtx ? 2 : 0) + bodySize;
  if (total > kMaxPlain) return {};
  uint8_t* head = p + header;
  if (rtx) {
    util::storeBe16(head, osn);
    head += 2;
  }
  Pieces pieces{static_cast<size_t>(head - p), body, bodySize};

  // VP8: picture ids continue across source switches. The descriptor is rewritten in a copy
  // at the end of head; the publisher's buffer stays as it arrived (other subscribers and the
  // retransmission ring share it).
  if (publication.video()) {
    // outCodecFor ran for this payload type just before.
    const CodecSpec* codec = codecCacheIn_;
    if (codec && codec->video == rtp::VideoCodec::Vp8) {
      rtp::Vp8Descriptor d;
      if (rtp::parseVp8Descriptor(util::ConstBytes(body, packet.payloadLength()), &d)) {
        std::memcpy(head, body, d.size);
        pieces.headSize += d.size;
        pieces.tail = body + d.size;
        pieces.tailSize = bodySize - d.size;
        util::MutableBytes vp8(head, d.size);
        if (vp8Ids) {
          if (d.pictureIdOffset) rtp::rewriteVp8PictureId(vp8, d, vp8Ids->pictureId);
          if (d.tl0PicIdxOffset) rtp::rewriteVp8Tl0PicIdx(vp8, d, vp8Ids->tl0PicIdx);
        } else {
          auto mapped = vp8_.map(d, startsSource);
          if (d.pictureIdOffset) rtp::rewriteVp8PictureId(vp8, d, mapped.pictureId);
          if (d.tl0PicIdxOffset) rtp::rewriteVp8Tl0PicIdx(vp8, d, mapped.tl0PicIdx);
          if (record) {
            record->pictureId = mapped.pictureId;
            record->tl0PicIdx = mapped.tl0PicIdx;
          }
        }
      }
    }
  }
  return pieces;
}

bool Subscription::retransmit(const Publication& publication, uint16_t outSeq, uint64_t nowUs,
                              Transport& out, uint8_t* scratch, WorkerStats& stats) {
  const Sent& sent = sent_[outSeq % sent_.size()];
  if (!sent.valid || sent.outSeq != outSeq) return false;
  auto source = rewriter_.sourceOf(outSeq);
  if (!source) return false;
  int layer = publication.layerOfSsrc(source->ssrc);
  if (layer < 0 || !publication.layer(layer).ring) return false;
  const util::PacketRef* held = publication.layer(layer).ring->find(source->seq, nowUs);
  if (!held) return false;
  rtp::RtpPacket packet;
  if (!rtp::RtpPacket::parse((*held)->data(), (*held)->size, &packet)) return false;
  const CodecSpec* codec = outCodecFor(publication, packet.payloadType());
  if (!codec) return false;
  Pieces w;
  if (spec_.rtxSsrc && codec->rtxPayloadType) {
    // RFC 4588: the retransmission stream carries the original sequence number first.
    w = writePacket(publication, packet, rtxSeq_++, sent.outTimestamp, spec_.rtxSsrc,
                    *codec->rtxPayloadType, true, outSeq, &sent, false, nowUs, out, scratch,
                    nullptr);
  } else {
    w = writePacket(publication, packet, outSeq, sent.outTimestamp, spec_.ssrc, codec->payloadType,
                    false, 0, &sent, false, nowUs, out, scratch, nullptr);
  }
  if (w.headSize == 0) return false;
  (void)stats;
  return out.sendRtp(scratch, w.headSize, w.tail, w.tailSize, nowUs, false);
}

size_t Subscription::buildSenderReport(const Publication& publication, uint64_t nowUs, uint8_t* out,
                                       size_t cap) const {
  if (!haveOffset_ || currentLayer_ < 0) return 0;
  const auto& layer = publication.layer(currentLayer_);
  if (!layer.srArrivalUs || layer.ssrc != sourceSsrc_) return 0;
  // The publisher's (NTP, RTP) pair, advanced to now, on this stream's timeline (RFC 3550 §6.4.1).
  uint64_t elapsedUs = nowUs - layer.srArrivalUs;
  rtp::SenderInfo info;
  info.ntpTimestamp = layer.srNtp + (elapsedUs << 32) / 1000000;
  info.rtpTimestamp = layer.srRtpTimestamp + timestampOffset_ +
                      static_cast<uint32_t>(elapsedUs * publication.clockRate() / 1000000);
  info.packetCount = packetsSent_;
  info.octetCount = octetsSent_;
  return rtp::buildSenderReport(out, cap, spec_.ssrc, info, {});
}

}  // namespace treff::sfu
