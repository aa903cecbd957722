// What the server writes about its own side of an m-section, in answers and in offers alike.
#pragma once

#include <vector>

#include "sdp/local_parameters.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

// RFC 5576 §4 and RFC 8830: a=msid, and a=ssrc cname/msid lines for the sent stream and, with
// withRtx, its retransmission stream in an a=ssrc-group:FID.
void announceSender(const LocalSender& sender, bool withRtx, MediaSection& section);

// The server's host candidates; a TCP candidate without a tcptype becomes passive (RFC 6544
// §4.5: an ICE-lite server only accepts connections).
void addHostCandidates(const std::vector<Candidate>& candidates, MediaSection& section);

}  // namespace treff::sdp
