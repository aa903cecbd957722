// SRTP packet index arithmetic (RFC 3711 §3.3.1): index = 2^16 * ROC + SEQ, 48 bits.
#pragma once

#include <cstdint>

namespace treff::srtp {

inline uint32_t rocOf(uint64_t index) { return static_cast<uint32_t>(index >> 16); }

// RFC 3711 Appendix A: the index of a packet with sequence number seq, given the highest index
// seen on the stream. Picks ROC-1, ROC or ROC+1, whichever puts seq nearest to the highest.
// Negative when seq lies before the stream's first ROC (ROC 0, seq far ahead of the highest):
// such a packet predates the stream and is rejected as old.
inline int64_t guessRtpIndex(uint64_t highest, uint16_t seq) {
  const int64_t roc = static_cast<int64_t>(highest >> 16);
  const int32_t s_l = static_cast<int32_t>(highest & 0xffff);
  const int32_t s = seq;
  int64_t v = roc;
  if (s_l < 32768) {
    if (s - s_l > 32768) v = roc - 1;
  } else if (s_l - 32768 > s) {
    v = roc + 1;
  }
  return v * 65536 + s;
}

}  // namespace treff::srtp
