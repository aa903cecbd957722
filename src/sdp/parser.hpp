// SDP text -> SessionDescription. The input comes from the network: it is bounded in size,
// numbers are checked, and any error names the line.
#pragma once

#include <cstddef>
#include <string_view>

#include "sdp/result.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

struct ParseLimits {
  size_t maxBytes = 1 << 20;
  size_t maxLineLength = 4096;
  size_t maxLines = 65536;
  size_t maxMediaSections = 256;
};

// Accepts "\r\n" and "\n" line ends. Unknown attributes are kept in `otherAttributes`; unknown
// line types are ignored. The error message reads "line <n>: <problem>".
Result<SessionDescription> parse(std::string_view text, const ParseLimits& limits = {});

}  // namespace treff::sdp
