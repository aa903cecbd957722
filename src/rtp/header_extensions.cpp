#include "rtp/header_extensions.hpp"

#include "rtp/rtp_packet.hpp"

namespace treff::rtp {

namespace {

// Indexed by ExtensionType.
constexpr std::array<std::string_view, kExtensionTypeCount> kUris = {
    "urn:ietf:params:rtp-hdrext:sdes:mid",
    "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    "urn:3gpp:video-orientation",
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-content-type",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-timing",
    "http://www.webrtc.org/experiments/rtp-hdrext/color-space",
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
    "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00",
    "urn:ietf:params:rtp-hdrext:toffset",
};

util::ConstBytes find(const RtpPacket& p, const ExtensionIdMap& ids, ExtensionType type) {
  const uint8_t id = ids.idOf(type);
  return id == 0 ? util::ConstBytes{} : p.findExtension(id);
}

std::string_view asString(util::ConstBytes b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

ExtensionType extensionTypeFromUri(std::string_view uri) {
  for (size_t i = 0; i < kUris.size(); ++i) {
    if (kUris[i] == uri) return static_cast<ExtensionType>(i);
  }
  return ExtensionType::Unknown;
}

std::string_view uriOf(ExtensionType type) {
  return type == ExtensionType::Unknown ? std::string_view{} : kUris[static_cast<size_t>(type)];
}

bool ExtensionIdMap::set(ExtensionType type, uint8_t id) {
  if (id == 0 || type == ExtensionType::Unknown) return false;
  if (types_[id] != ExtensionType::Unknown || ids_[static_cast<size_t>(type)] != 0) return false;
  ids_[static_cast<size_t>(type)] = id;
  types_[id] = type;
  return true;
}

void ExtensionIdMap::clear() {
  ids_.fill(0);
  types_.fill(ExtensionType::Unknown);
}

std::optional<uint16_t> readTransportWideSeq(const RtpPacket& p, const ExtensionIdMap& ids) {
  // draft-holmer-rmcat-transport-wide-cc-extensions-01 §2: a 16-bit sequence number.
  const util::ConstBytes v = find(p, ids, ExtensionType::TransportWideCc);
  if (v.size() != 2) return std::nullopt;
  return util::loadBe16(v.data());
}

bool writeTransportWideSeq(RtpPacket& p, const ExtensionIdMap& ids, uint16_t seq) {
  const uint8_t id = ids.idOf(ExtensionType::TransportWideCc);
  uint8_t v[2];
  util::storeBe16(v, seq);
  return id != 0 && p.writeExtension(id, v);
}

std::optional<AudioLevel> readAudioLevel(const RtpPacket& p, const ExtensionIdMap& ids) {
  // RFC 6464 §3: one byte, V in the top bit, the level in -dBov below it. Chromium may pad the
  // element to more bytes; only the first one carries the value.
  const util::ConstBytes v = find(p, ids, ExtensionType::AudioLevel);
  if (v.empty()) return std::nullopt;
  return AudioLevel{(v[0] & 0x80) != 0, static_cast<uint8_t>(v[0] & 0x7f)};
}

std::optional<uint32_t> readAbsSendTime(const RtpPacket& p, const ExtensionIdMap& ids) {
  const util::ConstBytes v = find(p, ids, ExtensionType::AbsSendTime);
  if (v.size() != 3) return std::nullopt;
  return util::loadBe24(v.data());
}

bool writeAbsSendTime(RtpPacket& p, const ExtensionIdMap& ids, uint32_t value) {
  const uint8_t id = ids.idOf(ExtensionType::AbsSendTime);
  uint8_t v[3];
  util::storeBe24(v, value);
  return id != 0 && p.writeExtension(id, v);
}

std::string_view readMid(const RtpPacket& p, const ExtensionIdMap& ids) {
  return asString(find(p, ids, ExtensionType::Mid));
}

std::string_view readRid(const RtpPacket& p, const ExtensionIdMap& ids) {
  return asString(find(p, ids, ExtensionType::Rid));
}

std::string_view readRepairedRid(const RtpPacket& p, const ExtensionIdMap& ids) {
  return asString(find(p, ids, ExtensionType::RepairedRid));
}

}  // namespace treff::rtp
