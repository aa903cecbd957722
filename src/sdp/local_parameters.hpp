// What the server brings to an offer/answer exchange: its transport, codecs and senders.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdp/header_extensions.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

struct CodecPreferences {
  bool opus = true;
  // Answer "usedtx=1": ask the browser to use Opus DTX on silence (RFC 7587 §6.1).
  bool opusDtx = true;
  // Video codecs accepted, preferred first. Known names: VP8, VP9, H264, AV1.
  std::vector<std::string> video = {"VP8", "VP9", "H264", "AV1"};
  // H264 (packetization-mode=1 only) profile-level-id values accepted, by their first four hex
  // digits (profile_idc and profile-iop; RFC 6184 §8.1), preferred first. "42e01f" itself
  // always comes first when offered.
  std::vector<std::string> h264Profiles = {"42e0", "4200", "4d00"};
};

// A track the server sends in an m-section (echo, or a server offer's subscription).
struct LocalSender {
  std::string mid;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // 0: no retransmission stream
  std::string cname;
  std::string streamId;
  std::string trackId;
};

struct LocalParameters {
  std::string iceUfrag;
  std::string icePwd;
  Fingerprint fingerprint;  // {"sha-256", "AB:CD:..."} of our DTLS certificate
  // Host candidates: component 1, "udp" or "tcp" (tcptype passive is filled in for TCP).
  std::vector<Candidate> candidates;
  CodecPreferences codecs;
  std::vector<std::string> headerExtensions = uri::supportedHeaderExtensions();
  std::vector<LocalSender> senders;
  uint64_t sessionId = 0;  // 0: a random 63-bit value
  uint64_t sessionVersion = 1;
};

}  // namespace treff::sdp
