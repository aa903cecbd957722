#include "media_source.hpp"

#include <algorithm>
#include <span>

#include "media_stamp.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/rtp_packet.hpp"
#include "util/bytes.hpp"

namespace treff::loadgen {
namespace {

// If the loop fell behind by more than this, skip frames instead of sending a burst.
constexpr uint64_t kMaxLagUs = 100'000;

// The spacing of frames at `rateScale` times their nominal rate (at least 1 us).
uint64_t scaledIntervalUs(double nominalUs, double rateScale) {
  const double scale = rateScale > 0 ? rateScale : 1.0;
  return std::max<uint64_t>(1, static_cast<uint64_t>(nominalUs / scale + 0.5));
}

// Adds the extensions a browser sends on every packet of a track (RFC 8285 one-byte form).
void addCommonExtensions(rtp::RtpPacketBuilder& builder, const SourceConfig& config, uint64_t nowUs,
                         uint16_t* wideSeq, uint8_t* scratch) {
  const SendExtensionIds& ids = config.extensions;
  if (ids.absSendTime) {
    const uint32_t ast = rtp::absSendTimeFromUs(nowUs);
    scratch[0] = static_cast<uint8_t>(ast >> 16);
    scratch[1] = static_cast<uint8_t>(ast >> 8);
    scratch[2] = static_cast<uint8_t>(ast);
    builder.addExtension(ids.absSendTime, {scratch, 3});
  }
  if (ids.transportCc && wideSeq) {
    util::storeBe16(scratch + 4, (*wideSeq)++);
    builder.addExtension(ids.transportCc, {scratch + 4, 2});
  }
  if (ids.mid && !config.mid.empty()) {
    builder.addExtension(ids.mid, {reinterpret_cast<const uint8_t*>(config.mid.data()),
                                   std::min<size_t>(config.mid.size(), 16)});
  }
}

}  // namespace

uint32_t SmallRandom::next() {
  state_ ^= state_ >> 12;
  state_ ^= state_ << 25;
  state_ ^= state_ >> 27;
  return static_cast<uint32_t>((state_ * 0x2545F4914F6CDD1DULL) >> 32);
}

// Over one key frame interval of 60 frames, one key frame four times the size of a delta frame:
// 59 + 4 = 63 delta-frame sizes carry the interval's bytes.
VideoSource::VideoSource(const SourceConfig& config, uint32_t kbps)
    : config_(config),
      frameIntervalUs_(scaledIntervalUs(1e6 / kFps, config.rateScale)),
      random_(config.seed),
      deltaFrameBytes_(std::max<uint32_t>(200, kbps * 125 * (kKeyframeIntervalMs / 1000) /
                                                   (kFps * kKeyframeIntervalMs / 1000 + 3))) {
  for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<uint8_t>(random_.next());
  pictureId_ = static_cast<uint16_t>(random_.next() & 0x7fff);
  sequence_ = static_cast<uint16_t>(random_.next());
}

void VideoSource::beginFrame(uint64_t nowUs) {
  if (startUs_ == 0) {
    startUs_ = nowUs;
    nextFrameUs_ = nowUs;
  }
  frameIsKey_ = keyframeRequested_ || nowUs - lastKeyframeUs_ >= kKeyframeIntervalMs * 1000ULL;
  if (frameIsKey_) {
    keyframeRequested_ = false;
    lastKeyframeUs_ = nowUs;
    ++counters_.keyframes;
  }
  const uint32_t base = frameIsKey_ ? deltaFrameBytes_ * 4 : deltaFrameBytes_;
  frameBytes_ = random_.between(base * 9 / 10, base * 11 / 10);
  const size_t perPacket = kMaxPayload - 4;  // minus the 4-byte descriptor
  packetsInFrame_ = (frameBytes_ + perPacket - 1) / perPacket;
  nextPacketIndex_ = 0;
  frameUs_ = nextFrameUs_;
  frameTimestamp_ =
      static_cast<uint32_t>((frameUs_ - startUs_) * kClockRate / 1000000) + config_.seed * 7919;
  pictureId_ = (pictureId_ + 1) & 0x7fff;
  ++counters_.frames;
  nextFrameUs_ += frameIntervalUs_;
  if (nowUs > nextFrameUs_ + kMaxLagUs) nextFrameUs_ = nowUs;
}

size_t VideoSource::nextPacket(uint64_t nowUs, uint8_t* buf, size_t cap, uint16_t* wideSeq) {
  if (nextPacketIndex_ >= packetsInFrame_) {
    if (startUs_ != 0 && nowUs < nextFrameUs_) return 0;
    beginFrame(nowUs);
  }
  const size_t index = nextPacketIndex_++;
  const bool first = index == 0;
  const bool last = nextPacketIndex_ == packetsInFrame_;
  const size_t perPacket = (frameBytes_ + packetsInFrame_ - 1) / packetsInFrame_;
  const size_t dataBytes = first || !last ? perPacket : frameBytes_ - perPacket * index;
  const size_t payloadSize = std::clamp<size_t>(
      4 + dataBytes, 4 + kVp8StampAfterDescriptor + MediaStamp::kSize, kMaxPayload);

  // RFC 7741 §4.2: X=1, S on a frame's first packet, PID=0; I=1 with a 15-bit picture id (M=1).
  uint8_t* p = payload_.data();
  p[0] = first ? 0x90 : 0x80;
  p[1] = 0x80;
  p[2] = static_cast<uint8_t>(0x80 | (pictureId_ >> 8));
  p[3] = static_cast<uint8_t>(pictureId_);
  if (first) {
    // RFC 6386 §9.1: the 3-byte frame tag (P=0 for a key frame, show_frame=1, a first
    // partition size), then for a key frame the start code and 1280x720.
    static constexpr uint8_t kKeyHeader[10] = {0x10, 0x02, 0x00, 0x9d, 0x01,
                                               0x2a, 0x00, 0x05, 0xd0, 0x02};
    std::copy(kKeyHeader, kKeyHeader + 10, p + 4);
    if (!frameIsKey_) {
      p[4] = 0x11;
      p[7] = 0x00;  // no start code in an interframe
    }
  }
  MediaStamp stamp{config_.publisher, stampSequence_++, nowUs};
  stamp.write(p + 4 + kVp8StampAfterDescriptor);

  rtp::RtpHeaderFields header;
  header.payloadType = config_.payloadType;
  header.marker = last;  // RFC 7741 §4.1: the last packet of a frame
  header.sequence = sequence_++;
  header.timestamp = frameTimestamp_;
  header.ssrc = config_.ssrc;
  rtp::RtpPacketBuilder builder({buf, cap}, header);
  uint8_t scratch[8];
  addCommonExtensions(builder, config_, nowUs, wideSeq, scratch);
  builder.setPayload({p, payloadSize});
  const size_t size = builder.finish();
  if (size == 0) return 0;
  ++counters_.packets;
  counters_.payloadBytes += payloadSize;
  counters_.lastRtpTimestamp = frameTimestamp_;
  counters_.lastRtpTimestampUs = frameUs_;
  return size;
}

AudioSource::AudioSource(const SourceConfig& config)
    : config_(config),
      frameIntervalUs_(scaledIntervalUs(kFrameMs * 1000.0, config.rateScale)),
      random_(config.seed) {
  for (size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<uint8_t>(random_.next());
  // RFC 6716 §3.1 TOC: configuration 15 (hybrid fullband, 20 ms), mono, one frame.
  payload_[0] = 0x78;
  sequence_ = static_cast<uint16_t>(random_.next());
  timestamp_ = random_.next();
}

size_t AudioSource::nextPacket(uint64_t nowUs, uint8_t* buf, size_t cap, uint16_t* wideSeq) {
  if (startUs_ == 0) {
    startUs_ = nowUs;
    nextFrameUs_ = nowUs;
  }
  if (nowUs < nextFrameUs_) return 0;
  const uint64_t frameUs = nextFrameUs_;
  nextFrameUs_ += frameIntervalUs_;
  if (nowUs > nextFrameUs_ + kMaxLagUs) nextFrameUs_ = nowUs;

  MediaStamp stamp{config_.publisher, stampSequence_++, nowUs};
  stamp.write(payload_.data() + kOpusStampOffset);

  rtp::RtpHeaderFields header;
  header.payloadType = config_.payloadType;
  header.marker = counters_.packets == 0;  // RFC 3551 §4.1: the first packet of a talkspurt
  header.sequence = sequence_++;
  // The capture clock follows wall time, also when --rate-scale spaces frames differently.
  const uint32_t frameTimestamp =
      timestamp_ + static_cast<uint32_t>((frameUs - startUs_) * kClockRate / 1000000);
  header.timestamp = frameTimestamp;
  header.ssrc = config_.ssrc;
  rtp::RtpPacketBuilder builder({buf, cap}, header);
  uint8_t scratch[8];
  if (config_.extensions.audioLevel) {
    // RFC 6464 §3: V=1 and a speaking level between -20 and -50 dBov.
    scratch[6] = static_cast<uint8_t>(0x80 | random_.between(20, 50));
    builder.addExtension(config_.extensions.audioLevel, {scratch + 6, 1});
  }
  addCommonExtensions(builder, config_, nowUs, wideSeq, scratch);
  builder.setPayload({payload_.data(), payload_.size()});
  const size_t size = builder.finish();
  if (size == 0) return 0;
  ++counters_.packets;
  ++counters_.frames;
  counters_.payloadBytes += payload_.size();
  counters_.lastRtpTimestamp = frameTimestamp;
  counters_.lastRtpTimestampUs = frameUs;
  return size;
}

}  // namespace treff::loadgen
