// What DTLS-SRTP hands to SRTP (RFC 5764 §4.2): the negotiated profile and this end's keys.
#pragma once

#include <cstdint>
#include <vector>

namespace treff::dtls {

// RFC 5764 §4.1.2 / IANA "DTLS-SRTP Protection Profiles".
inline constexpr uint16_t kSrtpAes128CmSha1_80 = 0x0001;
inline constexpr uint16_t kSrtpAes128CmSha1_32 = 0x0002;
inline constexpr uint16_t kSrtpAeadAes128Gcm = 0x0007;  // RFC 7714 §14.2
inline constexpr uint16_t kSrtpAeadAes256Gcm = 0x0008;

struct SrtpKeyingMaterial {
  uint16_t profileId = 0;
  // "local" protects what we send; "remote" unprotects what we receive. The server's local key
  // is the server write key (RFC 5764 §4.2).
  std::vector<uint8_t> localKey, localSalt, remoteKey, remoteSalt;
};

}  // namespace treff::dtls
