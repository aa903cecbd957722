// Per-subscription continuity of an outgoing RTP stream whose source changes: one RtpRewriter per
// Subscription maps (source SSRC, sequence number, timestamp) of each forwarded packet onto the
// subscription's own sequence and timestamp space, so the subscriber sees one gap-free stream
// while the SFU switches simulcast layers or the publisher restarts its encoder.
// Vp8PictureIdRewriter does the same for the VP8 PictureID and TL0PICIDX (RFC 7741 §4.2).
//
// Both run per packet: no allocation, no exception, fixed-size state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "rtp/seq_num.hpp"
#include "util/bytes.hpp"

namespace treff::rtp {

struct Vp8Descriptor;

// Why rewrite() refused a packet (for drop counters).
enum class RewriteDrop : uint8_t {
  None,
  NoSource,       // switchSource() was never called
  OtherSource,    // not the selected source (e.g. the old layer after a switch)
  BeforeSwitch,   // the selected source, but older than the packet the mapping starts at
  BeforeHistory,  // older than the skip history reaches, so its outgoing number is unknown
  Skipped,        // a copy of a packet that skip() already dropped
};

struct RewriteResult {
  bool forward = false;
  uint16_t seq = 0;           // outgoing sequence number (valid when forward)
  uint32_t timestamp = 0;     // outgoing RTP timestamp (valid when forward)
  bool startsSource = false;  // the first packet of a new source: see Vp8PictureIdRewriter
  RewriteDrop drop = RewriteDrop::None;
};

// The incoming packet an outgoing sequence number was made from (for answering a NACK).
struct SourcePacket {
  uint32_t ssrc = 0;
  uint16_t seq = 0;
};

// Sequence numbers: out = in + offset, where the offset of a source is fixed when its first
// packet arrives (the previous outgoing number + 1) and shrinks by one for every packet dropped
// with skip(). Reordered packets map with the offset that held at their position, so late
// packets still land in the gap left for them. Timestamps: out = in + offset, where the offset
// is fixed at the switch so that the first packet of the new source is stamped with the last
// outgoing timestamp plus the wall-clock time since that timestamp was first sent (at least one
// tick).
//
// Switching is explicit: switchSource(ssrc) selects the source; packets of the previous source
// keep flowing until the first packet of the selected one arrives (the SFU calls it when that
// packet, a keyframe's first, is in hand). From then on the previous source is dropped, and so
// are packets of the new source older than its first. switchSource() with the current SSRC
// re-bases the mapping at the next packet, for an encoder restart that kept its SSRC.
class RtpRewriter {
 public:
  // How many runs of skipped packets are remembered for mapping reordered packets and NACKs.
  static constexpr size_t kSkipHistory = 64;

  // clockRateHz: the RTP clock of the media (90000 for video, 48000 for Opus). The first packet
  // ever forwarded goes out with initialSeq and initialTimestamp (pick them at random, RFC 3550
  // §5.1).
  RtpRewriter(uint32_t clockRateHz, uint16_t initialSeq, uint32_t initialTimestamp);

  // Selects the source to forward from its next packet on.
  void switchSource(uint32_t ssrc);

  // Maps one incoming packet; forward=false (with a reason) if it must not be sent.
  RewriteResult rewrite(uint32_t sourceSsrc, uint16_t seq, uint32_t timestamp, uint64_t arrivalUs);

  // Drops a packet of the current source without leaving a hole in the outgoing numbers (padding
  // only packets, a temporal layer not forwarded). True if no hole is left. False if a newer
  // packet has already gone out, so its number is taken: the caller may still forward it with
  // rewrite() (harmless for padding), or leave the hole for the receiver to NACK. True for a
  // packet rewrite() would drop anyway (another source, before the switch): it has no number.
  // A packet of a pending source does not start its mapping; the next rewrite() does.
  bool skip(uint32_t sourceSsrc, uint16_t seq);

  // The incoming packet behind an outgoing sequence number sent recently, from the current or
  // the previous source; nullopt if it was never assigned or is too old to know.
  std::optional<SourcePacket> sourceOf(uint16_t outSeq) const;

  // The selected source (the pending one if its first packet has not arrived yet).
  std::optional<uint32_t> selectedSource() const;
  // The newest outgoing sequence number and timestamp; meaningful once a packet was forwarded.
  uint16_t lastSeq() const { return static_cast<uint16_t>(highestOut_); }
  uint32_t lastTimestamp() const { return lastTs_; }

 private:
  // A run of consecutive incoming sequence numbers dropped with skip(), unwrapped.
  struct SkipRun {
    int64_t first = 0;
    int64_t last = 0;
  };

  // The mapping of one source.
  struct Mapping {
    bool active = false;
    uint32_t ssrc = 0;
    SeqUnwrapper in;
    int64_t start = 0;  // the first packet of this source (the switch point)
    int64_t floor = 0;  // lowest incoming seq that still maps (start, or past forgotten skips)
    int64_t highestIn = 0;
    int64_t seqDelta = 0;  // out = in + seqDelta - skips below in
    uint32_t tsDelta = 0;
    int64_t skipped = 0;  // packets skipped in total
    std::array<SkipRun, kSkipHistory> runs{};
    size_t runCount = 0;  // runs held, newest at (runHead + runCount - 1) % kSkipHistory
    size_t runHead = 0;

    const SkipRun& run(size_t i) const { return runs[(runHead + i) % kSkipHistory]; }
    void addSkip(int64_t in);
    // Outgoing (unwrapped) number of incoming u, or nullopt if u was skipped or is unknown.
    std::optional<int64_t> outOf(int64_t u, RewriteDrop* why) const;
    std::optional<int64_t> inOf(int64_t out) const;
  };

  void startMapping(uint32_t ssrc, uint16_t seq, uint32_t timestamp, uint64_t arrivalUs);
  int64_t unwrapOut(uint16_t outSeq) const;

  uint32_t clockRateHz_;
  bool pending_ = false;
  uint32_t pendingSsrc_ = 0;
  bool anySent_ = false;
  int64_t highestOut_;            // unwrapped newest outgoing sequence number
  uint32_t lastTs_;               // newest outgoing timestamp
  uint64_t lastTsArrivalUs_ = 0;  // when lastTs_ was first sent
  Mapping current_;
  Mapping previous_;
};

// Keeps VP8 PictureID (15 bits) and TL0PICIDX (8 bits) continuous across source switches, in
// place in the payload, using the field widths the packet already has: a 7-bit PictureID source
// is followed modulo 128 and mapped into the 15-bit outgoing count, which a 7-bit field then
// carries modulo 128. The first picture of a new source gets the previous outgoing value + 1.
// Restore for the next subscriber with rewriteVp8PictureId(payload, d, d.pictureId) (and the same
// for TL0PICIDX): `d` keeps the incoming values.
class Vp8PictureIdRewriter {
 public:
  // Rewrites the descriptor fields of one forwarded packet. `d` must come from parsing
  // `payload`; startsSource from the RewriteResult of the same packet.
  void rewrite(util::MutableBytes payload, const Vp8Descriptor& d, bool startsSource);

  // The outgoing values the descriptor `d` maps to (what rewrite() writes), updating the state.
  struct Ids {
    uint16_t pictureId = 0;  // 15-bit count; a 7-bit field carries it modulo 128
    uint8_t tl0PicIdx = 0;
  };
  Ids map(const Vp8Descriptor& d, bool startsSource);

 private:
  // Continues a wrapping counter of the incoming width into an outgoing count.
  class ContinuousId {
   public:
    // Maps one incoming value of `bits` width; a new source (or width) re-bases on last + 1.
    int64_t map(uint32_t value, unsigned bits, bool newSource);

   private:
    bool started_ = false;
    unsigned bits_ = 0;
    int64_t highestIn_ = 0;
    int64_t highestOut_ = 0;
    int64_t delta_ = 0;
  };

  ContinuousId pictureId_;
  ContinuousId tl0PicIdx_;
  bool pictureIdPending_ = false;  // a switch happened; the next PictureID re-bases
  bool tl0PicIdxPending_ = false;
};

}  // namespace treff::rtp
