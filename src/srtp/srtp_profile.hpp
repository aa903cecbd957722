// SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) and the per-packet error reasons.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

namespace treff::srtp {

// Values are the DTLS-SRTP protection profile ids negotiated in the use_srtp extension.
enum class Profile : uint16_t { Aes128CmHmacSha1_80 = 0x0001, AeadAes128Gcm = 0x0007 };

size_t masterKeyLength(Profile profile);   // 16 for both
size_t masterSaltLength(Profile profile);  // 14 (AES-CM), 12 (GCM)
// Bytes of authentication tag an SRTP packet carries: 10 (HMAC-SHA1-80) or 16 (GCM).
size_t rtpTagLength(Profile profile);
std::optional<Profile> profileFromId(uint16_t id);
const char* profileName(Profile profile);

// Why a packet was not protected or unprotected. Data path code drops the packet and counts
// the reason; nothing is thrown.
enum class Error {
  Ok,
  TooShort,         // shorter than a header plus the SRTP/SRTCP trailer
  BadHeader,        // not RTP/RTCP version 2, or the header runs past the packet
  AuthFailed,       // tag mismatch
  ReplayOld,        // index older than the replay window
  ReplayDuplicate,  // index already accepted
  NoSpace,          // destination capacity below length + overhead
  TooManyStreams,   // reserved: the stream table evicts instead (see StreamTable)
  CipherFailed,     // OpenSSL refused, or the session is for the other direction
};

const char* errorName(Error error);

}  // namespace treff::srtp
