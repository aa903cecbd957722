#include "rtp/rtcp_twcc.hpp"

#include <algorithm>

namespace treff::rtp {

namespace {

// Packet status symbols (§3.1.1).
constexpr uint8_t kNotReceived = 0;
constexpr uint8_t kSmallDelta = 1;
constexpr uint8_t kLargeDelta = 2;
constexpr uint8_t kReserved = 3;

constexpr unsigned kMaxRunLength = 0x1fff;
constexpr unsigned kOneBitCapacity = 14;
constexpr unsigned kTwoBitCapacity = 7;

size_t deltaSize(uint8_t symbol) {
  return symbol == kSmallDelta ? 1 : symbol == kLargeDelta ? 2 : 0;
}

// How many symbols a chunk word holds, and symbol `i` of it.
unsigned chunkCapacity(uint16_t chunk) {
  if ((chunk & 0x8000) == 0) return chunk & kMaxRunLength;
  return (chunk & 0x4000) ? kTwoBitCapacity : kOneBitCapacity;
}

uint8_t chunkSymbol(uint16_t chunk, unsigned i) {
  if ((chunk & 0x8000) == 0) return (chunk >> 13) & 3;
  if ((chunk & 0x4000) == 0) return (chunk >> (13 - i)) & 1;
  return (chunk >> (12 - 2 * i)) & 3;
}

}  // namespace

// ---- parsing ----

RtcpError TwccFeedbackView::parse(util::ConstBytes packet) {
  RtcpError e =
      bindFeedback(packet, nullptr, RtcpType::kRtpFeedback, rtpfb::kTransportCc, kTwccFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

// Every reported packet needs a status from a chunk, and every received one a delta after the
// chunks (§3.1). Unused symbols of the last vector chunk are ignored.
RtcpError TwccFeedbackView::check() {
  size_t pos = kTwccFixedSize;
  size_t left = packetStatusCount();
  size_t deltaBytes = 0;
  size_t received = 0;
  while (left > 0) {
    if (pos + 2 > size_) return RtcpError::kBadTwccChunk;
    const uint16_t chunk = util::loadBe16(data_ + pos);
    pos += 2;
    const size_t used = std::min<size_t>(chunkCapacity(chunk), left);
    if ((chunk & 0x8000) == 0) {
      const uint8_t symbol = chunkSymbol(chunk, 0);
      if (symbol == kReserved) return RtcpError::kBadTwccChunk;
      deltaBytes += used * deltaSize(symbol);
      if (symbol != kNotReceived) received += used;
    } else {
      for (unsigned i = 0; i < used; ++i) {
        const uint8_t symbol = chunkSymbol(chunk, i);
        if (symbol == kReserved) return RtcpError::kBadTwccChunk;
        deltaBytes += deltaSize(symbol);
        if (symbol != kNotReceived) ++received;
      }
    }
    left -= used;
  }
  if (pos + deltaBytes > size_) return RtcpError::kMissingTwccDeltas;
  deltasAt_ = pos;
  receivedCount_ = received;
  return RtcpError::kNone;
}

int32_t TwccFeedbackView::referenceTime() const {
  uint32_t value = util::loadBe24(data_ + 16);
  if (value & 0x800000u) value |= 0xff000000u;
  return static_cast<int32_t>(value);
}

TwccFeedbackView::PacketIterator TwccFeedbackView::packets() const {
  PacketIterator it;
  if (data_ == nullptr) return it;
  it.data_ = data_;
  it.chunkPos_ = kTwccFixedSize;
  it.deltaPos_ = deltasAt_;
  it.left_ = packetStatusCount();
  it.seq_ = baseSeq();
  it.timeUs_ = referenceTimeUs();
  return it;
}

bool TwccFeedbackView::PacketIterator::next(TwccPacketStatus& out) {
  if (left_ == 0) return false;
  // Skip empty run-length chunks; check() made sure a chunk covers each packet.
  while (chunkUsed_ == chunkSize_) {
    chunk_ = util::loadBe16(data_ + chunkPos_);
    chunkPos_ += 2;
    chunkUsed_ = 0;
    chunkSize_ = chunkCapacity(chunk_);
  }
  const uint8_t symbol = chunkSymbol(chunk_, chunkUsed_++);
  out.seq = seq_++;
  out.received = symbol != kNotReceived;
  out.deltaTicks = 0;
  if (symbol == kSmallDelta) {
    out.deltaTicks = data_[deltaPos_];
    deltaPos_ += 1;
  } else if (symbol == kLargeDelta) {
    out.deltaTicks = static_cast<int16_t>(util::loadBe16(data_ + deltaPos_));
    deltaPos_ += 2;
  }
  timeUs_ += int64_t{out.deltaTicks} * kTwccTickUs;
  out.arrivalUs = timeUs_;
  --left_;
  return true;
}

// ---- building ----

namespace {

struct ArrivalSeries {
  std::span<const int64_t> first;
  std::span<const int64_t> second;
  int64_t at(size_t i) const { return i < first.size() ? first[i] : second[i - first.size()]; }
  size_t size() const { return first.size() + second.size(); }
};

int64_t floorDiv(int64_t value, int64_t divisor) {
  const int64_t q = value / divisor;
  return (value % divisor != 0 && value < 0) ? q - 1 : q;
}

// The symbol for one packet given the previous received packet's time in ticks, which advances
// when the packet was received. kReserved: the delta does not fit 16 bits.
uint8_t classify(int64_t arrivalUs, int64_t& prevTick, int16_t& delta) {
  if (arrivalUs == kTwccNotReceived) return kNotReceived;
  const int64_t tick = floorDiv(arrivalUs, kTwccTickUs);
  const int64_t d = tick - prevTick;
  if (d < INT16_MIN || d > INT16_MAX) return kReserved;
  prevTick = tick;
  delta = static_cast<int16_t>(d);
  return (d >= 0 && d <= 255) ? kSmallDelta : kLargeDelta;
}

struct PlannedChunk {
  enum class Kind : uint8_t { kRun, kOneBit, kTwoBit } kind = Kind::kRun;
  size_t count = 0;
  uint8_t symbols[kOneBitCapacity] = {};  // run: symbols[0]

  uint8_t symbol(size_t i) const { return kind == Kind::kRun ? symbols[0] : symbols[i]; }
  size_t deltaBytes(size_t k) const {
    size_t n = 0;
    for (size_t i = 0; i < k; ++i) n += deltaSize(symbol(i));
    return n;
  }
  uint16_t word(size_t k) const {
    if (kind == Kind::kRun) return static_cast<uint16_t>(symbols[0] << 13 | k);
    uint16_t w = kind == Kind::kOneBit ? 0x8000 : 0xc000;
    for (size_t i = 0; i < k; ++i) {
      w |= kind == Kind::kOneBit ? static_cast<uint16_t>(symbols[i] << (13 - i))
                                 : static_cast<uint16_t>(symbols[i] << (12 - 2 * i));
    }
    return w;
  }
};

// Chooses the chunk for the packets from `pos` (before `limit`): a run when at least 14 (or 7 with
// large deltas) equal symbols follow, else the widest status vector that holds them.
PlannedChunk planChunk(const ArrivalSeries& s, size_t pos, size_t limit, int64_t prevTick) {
  PlannedChunk c;
  const size_t lookahead = std::min<size_t>(kOneBitCapacity, limit - pos);
  int16_t delta = 0;
  bool anyLarge = false;
  for (size_t i = 0; i < lookahead; ++i) {
    c.symbols[i] = classify(s.at(pos + i), prevTick, delta);
    anyLarge = anyLarge || c.symbols[i] == kLargeDelta;
  }
  size_t run = 1;
  while (run < lookahead && c.symbols[run] == c.symbols[0]) ++run;
  if (run == kOneBitCapacity) {
    while (pos + run < limit && run < kMaxRunLength &&
           classify(s.at(pos + run), prevTick, delta) == c.symbols[0]) {
      ++run;
    }
  }
  const bool reachesEnd = pos + run == limit;
  if (run >= kOneBitCapacity || (anyLarge && run >= kTwoBitCapacity) || reachesEnd) {
    c.kind = PlannedChunk::Kind::kRun;
    c.count = run;
  } else if (!anyLarge && (lookahead > kTwoBitCapacity || pos + lookahead < limit)) {
    c.kind = PlannedChunk::Kind::kOneBit;
    c.count = lookahead;
  } else {
    c.kind = PlannedChunk::Kind::kTwoBit;
    c.count = std::min<size_t>(kTwoBitCapacity, lookahead);
  }
  return c;
}

size_t padTo4(size_t n) { return (n + 3) & ~size_t{3}; }

// Walks the packets [0, limit) chunk by chunk; writes chunk words and deltas if `chunkOut` is
// set. Returns the number of chunks.
size_t encode(const ArrivalSeries& s, size_t limit, int64_t referenceTick, uint8_t* chunkOut,
              uint8_t* deltaOut, size_t& deltaBytes) {
  size_t chunks = 0;
  deltaBytes = 0;
  int64_t prevTick = referenceTick;
  for (size_t pos = 0; pos < limit;) {
    const PlannedChunk c = planChunk(s, pos, limit, prevTick);
    if (chunkOut != nullptr) util::storeBe16(chunkOut + 2 * chunks, c.word(c.count));
    ++chunks;
    for (size_t i = 0; i < c.count; ++i) {
      int16_t delta = 0;
      const uint8_t symbol = classify(s.at(pos + i), prevTick, delta);
      if (deltaOut != nullptr) {
        if (symbol == kSmallDelta) deltaOut[deltaBytes] = static_cast<uint8_t>(delta);
        if (symbol == kLargeDelta)
          util::storeBe16(deltaOut + deltaBytes, static_cast<uint16_t>(delta));
      }
      deltaBytes += deltaSize(symbol);
    }
    pos += c.count;
  }
  return chunks;
}

}  // namespace

TwccBuildResult buildTwccFeedback(uint8_t* out, size_t cap, const TwccFeedbackParams& params,
                                  std::span<const int64_t> arrivals,
                                  std::span<const int64_t> arrivalsContinued) {
  const ArrivalSeries series{arrivals, arrivalsContinued};
  const int64_t referenceTick = params.referenceTime * (kTwccReferenceUnitUs / kTwccTickUs);

  // Stop before the first packet whose delta needs more than 16 bits.
  size_t limit = std::min<size_t>(series.size(), 0xffff);
  int64_t prevTick = referenceTick;
  for (size_t i = 0; i < limit; ++i) {
    int16_t delta = 0;
    if (classify(series.at(i), prevTick, delta) == kReserved) limit = i;
  }

  // Take chunks while they fit; shorten the first one that does not.
  size_t covered = 0;
  size_t chunks = 0;
  size_t deltaBytes = 0;
  prevTick = referenceTick;
  while (covered < limit) {
    const PlannedChunk c = planChunk(series, covered, limit, prevTick);
    size_t k = c.count;
    while (k > 0 &&
           padTo4(kTwccFixedSize + 2 * (chunks + 1) + deltaBytes + c.deltaBytes(k)) > cap) {
      --k;
    }
    if (k == 0) break;
    ++chunks;
    deltaBytes += c.deltaBytes(k);
    for (size_t i = 0; i < k; ++i) {
      int16_t delta = 0;
      classify(series.at(covered + i), prevTick, delta);
    }
    covered += k;
    if (k < c.count) break;
  }
  if (covered == 0) return {};

  // Re-plan for exactly the packets that fit; this never needs more room than the pass above.
  chunks = encode(series, covered, referenceTick, nullptr, nullptr, deltaBytes);
  const size_t unpadded = kTwccFixedSize + 2 * chunks + deltaBytes;
  const size_t size = padTo4(unpadded);
  if (size > cap) return {};
  writeFeedbackHeader(out, RtcpType::kRtpFeedback, rtpfb::kTransportCc, size, params.senderSsrc,
                      params.mediaSsrc);
  util::storeBe16(out + 12, params.baseSeq);
  util::storeBe16(out + 14, static_cast<uint16_t>(covered));
  util::storeBe24(out + 16, static_cast<uint32_t>(params.referenceTime) & 0xffffffu);
  out[19] = params.feedbackCount;
  encode(series, covered, referenceTick, out + kTwccFixedSize, out + kTwccFixedSize + 2 * chunks,
         deltaBytes);
  // RFC 3550 §6.4.1 padding, as libwebrtc writes it: zeros, then the count in the last octet.
  if (size > unpadded) {
    for (size_t i = unpadded; i < size; ++i) out[i] = 0;
    out[size - 1] = static_cast<uint8_t>(size - unpadded);
    out[0] |= 0x20;
  }
  return {size, covered};
}

}  // namespace treff::rtp
