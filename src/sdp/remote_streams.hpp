// The remote RTP streams an m-section announces: a=ssrc lines grouped by SSRC, with
// a=ssrc-group:FID pairing each media SSRC with its retransmission SSRC (RFC 4588 §8.6).
#pragma once

#include <vector>

#include "sdp/answer.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

std::vector<RemoteStream> remoteStreamsOf(const MediaSection& section);

}  // namespace treff::sdp
