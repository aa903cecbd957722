// Text encodings used by SDP, STUN and tests: hex and base64.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"

namespace treff::util {

std::string toHex(ConstBytes bytes);
// Accepts upper or lower case, and ignores ':' and whitespace between byte pairs.
std::optional<std::vector<uint8_t>> fromHex(std::string_view text);
// "AB:CD:..." as SDP a=fingerprint writes it.
std::string toColonHex(ConstBytes bytes);
std::string toBase64(ConstBytes bytes);
std::optional<std::vector<uint8_t>> fromBase64(std::string_view text);

}  // namespace treff::util
