// RTP header extensions WebRTC negotiates (a=extmap, RFC 8285 §5), the per-transport id map, and
// readers/writers for the typed values the SFU uses.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace treff::rtp {

class RtpPacket;

enum class ExtensionType : uint8_t {
  Mid,
  Rid,
  RepairedRid,
  AbsSendTime,
  TransportWideCc,
  AudioLevel,
  VideoOrientation,
  PlayoutDelay,
  AbsCaptureTime,
  VideoContentType,
  VideoTiming,
  ColorSpace,
  DependencyDescriptor,
  VideoLayersAllocation,
  TransmissionTimeOffset,
  Unknown,
};

inline constexpr size_t kExtensionTypeCount = static_cast<size_t>(ExtensionType::Unknown);

// Exact a=extmap URIs; Unknown for anything else (and an empty URI for Unknown).
ExtensionType extensionTypeFromUri(std::string_view uri);
std::string_view uriOf(ExtensionType type);

// The negotiated extmap of one transport direction: type -> id and id -> type, both array
// lookups. Ids 1..255 (0 means "not negotiated").
class ExtensionIdMap {
 public:
  ExtensionIdMap() { clear(); }

  // Control path. Fails for id 0, ExtensionType::Unknown, or an id or type already mapped.
  bool set(ExtensionType type, uint8_t id);
  void clear();

  uint8_t idOf(ExtensionType type) const {
    return type == ExtensionType::Unknown ? 0 : ids_[static_cast<size_t>(type)];
  }
  ExtensionType typeOf(uint8_t id) const { return types_[id]; }

 private:
  std::array<uint8_t, kExtensionTypeCount> ids_;
  std::array<ExtensionType, 256> types_;
};

// urn:ietf:params:rtp-hdrext:ssrc-audio-level (RFC 6464 §3): V bit and level in -dBov (0..127).
struct AudioLevel {
  bool voiceActivity;
  uint8_t levelDbov;
};

// The readers return nullopt / an empty view when the extension is not negotiated (id 0), absent
// from the packet, or of the wrong length. String views point into the packet.
std::optional<uint16_t> readTransportWideSeq(const RtpPacket& p, const ExtensionIdMap& ids);
bool writeTransportWideSeq(RtpPacket& p, const ExtensionIdMap& ids, uint16_t seq);
std::optional<AudioLevel> readAudioLevel(const RtpPacket& p, const ExtensionIdMap& ids);
// abs-send-time: 24-bit 6.18 fixed point seconds.
std::optional<uint32_t> readAbsSendTime(const RtpPacket& p, const ExtensionIdMap& ids);
bool writeAbsSendTime(RtpPacket& p, const ExtensionIdMap& ids, uint32_t value);
std::string_view readMid(const RtpPacket& p, const ExtensionIdMap& ids);
std::string_view readRid(const RtpPacket& p, const ExtensionIdMap& ids);
std::string_view readRepairedRid(const RtpPacket& p, const ExtensionIdMap& ids);

// Microseconds to abs-send-time's 6.18 fixed point, wrapping every 64 s.
constexpr uint32_t absSendTimeFromUs(uint64_t us) {
  return static_cast<uint32_t>(((us << 18) / 1000000) & 0xffffff);
}
// 6.18 fixed point to microseconds, in 0..64 s.
constexpr uint64_t absSendTimeToUs(uint32_t value) {
  return (static_cast<uint64_t>(value & 0xffffff) * 1000000) >> 18;
}

}  // namespace treff::rtp
