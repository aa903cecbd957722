// Answering a browser's offer (JSEP RFC 8829 §5.3) as an ICE-lite, DTLS-server SFU, and the
// negotiated parameters the media plane needs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sdp/local_parameters.hpp"
#include "sdp/result.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

struct NegotiatedCodec {
  uint8_t payloadType = 0;  // the offer's number
  std::string name;
  uint32_t clockRate = 0;
  uint16_t channels = 0;
  std::string fmtp;  // as written in the answer
  std::vector<RtcpFeedback> rtcpFeedback;
  std::optional<uint8_t> rtxPayloadType;
};

// One remote RTP stream announced by a=ssrc (RFC 5576), with its FID retransmission SSRC.
struct RemoteStream {
  uint32_t ssrc = 0;
  std::optional<uint32_t> rtxSsrc;
  std::string cname;
  std::string streamId;
  std::string trackId;
};

struct NegotiatedMedia {
  std::string mid;
  MediaKind kind = MediaKind::Audio;
  bool accepted = false;
  std::string rejectReason;                     // why the section got port 0
  Direction direction = Direction::Inactive;    // ours, as written in the answer
  std::vector<NegotiatedCodec> codecs;          // preferred first
  std::map<uint8_t, uint8_t> rtxToApt;          // RTX payload type -> its media payload type
  std::map<std::string, uint8_t> extensionIds;  // URI -> id, for the extensions we accepted
  std::vector<std::string> remoteRids;          // the offer's simulcast send rids, in order
  std::vector<RemoteStream> remoteStreams;
  bool rtcpReducedSize = false;
};

struct Answer {
  SessionDescription description;      // write() gives the text for the browser
  std::vector<NegotiatedMedia> media;  // one per offered m-section, in offer order
  std::string remoteIceUfrag;
  std::string remoteIcePwd;
  Fingerprint remoteFingerprint;
  Setup remoteSetup = Setup::ActPass;
};

// Errors: no BUNDLE, a bundled media section without rtcp-mux, DTLS fingerprint, ICE
// credentials or a mid, a plain RTP/AVPF profile, a=setup:passive, or nothing usable at all.
// A section with no usable codec, a data channel or an unknown media type is rejected (port 0).
Result<Answer> negotiateAnswer(const SessionDescription& offer, const LocalParameters& local);

}  // namespace treff::sdp
