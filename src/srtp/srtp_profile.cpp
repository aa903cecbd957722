#include "srtp/srtp_profile.hpp"

namespace treff::srtp {

size_t masterKeyLength(Profile) { return 16; }

size_t masterSaltLength(Profile profile) { return profile == Profile::AeadAes128Gcm ? 12 : 14; }

size_t rtpTagLength(Profile profile) { return profile == Profile::AeadAes128Gcm ? 16 : 10; }

std::optional<Profile> profileFromId(uint16_t id) {
  switch (id) {
    case static_cast<uint16_t>(Profile::Aes128CmHmacSha1_80):
      return Profile::Aes128CmHmacSha1_80;
    case static_cast<uint16_t>(Profile::AeadAes128Gcm):
      return Profile::AeadAes128Gcm;
    default:
      return std::nullopt;
  }
}

const char* profileName(Profile profile) {
  switch (profile) {
    case Profile::Aes128CmHmacSha1_80:
      return "SRTP_AES128_CM_HMAC_SHA1_80";
    case Profile::AeadAes128Gcm:
      return "SRTP_AEAD_AES_128_GCM";
  }
  return "unknown";
}

const char* errorName(Error error) {
  switch (error) {
    case Error::Ok:
      return "ok";
    case Error::TooShort:
      return "too_short";
    case Error::BadHeader:
      return "bad_header";
    case Error::AuthFailed:
      return "auth_failed";
    case Error::ReplayOld:
      return "replay_old";
    case Error::ReplayDuplicate:
      return "replay_duplicate";
    case Error::NoSpace:
      return "no_space";
    case Error::TooManyStreams:
      return "too_many_streams";
    case Error::CipherFailed:
      return "cipher_failed";
  }
  return "unknown";
}

}  // namespace treff::srtp
