#pragma once

#include <cstdint>

namespace treff::rtp {

// The fields of one RFC 3550 §6.4.1 reception report block, in host order. The
// RTCP writer serialises it; ReceiveStreamStats fills it.
struct ReportBlockData {
  uint32_t ssrc;
  uint8_t fractionLost;
  int32_t cumulativeLost;  // 24-bit signed on the wire
  uint32_t extendedHighestSeq;
  uint32_t jitter;
  uint32_t lastSr;            // middle 32 bits of the last SR's NTP timestamp
  uint32_t delaySinceLastSr;  // units of 1/65536 s
};

}  // namespace treff::rtp
