#include "rtp/rtp_rewriter.hpp"

#include <initializer_list>

#include "rtp/vp8_descriptor.hpp"

namespace treff::rtp {

RtpRewriter::RtpRewriter(uint32_t clockRateHz, uint16_t initialSeq, uint32_t initialTimestamp)
    : clockRateHz_(clockRateHz),
      highestOut_(static_cast<int64_t>(initialSeq) - 1),
      lastTs_(initialTimestamp) {}

void RtpRewriter::switchSource(uint32_t ssrc) {
  pending_ = true;
  pendingSsrc_ = ssrc;
}

std::optional<uint32_t> RtpRewriter::selectedSource() const {
  if (pending_) return pendingSsrc_;
  if (current_.active) return current_.ssrc;
  return std::nullopt;
}

void RtpRewriter::startMapping(uint32_t ssrc, uint16_t seq, uint32_t timestamp,
                               uint64_t arrivalUs) {
  if (current_.active) previous_ = current_;
  Mapping& m = current_;
  m.active = true;
  m.ssrc = ssrc;
  m.in.reset();
  const int64_t u = m.in.unwrap(seq);
  m.start = m.floor = m.highestIn = u;
  m.seqDelta = highestOut_ + 1 - u;
  m.skipped = 0;
  m.runCount = 0;
  m.runHead = 0;
  uint32_t firstTs = lastTs_;
  if (anySent_) {
    // Continue the outgoing clock by the wall-clock time since the newest timestamp went out.
    const uint64_t elapsedUs = arrivalUs > lastTsArrivalUs_ ? arrivalUs - lastTsArrivalUs_ : 0;
    uint64_t ticks = elapsedUs * clockRateHz_ / 1'000'000;
    if (ticks == 0) ticks = 1;
    firstTs = lastTs_ + static_cast<uint32_t>(ticks);
  }
  m.tsDelta = firstTs - timestamp;
}

RewriteResult RtpRewriter::rewrite(uint32_t sourceSsrc, uint16_t seq, uint32_t timestamp,
                                   uint64_t arrivalUs) {
  RewriteResult r;
  if (pending_ && sourceSsrc == pendingSsrc_) {
    startMapping(sourceSsrc, seq, timestamp, arrivalUs);
    pending_ = false;
    r.startsSource = true;
  } else if (!current_.active) {
    r.drop = RewriteDrop::NoSource;
    return r;
  } else if (sourceSsrc != current_.ssrc) {
    r.drop = RewriteDrop::OtherSource;
    return r;
  }

  Mapping& m = current_;
  const int64_t u = m.in.peek(seq);
  const std::optional<int64_t> out = m.outOf(u, &r.drop);
  if (!out) return r;
  m.in.unwrap(seq);
  if (u > m.highestIn) m.highestIn = u;
  if (*out > highestOut_) highestOut_ = *out;

  r.forward = true;
  r.seq = static_cast<uint16_t>(*out);
  r.timestamp = timestamp + m.tsDelta;
  if (!anySent_ || isNewerTimestamp(r.timestamp, lastTs_)) {
    lastTs_ = r.timestamp;
    lastTsArrivalUs_ = arrivalUs;
  }
  anySent_ = true;
  return r;
}

bool RtpRewriter::skip(uint32_t sourceSsrc, uint16_t seq) {
  // Packets rewrite() would not forward have no outgoing number: dropping them leaves no hole.
  if ((pending_ && sourceSsrc == pendingSsrc_) || !current_.active || sourceSsrc != current_.ssrc) {
    return true;
  }
  Mapping& m = current_;
  const int64_t u = m.in.peek(seq);
  if (u > m.highestIn) {
    m.addSkip(u);
    m.in.unwrap(seq);
    m.highestIn = u;
    return true;
  }
  RewriteDrop why = RewriteDrop::None;
  return !m.outOf(u, &why).has_value();
}

void RtpRewriter::Mapping::addSkip(int64_t u) {
  ++skipped;
  if (runCount > 0) {
    SkipRun& newest = runs[(runHead + runCount - 1) % kSkipHistory];
    if (newest.last + 1 == u) {
      newest.last = u;
      return;
    }
  }
  if (runCount == kSkipHistory) {
    // Forget the oldest run; packets at or below it can no longer be mapped.
    floor = runs[runHead].last + 1;
    runHead = (runHead + 1) % kSkipHistory;
    --runCount;
  }
  runs[(runHead + runCount) % kSkipHistory] = SkipRun{u, u};
  ++runCount;
}

std::optional<int64_t> RtpRewriter::Mapping::outOf(int64_t u, RewriteDrop* why) const {
  if (u < start) {
    *why = RewriteDrop::BeforeSwitch;
    return std::nullopt;
  }
  if (u < floor) {
    *why = RewriteDrop::BeforeHistory;
    return std::nullopt;
  }
  int64_t skipsBelow = skipped;
  for (size_t i = runCount; i-- > 0;) {
    const SkipRun& r = run(i);
    if (u > r.last) break;
    if (u >= r.first) {
      *why = RewriteDrop::Skipped;
      return std::nullopt;
    }
    skipsBelow -= r.last - r.first + 1;
  }
  return u + seqDelta - skipsBelow;
}

std::optional<int64_t> RtpRewriter::Mapping::inOf(int64_t out) const {
  if (!active) return std::nullopt;
  int64_t skipsBelow = skipped;
  int64_t u = out - seqDelta + skipsBelow;
  for (size_t i = runCount; i-- > 0;) {
    const SkipRun& r = run(i);
    if (u > r.last) break;
    skipsBelow -= r.last - r.first + 1;
    u = out - seqDelta + skipsBelow;
  }
  if (u < floor || u > highestIn) return std::nullopt;
  return u;
}

int64_t RtpRewriter::unwrapOut(uint16_t outSeq) const {
  return highestOut_ + seqDiff(outSeq, static_cast<uint16_t>(highestOut_));
}

std::optional<SourcePacket> RtpRewriter::sourceOf(uint16_t outSeq) const {
  if (!anySent_) return std::nullopt;
  const int64_t out = unwrapOut(outSeq);
  if (out > highestOut_) return std::nullopt;
  for (const Mapping* m : {&current_, &previous_}) {
    if (const std::optional<int64_t> u = m->inOf(out)) {
      return SourcePacket{m->ssrc, static_cast<uint16_t>(*u)};
    }
  }
  return std::nullopt;
}

int64_t Vp8PictureIdRewriter::ContinuousId::map(uint32_t value, unsigned bits, bool newSource) {
  const int64_t modulus = int64_t{1} << bits;
  const int64_t v = static_cast<int64_t>(value) & (modulus - 1);
  int64_t u = v;
  if (!started_ || newSource || bits != bits_) {
    const int64_t out = started_ ? highestOut_ + 1 : v;
    delta_ = out - v;
    highestIn_ = v;
    highestOut_ = out;
    bits_ = bits;
    started_ = true;
  } else {
    // Nearest to the newest value seen, within half the field's range either way.
    int64_t diff = (v - highestIn_) & (modulus - 1);
    if (diff >= modulus / 2) diff -= modulus;
    u = highestIn_ + diff;
    if (u > highestIn_) highestIn_ = u;
  }
  const int64_t out = u + delta_;
  if (out > highestOut_) highestOut_ = out;
  return out;
}

Vp8PictureIdRewriter::Ids Vp8PictureIdRewriter::map(const Vp8Descriptor& d, bool startsSource) {
  if (startsSource) pictureIdPending_ = tl0PicIdxPending_ = true;
  Ids ids;
  if (d.hasPictureId) {
    const int64_t out = pictureId_.map(d.pictureId, d.longPictureId ? 15 : 7, pictureIdPending_);
    ids.pictureId = static_cast<uint16_t>(out & 0x7fff);
    pictureIdPending_ = false;
  }
  if (d.hasTl0PicIdx) {
    const int64_t out = tl0PicIdx_.map(d.tl0PicIdx, 8, tl0PicIdxPending_);
    ids.tl0PicIdx = static_cast<uint8_t>(out & 0xff);
    tl0PicIdxPending_ = false;
  }
  return ids;
}

void Vp8PictureIdRewriter::rewrite(util::MutableBytes payload, const Vp8Descriptor& d,
                                   bool startsSource) {
  const Ids ids = map(d, startsSource);
  if (d.hasPictureId) rewriteVp8PictureId(payload, d, ids.pictureId);
  if (d.hasTl0PicIdx) rewriteVp8Tl0PicIdx(payload, d, ids.tl0PicIdx);
}

}  // namespace treff::rtp
