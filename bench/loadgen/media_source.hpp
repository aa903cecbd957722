// Synthetic media as a browser's encoder would packetize it: VP8 video (RFC 7741 payload
// descriptors, 15-bit picture ids, a key frame every 2 s) and Opus audio (20 ms frames with the
// RFC 6464 audio level). Each packet carries a MediaStamp. Packets are written into a caller's
// buffer: no allocation per packet.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace treff::loadgen {

// The one-byte header extension ids a source writes (0: not negotiated, left out).
struct SendExtensionIds {
  uint8_t mid = 0;
  uint8_t absSendTime = 0;
  uint8_t transportCc = 0;
  uint8_t audioLevel = 0;
};

// Counters a sender report needs (RFC 3550 §6.4.1) and the run's totals.
struct SourceCounters {
  uint64_t packets = 0;
  uint64_t payloadBytes = 0;
  uint64_t frames = 0;
  uint64_t keyframes = 0;
  uint32_t lastRtpTimestamp = 0;
  uint64_t lastRtpTimestampUs = 0;  // when the frame of lastRtpTimestamp was captured
};

// A small deterministic generator (xorshift64*) for sizes and levels, seeded per source.
class SmallRandom {
 public:
  explicit SmallRandom(uint64_t seed) : state_(seed ? seed : 0x9e3779b97f4a7c15ULL) {}
  uint32_t next();
  // Uniform in [low, high].
  uint32_t between(uint32_t low, uint32_t high) { return low + next() % (high - low + 1); }

 private:
  uint64_t state_;
};

struct SourceConfig {
  uint32_t ssrc = 0;
  uint8_t payloadType = 0;
  uint32_t publisher = 0;  // goes into every MediaStamp
  std::string mid;
  SendExtensionIds extensions;
  uint64_t seed = 1;
  // Multiplies the packet rate (video frames and audio frames per second); packet sizes stay.
  double rateScale = 1.0;
};

class VideoSource {
 public:
  static constexpr uint32_t kClockRate = 90000;
  static constexpr uint32_t kFps = 30;
  static constexpr uint32_t kKeyframeIntervalMs = 2000;
  static constexpr size_t kMaxPayload = 1200;  // descriptor + VP8 data per packet

  VideoSource(const SourceConfig& config, uint32_t kbps);

  // Writes the next due packet into buf (cap bytes), taking a transport-wide sequence number
  // from *wideSeq when the extension is on. Returns its size, 0 when nothing is due now.
  size_t nextPacket(uint64_t nowUs, uint8_t* buf, size_t cap, uint16_t* wideSeq);
  // A PLI or FIR: the next frame is a key frame.
  void requestKeyframe() { keyframeRequested_ = true; }

  const SourceCounters& counters() const { return counters_; }
  uint32_t ssrc() const { return config_.ssrc; }

 private:
  void beginFrame(uint64_t nowUs);

  SourceConfig config_;
  uint64_t frameIntervalUs_;
  SmallRandom random_;
  uint32_t deltaFrameBytes_;
  uint64_t startUs_ = 0;
  uint64_t nextFrameUs_ = 0;
  uint64_t lastKeyframeUs_ = 0;
  bool keyframeRequested_ = true;  // the stream starts with a key frame
  // The frame being packetized.
  bool frameIsKey_ = false;
  size_t frameBytes_ = 0;
  size_t packetsInFrame_ = 0;
  size_t nextPacketIndex_ = 0;
  uint32_t frameTimestamp_ = 0;
  uint64_t frameUs_ = 0;
  uint16_t pictureId_ = 0;
  uint16_t sequence_ = 0;
  uint32_t stampSequence_ = 0;
  SourceCounters counters_;
  std::array<uint8_t, kMaxPayload> payload_{};
};

class AudioSource {
 public:
  static constexpr uint32_t kClockRate = 48000;
  static constexpr uint32_t kFrameMs = 20;
  static constexpr size_t kPayloadBytes = 100;

  explicit AudioSource(const SourceConfig& config);

  size_t nextPacket(uint64_t nowUs, uint8_t* buf, size_t cap, uint16_t* wideSeq);

  const SourceCounters& counters() const { return counters_; }
  uint32_t ssrc() const { return config_.ssrc; }

 private:
  SourceConfig config_;
  uint64_t frameIntervalUs_;
  SmallRandom random_;
  uint64_t startUs_ = 0;
  uint64_t nextFrameUs_ = 0;
  uint16_t sequence_ = 0;
  uint32_t timestamp_ = 0;  // RTP time of the first frame (random, RFC 3550 §5.1)
  uint32_t stampSequence_ = 0;
  SourceCounters counters_;
  std::array<uint8_t, kPayloadBytes> payload_{};
};

}  // namespace treff::loadgen
