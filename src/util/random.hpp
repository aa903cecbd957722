// Cryptographically strong randomness (OpenSSL RAND_bytes) for ICE credentials, SSRCs, names.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "util/bytes.hpp"

namespace treff::util {

void randomBytes(MutableBytes out);
uint32_t randomU32();
uint64_t randomU64();
// `length` characters drawn uniformly from `alphabet` (rejection sampling, no modulo bias).
std::string randomString(size_t length, std::string_view alphabet);
// RFC 8445 ice-char: ALPHA / DIGIT / "+" / "/".
std::string randomIceString(size_t length);

}  // namespace treff::util
