// CRC-32 (ISO 3309 / ITU-T V.42, as RFC 8489 §14.7 requires for FINGERPRINT).
#pragma once

#include <cstdint>

#include "util/bytes.hpp"

namespace treff::ice {

// Plain CRC-32 of `data`; `crc` continues a previous call (start with 0).
uint32_t crc32(util::ConstBytes data, uint32_t crc = 0);

}  // namespace treff::ice
