// Parsers for the values of individual a= attributes (the text after "a=<name>:").
// Internal to the SDP module; each returns a message without a line number, which the caller
// adds.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/result.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp::attr {

// Everything an "a=rtpmap" line says about one payload type.
struct Rtpmap {
  uint8_t payloadType = 0;
  std::string name;
  uint32_t clockRate = 0;
  uint16_t channels = 0;
};
struct Fmtp {
  uint8_t payloadType = 0;
  std::string raw;
  std::map<std::string, std::string> parameters;
};
// `payloadType` is empty for the "*" wildcard (RFC 4585 §4.2).
struct RtcpFb {
  std::optional<uint8_t> payloadType;
  RtcpFeedback feedback;
};
struct Group {
  std::string semantics;
  std::vector<std::string> mids;
};

Result<uint8_t> payloadType(std::string_view text);
Result<Rtpmap> rtpmap(std::string_view value);
Result<Fmtp> fmtp(std::string_view value);
std::map<std::string, std::string> fmtpParameters(std::string_view raw);
Result<RtcpFb> rtcpFb(std::string_view value);
Result<Extmap> extmap(std::string_view value);
Result<Rid> rid(std::string_view value);
Result<Simulcast> simulcast(std::string_view value);
Result<SsrcAttribute> ssrc(std::string_view value);
Result<SsrcGroup> ssrcGroup(std::string_view value);
Result<Msid> msid(std::string_view value);
Result<Candidate> candidate(std::string_view value);
Result<Fingerprint> fingerprint(std::string_view value);
Result<Group> group(std::string_view value);
MsidSemantic msidSemantic(std::string_view value);

}  // namespace treff::sdp::attr
