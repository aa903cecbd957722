// Per-packet IVs (nonces) of the two profiles.
#pragma once

#include <cstdint>

#include "util/bytes.hpp"

namespace treff::srtp {

// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i the 48-bit SRTP index
// or the 31-bit SRTCP index.
inline void aesCmIv(const uint8_t salt[14], uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
  for (int i = 0; i < 14; ++i) iv[i] = salt[i];
  iv[14] = iv[15] = 0;
  uint8_t field[10];
  util::storeBe32(field, ssrc);
  util::storeBe16(field + 4, static_cast<uint16_t>(index >> 32));
  util::storeBe32(field + 6, static_cast<uint32_t>(index));
  for (int i = 0; i < 10; ++i) iv[4 + i] ^= field[i];
}

// RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt.
inline void gcmRtpIv(const uint8_t salt[12], uint32_t ssrc, uint32_t roc, uint16_t seq,
                     uint8_t iv[12]) {
  iv[0] = iv[1] = 0;
  util::storeBe32(iv + 2, ssrc);
  util::storeBe32(iv + 6, roc);
  util::storeBe16(iv + 10, seq);
  for (int i = 0; i < 12; ++i) iv[i] ^= salt[i];
}

// RFC 7714 §9.1: IV = (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt.
inline void gcmRtcpIv(const uint8_t salt[12], uint32_t ssrc, uint32_t index, uint8_t iv[12]) {
  iv[0] = iv[1] = 0;
  util::storeBe32(iv + 2, ssrc);
  iv[6] = iv[7] = 0;
  util::storeBe32(iv + 8, index & 0x7fffffffu);
  for (int i = 0; i < 12; ++i) iv[i] ^= salt[i];
}

}  // namespace treff::srtp
