// RTP header extension URIs as browsers write them in a=extmap (tests/data/*.sdp). Kept here as
// plain strings so that the SDP module does not depend on the RTP module.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace treff::sdp::uri {

inline constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kRepairedRid =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view kAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
inline constexpr std::string_view kTransportWideCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view kVideoOrientation = "urn:3gpp:video-orientation";
inline constexpr std::string_view kPlayoutDelay =
    "http://www.webrtc.org/experiments/rtp-hdrext/playout-delay";
inline constexpr std::string_view kAbsCaptureTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time";
inline constexpr std::string_view kDependencyDescriptor =
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";

// The extensions the SFU understands, in no particular order.
inline std::vector<std::string> supportedHeaderExtensions() {
  return {std::string(kMid),
          std::string(kRid),
          std::string(kRepairedRid),
          std::string(kAbsSendTime),
          std::string(kTransportWideCc),
          std::string(kAudioLevel),
          std::string(kVideoOrientation),
          std::string(kPlayoutDelay),
          std::string(kAbsCaptureTime),
          std::string(kDependencyDescriptor)};
}

}  // namespace treff::sdp::uri
