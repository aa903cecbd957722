// Clocks: a monotonic microsecond clock for the media plane, and NTP time for RTCP.
#pragma once

#include <cstdint>

namespace treff::util {

// Monotonic, microseconds since an arbitrary origin.
uint64_t nowUs();
inline uint64_t nowMs() { return nowUs() / 1000; }
// Wall clock as a 64-bit NTP timestamp (RFC 3550 §4): seconds since 1900 in the high 32 bits.
uint64_t ntpNow();
// The middle 32 bits of an NTP timestamp, as RTCP LSR/DLSR fields use.
inline uint32_t ntpCompact(uint64_t ntp) { return static_cast<uint32_t>(ntp >> 16); }

}  // namespace treff::util
