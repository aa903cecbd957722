// SessionDescription -> SDP text with "\r\n" line ends (RFC 8866 §5).
#pragma once

#include <string>

#include "sdp/session_description.hpp"

namespace treff::sdp {

// Writes every modelled field, in the order browsers write them, then otherAttributes.
// Used for answers and for the server's own offers (a=ssrc, a=ssrc-group:FID, a=msid).
std::string write(const SessionDescription& description);

}  // namespace treff::sdp
