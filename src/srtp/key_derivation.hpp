// RFC 3711 §4.3 session key derivation with the AES-CM PRF and key_derivation_rate 0.
#pragma once

#include <array>
#include <cstdint>

#include "srtp/srtp_profile.hpp"
#include "util/bytes.hpp"

namespace treff::srtp {

// The keys one direction of SRTP or of SRTCP uses. GCM reads the first 12 salt bytes and no
// auth key (RFC 7714 §11).
struct SessionKeys {
  std::array<uint8_t, 16> cipherKey{};
  std::array<uint8_t, 14> salt{};
  std::array<uint8_t, 20> authKey{};
};

// RFC 3711 §4.3.2 labels.
enum class KeyLabel : uint8_t {
  RtpCipher = 0x00,
  RtpAuth = 0x01,
  RtpSalt = 0x02,
  RtcpCipher = 0x03,
  RtcpAuth = 0x04,
  RtcpSalt = 0x05,
};

// PRF_n(k_master, x) with x = (label || 0^48) XOR master_salt. A salt shorter than 14 bytes
// (GCM's 12) is zero-padded on the right, as libsrtp and the browsers do. Throws
// std::invalid_argument on a key that is not 16 bytes or a salt longer than 14.
void deriveKey(util::ConstBytes masterKey, util::ConstBytes masterSalt, KeyLabel label,
               util::MutableBytes out);

// The SRTP (rtcp = false) or SRTCP (rtcp = true) session keys.
SessionKeys deriveSessionKeys(Profile profile, util::ConstBytes masterKey,
                              util::ConstBytes masterSalt, bool rtcp);

}  // namespace treff::srtp
