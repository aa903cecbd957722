#include "sdp/session_description.hpp"

#include <algorithm>

namespace treff::sdp {

std::string_view toString(MediaKind kind) {
  switch (kind) {
    case MediaKind::Audio:
      return "audio";
    case MediaKind::Video:
      return "video";
    case MediaKind::Application:
      return "application";
    case MediaKind::Other:
      break;
  }
  return "other";
}

std::string_view toString(Direction direction) {
  switch (direction) {
    case Direction::SendRecv:
      return "sendrecv";
    case Direction::SendOnly:
      return "sendonly";
    case Direction::RecvOnly:
      return "recvonly";
    case Direction::Inactive:
      break;
  }
  return "inactive";
}

std::string_view toString(Setup setup) {
  switch (setup) {
    case Setup::ActPass:
      return "actpass";
    case Setup::Active:
      return "active";
    case Setup::Passive:
      return "passive";
    case Setup::HoldConn:
      break;
  }
  return "holdconn";
}

std::string_view toString(RidDirection direction) {
  return direction == RidDirection::Send ? "send" : "recv";
}

std::optional<Direction> parseDirection(std::string_view text) {
  if (text == "sendrecv") return Direction::SendRecv;
  if (text == "sendonly") return Direction::SendOnly;
  if (text == "recvonly") return Direction::RecvOnly;
  if (text == "inactive") return Direction::Inactive;
  return std::nullopt;
}

std::optional<Setup> parseSetup(std::string_view text) {
  if (text == "actpass") return Setup::ActPass;
  if (text == "active") return Setup::Active;
  if (text == "passive") return Setup::Passive;
  if (text == "holdconn") return Setup::HoldConn;
  return std::nullopt;
}

Direction mirror(Direction direction) {
  switch (direction) {
    case Direction::SendOnly:
      return Direction::RecvOnly;
    case Direction::RecvOnly:
      return Direction::SendOnly;
    default:
      return direction;
  }
}

bool sends(Direction direction) {
  return direction == Direction::SendRecv || direction == Direction::SendOnly;
}

bool receives(Direction direction) {
  return direction == Direction::SendRecv || direction == Direction::RecvOnly;
}

std::optional<std::string_view> Codec::fmtpParameter(std::string_view key) const {
  const auto it = fmtpParameters.find(std::string(key));
  if (it == fmtpParameters.end()) return std::nullopt;
  return std::string_view(it->second);
}

bool MediaSection::isRtp() const { return proto.find("RTP/") != std::string::npos; }

const Codec* MediaSection::findCodec(uint8_t payloadType) const {
  for (const Codec& codec : codecs) {
    if (codec.payloadType == payloadType) return &codec;
  }
  return nullptr;
}

Codec* MediaSection::findCodec(uint8_t payloadType) {
  for (Codec& codec : codecs) {
    if (codec.payloadType == payloadType) return &codec;
  }
  return nullptr;
}

const std::string& SessionDescription::iceUfragFor(const MediaSection& section) const {
  return section.iceUfrag.empty() ? iceUfrag : section.iceUfrag;
}

const std::string& SessionDescription::icePwdFor(const MediaSection& section) const {
  return section.icePwd.empty() ? icePwd : section.icePwd;
}

const std::optional<Fingerprint>& SessionDescription::fingerprintFor(
    const MediaSection& section) const {
  return section.fingerprint ? section.fingerprint : fingerprint;
}

std::optional<Setup> SessionDescription::setupFor(const MediaSection& section) const {
  return section.setup ? section.setup : setup;
}

bool SessionDescription::isBundled(std::string_view mid) const {
  return std::find(bundleMids.begin(), bundleMids.end(), mid) != bundleMids.end();
}

}  // namespace treff::sdp
