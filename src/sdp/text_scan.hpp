// Small strict text helpers shared by the SDP parser and the negotiation.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace treff::sdp::text {

// Splits on `separator`, dropping empty pieces (so runs of spaces count as one).
std::vector<std::string_view> split(std::string_view input, char separator);
// Splits at the first `separator`; `second` is empty (and found false) when it is absent.
struct SplitPair {
  std::string_view first;
  std::string_view second;
  bool found = false;
};
SplitPair splitOnce(std::string_view input, char separator);

std::string_view trim(std::string_view input);
bool equalsIgnoreCase(std::string_view a, std::string_view b);
bool startsWith(std::string_view input, std::string_view prefix);

// Decimal digits only (no sign, no spaces), at most `max`; nullopt otherwise.
std::optional<uint64_t> parseUnsigned(std::string_view input, uint64_t max);

// RFC 8866 §9 token-char: printable US-ASCII except specials; used for mids, rids, ufrags.
bool isToken(std::string_view input);

}  // namespace treff::sdp::text
