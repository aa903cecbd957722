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

bool sameCodec(const CodecSpec& a, const CodecSpec& b) {
  return strcasecmp(a.name.c_str(), b.name.c_str()) == 0 && a.clockRate == b.clockRate;
}

// Appends one RFC 8285 element: in the one-byte form (ids 1..14, 1..16 bytes; anything else is
// left out), or in the two-byte form (§4.3: ids 1..255, up to 255 bytes).
void addElement(uint8_t*& p, uint8_t id, const uint8_t* value, size_t size, bool twoByte = false) {
  if (twoByte) {
    if (id == 0 || size > 255) return;
    *p++ = id;
    *p++ = static_cast<uint8_t>(size);
  } else {
    if (id == 0 || id > 14 || size == 0 || size > 16) return;
    *p++ = static_cast<uint8_t>(id << 4 | (size - 1));
  }
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
// (its answer to the server's offer): MID, abs-send-time and the transport-wide sequence number,
// in the one-byte form unless an element to come needs the two-byte one. Returns where further
// elements go; finishExtensions closes the block.
uint8_t* Subscription::writeHeader(uint8_t* p, uint8_t first, uint8_t second, uint16_t seq,
                                   uint32_t timestamp, uint32_t ssrc, uint64_t nowUs,
                                   Transport& out, bool twoByte) const {
  const rtp::ExtensionIdMap& ids = out.extensions();
  p[0] = first;
  p[1] = second;
  util::storeBe16(p + 2, seq);
  util::storeBe32(p + 4, timestamp);
  util::storeBe32(p + 8, ssrc);
  uint8_t* ext = p + 12;
  util::storeBe16(ext, twoByte ? rtp::kTwoByteExtensionProfile : 0xBEDE);
  uint8_t* e = ext + 4;
  std::string_view mid = spec_.mid;
  addElement(e, ids.idOf(rtp::ExtensionType::Mid), reinterpret_cast<const uint8_t*>(mid.data()),
             mid.size(), twoByte);
  uint8_t value[3];
  util::storeBe24(value, rtp::absSendTimeFromUs(nowUs));
  addElement(e, ids.idOf(rtp::ExtensionType::AbsSendTime), value, 3, twoByte);
  util::storeBe16(value, out.nextTransportSeq());
  addElement(e, ids.idOf(rtp::ExtensionType::TransportWideCc), value, 2, twoByte);
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
  if (publication.selectableLayerCount() == 1) {
    targetLayer_ = 0;
  } else {
    int active = publication.highestActiveLayerAtMost(allocatedLayer_, nowUs, kLayerActiveWindowUs);
    // Nothing active within the allocation (the publisher paused those layers): the lowest
    // active layer is better than a black tile.
    if (active < 0)
      active = publication.highestActiveLayer(nowUs, kLayerActiveWindowUs) >= 0
                   ? publication.lowestActiveLayer(nowUs, kLayerActiveWindowUs)
                   : -1;
    if (active >= 0) targetLayer_ = active;
  }
  // A scalable stream drops to a lower spatial layer at any picture; going up needs a key frame.
  if (publication.scalable()) return targetLayer_ >= 0 && targetLayer_ > currentLayer_;
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
                            bool keyframe, const SvcLayer& svc, uint64_t nowUs, Transport& out,
                            uint8_t* scratch, WorkerStats& stats) {
  if (targetLayer_ < 0) updateTarget(publication, nowUs);
  if (publication.scalable()) {
    onScalablePacket(publication, packet, keyframe, svc, nowUs, out, scratch, stats);
    return;
  }
  if (layer != currentLayer_) {
    // Video switches only at a keyframe of the target layer, so the decoder never sees a
    // reference it lacks; audio has one layer and starts at once.
    if (layer != targetLayer_ || (publication.video() && !keyframe)) return;
    currentLayer_ = layer;
    rewriter_.switchSource(packet.ssrc());
  }
  forward(publication, packet, packet.marker(), nowUs, out, scratch, stats);
}

void Subscription::onScalablePacket(const Publication& publication, const rtp::RtpPacket& packet,
                                    bool keyframe, const SvcLayer& svc, uint64_t nowUs,
                                    Transport& out, uint8_t* scratch, WorkerStats& stats) {
  // Spatial layers change where a picture starts (its base layer's first packet): down at any
  // picture, since no lower layer refers to a higher one; up, or on at all, only at a key
  // picture, since between key pictures an upper layer refers to its own earlier frames.
  const bool pictureStart = svc.known && svc.startOfFrame && svc.spatialId == 0;
  if (pictureStart && targetLayer_ >= 0 && targetLayer_ != currentLayer_) {
    if (targetLayer_ < currentLayer_) {
      currentLayer_ = targetLayer_;
    } else if (keyframe) {
      // Starting (or resuming after a pause) re-bases the numbering on this packet, so the
      // pictures not forwarded leave no gap.
      if (currentLayer_ < 0) rewriter_.switchSource(packet.ssrc());
      currentLayer_ = targetLayer_;
    }
  }
  if (currentLayer_ < 0) return;
  if (!svc.known || svc.spatialId > currentLayer_) {
    // Not forwarded, and numbered past so the subscriber sees no loss.
    rewriter_.skip(packet.ssrc(), packet.sequence());
    return;
  }
  // The picture ends, for this subscriber, with the top layer it gets.
  const bool marker = packet.marker() || (svc.endOfFrame && svc.spatialId == currentLayer_);
  forward(publication, packet, marker, nowUs, out, scratch, stats);
}

void Subscription::forward(const Publication& publication, const rtp::RtpPacket& packet,
                           bool marker, uint64_t nowUs, Transport& out, uint8_t* scratch,
                           WorkerStats& stats) {
  rtp::RewriteResult r =
      rewriter_.rewrite(packet.ssrc(), packet.sequence(), packet.timestamp(), nowUs);
  if (!r.forward) return;
  const bool startsSource = r.startsSource;
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
  record.marker = marker;
  Pieces w = writePacket(publication, packet, r.seq, r.timestamp, spec_.ssrc, codec->payloadType,
                         false, 0, nullptr, startsSource, marker, nowUs, out, scratch, &record);
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

Subscription::Pieces Subscription::writePacket(const Publication& publication,
                                               const rtp::RtpPacket& packet, uint16_t seq,
                                               uint32_t timestamp, uint32_t ssrc,
                                               uint8_t payloadType, bool rtx, uint16_t osn,
                                               const Sent* vp8Ids, bool startsSource, bool marker,
                                               uint64_t nowUs, Transport& out, uint8_t* scratch,
                                               Sent* record) {
  const rtp::ExtensionIdMap& ids = out.extensions();
  // The body is everything after the source's header: payload and padding, as received.
  const uint8_t* body = packet.data() + packet.headerLength();
  size_t bodySize = packet.size() - packet.headerLength();
  if (rtx) bodySize = packet.payloadLength();  // RFC 4588 §4: no padding carried over

  const rtp::ExtensionIdMap& inIds = publication.extensions();
  // AV1 sent as one stream: its dependency descriptor goes along, since the subscriber's decoder
  // learns the frames' dependencies from it (and needs it to make sense of spatial layers). A
  // key frame's, which carries the frame dependency structure, takes the two-byte form.
  // outCodecFor ran for this payload type just before.
  util::ConstBytes dependencies;
  const uint8_t ddIn = inIds.idOf(rtp::ExtensionType::DependencyDescriptor);
  const uint8_t ddOut = ids.idOf(rtp::ExtensionType::DependencyDescriptor);
  if (ddIn && ddOut && publication.layerCount() == 1 && codecCacheIn_ &&
      codecCacheIn_->video == rtp::VideoCodec::Av1) {
    dependencies = packet.findExtension(ddIn);
  }
  const bool twoByte = dependencies.size() > 16;

  uint8_t* p = scratch;
  bool padding = !rtx && packet.hasPadding();
  uint8_t* e = writeHeader(p, static_cast<uint8_t>(0x80 | (padding ? 0x20 : 0) | 0x10),
                           static_cast<uint8_t>((marker ? 0x80 : 0) | payloadType), seq, timestamp,
                           ssrc, nowUs, out, twoByte);
  for (auto type : {rtp::ExtensionType::AudioLevel, rtp::ExtensionType::VideoOrientation}) {
    util::ConstBytes v = packet.findExtension(inIds.idOf(type));
    if (inIds.idOf(type) && v.data()) addElement(e, ids.idOf(type), v.data(), v.size(), twoByte);
  }
  if (dependencies.data()) addElement(e, ddOut, dependencies.data(), dependencies.size(), twoByte);
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
                    *codec->rtxPayloadType, true, outSeq, &sent, false, sent.marker, nowUs, out,
                    scratch, nullptr);
  } else {
    w = writePacket(publication, packet, outSeq, sent.outTimestamp, spec_.ssrc, codec->payloadType,
                    false, 0, &sent, false, sent.marker, nowUs, out, scratch, nullptr);
  }
  if (w.headSize == 0) return false;
  if (!out.takeRetransmissionBudget(w.headSize + w.tailSize, nowUs)) {
    stats.add(Counter::RetransmissionsWithheld);
    return false;
  }
  if (!out.sendRtp(scratch, w.headSize, w.tail, w.tailSize, nowUs, false)) return false;
  stats.add(Counter::RetransmissionsOut);
  return true;
}

size_t Subscription::buildSenderReport(const Publication& publication, uint64_t nowUs, uint8_t* out,
                                       size_t cap) const {
  if (!haveOffset_ || currentLayer_ < 0) return 0;
  // A scalable stream's current layer is a spatial one: its reports are the one encoding's.
  const auto& layer =
      publication.layer(publication.scalable() ? 0 : static_cast<size_t>(currentLayer_));
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
