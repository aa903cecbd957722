// One outgoing track to one subscriber: makes each forwarded packet valid for the subscriber's
// peer connection (SSRC, sequence and timestamp continuous across layer switches, the
// subscriber's payload type and header extension ids, its MID, its own transport-wide sequence,
// continuous VP8 picture ids), answers its NACKs from the publication's retransmission ring, and
// maps the publisher's sender reports onto its own timeline.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "rtp/rtp_rewriter.hpp"
#include "sfu/room_specs.hpp"
#include "sfu/svc_layer.hpp"

namespace treff::rtp {
class RtpPacket;
}

namespace treff::sfu {

class Participant;
class Publication;
class Transport;
class WorkerStats;

class Subscription {
 public:
  Subscription(std::string subscriber, const SubscriptionSpec& spec);

  const std::string& subscriber() const { return subscriber_; }
  const SubscriptionSpec& spec() const { return spec_; }
  // The publisher and publication this subscription forwards now, or null while they are
  // absent. The Room sets them whenever it rebuilds its routes, so the per-tick and RTCP work
  // needs no lookup by participant id.
  void bindSource(Participant* publisher, Publication* publication) {
    sourceParticipant_ = publisher;
    sourcePublication_ = publication;
  }
  Participant* sourceParticipant() const { return sourceParticipant_; }
  Publication* sourcePublication() const { return sourcePublication_; }
  uint32_t ssrc() const { return spec_.ssrc; }
  bool owns(uint32_t ssrc) const {
    return ssrc == spec_.ssrc || (spec_.rtxSsrc && ssrc == spec_.rtxSsrc);
  }

  // The layer this subscription wants now (video: the highest active one within the
  // allocation; audio: 0), and the one it forwards; -1 for none.
  int currentLayer() const { return currentLayer_; }
  int targetLayer() const { return targetLayer_; }
  // Re-evaluates the target layer; true if a keyframe of the target layer is needed.
  bool updateTarget(const Publication& publication, uint64_t nowUs);

  // Video: the highest layer the subscriber's bandwidth and tile allow (kNoLimit: any), or -1
  // to pause the track (last-N, a hidden tile, no bandwidth). Resuming waits for a key frame.
  static constexpr int kNoLimit = 255;
  void setAllocatedLayer(int layer);
  int allocatedLayer() const { return allocatedLayer_; }
  bool paused() const { return allocatedLayer_ < 0; }

  // Sends `bytes` of padding as RTX packets (probing the subscriber's link before an upgrade);
  // returns the bytes sent, 0 without a negotiated RTX stream.
  size_t sendPadding(size_t bytes, uint64_t nowUs, Transport& out, uint8_t* scratch);

  // A packet of `publication` on `layer` (its simulcast encoding); `svc` says where it sits in a
  // scalable stream. Forwards it when it belongs to the forwarded layer (switching at a keyframe
  // of the target layer; for a scalable stream, forwarding the spatial layers up to the current
  // one). `scratch` is the worker's per-packet buffer.
  void onPacket(const Publication& publication, int layer, const rtp::RtpPacket& packet,
                bool keyframe, const SvcLayer& svc, uint64_t nowUs, Transport& out,
                uint8_t* scratch, WorkerStats& stats);
  // The publisher dropped a packet of the forwarded layer on purpose (padding only).
  void onSkipped(uint32_t sourceSsrc, uint16_t seq);
  // Retransmits an outgoing sequence number the subscriber NACKed, if the ring still has it.
  bool retransmit(const Publication& publication, uint16_t outSeq, uint64_t nowUs, Transport& out,
                  uint8_t* scratch, WorkerStats& stats);
  // A sender report for this stream, mapped from the publisher's last one; 0 if none yet.
  size_t buildSenderReport(const Publication& publication, uint64_t nowUs, uint8_t* out,
                           size_t cap) const;

 private:
  // What went out under an outgoing sequence number, to resend it the same way.
  struct Sent {
    uint16_t outSeq = 0;
    bool valid = false;
    uint32_t outTimestamp = 0;
    uint16_t pictureId = 0;
    uint8_t tl0PicIdx = 0;
    bool marker = false;  // as sent (a scalable stream's marker may be the server's)
  };
  // A subscriber's packet in two pieces: `head` in scratch (its header, the RTX original
  // sequence number, a rewritten VP8 descriptor) and the payload's rest where it arrived.
  struct Pieces {
    size_t headSize = 0;  // 0: nothing to send
    const uint8_t* tail = nullptr;
    size_t tailSize = 0;
  };
  void onScalablePacket(const Publication& publication, const rtp::RtpPacket& packet, bool keyframe,
                        const SvcLayer& svc, uint64_t nowUs, Transport& out, uint8_t* scratch,
                        WorkerStats& stats);
  // Numbers, rewrites and sends one packet of the forwarded source.
  void forward(const Publication& publication, const rtp::RtpPacket& packet, bool marker,
               uint64_t nowUs, Transport& out, uint8_t* scratch, WorkerStats& stats);
  Pieces writePacket(const Publication& publication, const rtp::RtpPacket& packet, uint16_t seq,
                     uint32_t timestamp, uint32_t ssrc, uint8_t payloadType, bool rtx, uint16_t osn,
                     const Sent* vp8Ids, bool startsSource, bool marker, uint64_t nowUs,
                     Transport& out, uint8_t* scratch, Sent* record);
  const CodecSpec* outCodecFor(const Publication& publication, uint8_t inPayloadType);
  uint8_t* writeHeader(uint8_t* p, uint8_t first, uint8_t second, uint16_t seq, uint32_t timestamp,
                       uint32_t ssrc, uint64_t nowUs, Transport& out, bool twoByte = false) const;

  std::string subscriber_;
  SubscriptionSpec spec_;
  int currentLayer_ = -1;
  int targetLayer_ = -1;
  int allocatedLayer_ = kNoLimit;
  uint32_t lastOutTimestamp_ = 0;
  rtp::RtpRewriter rewriter_;
  rtp::Vp8PictureIdRewriter vp8_;
  uint16_t rtxSeq_;
  std::array<Sent, 1024> sent_{};
  // For sender reports: what went out, and the timestamp offset of the forwarded source.
  uint32_t packetsSent_ = 0;
  uint32_t octetsSent_ = 0;
  bool haveOffset_ = false;
  uint32_t sourceSsrc_ = 0;
  uint32_t timestampOffset_ = 0;  // out = in + offset, for the current source
  Participant* sourceParticipant_ = nullptr;
  Publication* sourcePublication_ = nullptr;
  // The last payload type mapped, and to what (a publication's codecs never change).
  const Publication* codecCachePublication_ = nullptr;
  int codecCachePayloadType_ = -1;
  const CodecSpec* codecCacheIn_ = nullptr;
  const CodecSpec* codecCacheOut_ = nullptr;
};

}  // namespace treff::sfu
