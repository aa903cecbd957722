#include "srtp/key_derivation.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace treff::srtp {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

void deriveKey(util::ConstBytes masterKey, util::ConstBytes masterSalt, KeyLabel label,
               util::MutableBytes out) {
  if (masterKey.size() != 16) throw std::invalid_argument("SRTP KDF: master key must be 16 bytes");
  if (masterSalt.size() > 14) throw std::invalid_argument("SRTP KDF: master salt above 14 bytes");

  // RFC 3711 §4.3.3: the AES-CM input block is x * 2^16, x being 112 bits.
  uint8_t iv[16] = {};
  for (size_t i = 0; i < masterSalt.size(); ++i) iv[i] = masterSalt[i];
  iv[7] ^= static_cast<uint8_t>(label);

  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ctr(), nullptr, masterKey.data(), iv) != 1) {
    throw std::runtime_error("SRTP KDF: AES-128-CTR init failed");
  }
  // The keystream is the PRF output: encrypt zeros.
  std::vector<uint8_t> zeros(out.size(), 0);
  int written = 0;
  if (EVP_EncryptUpdate(ctx.get(), out.data(), &written, zeros.data(),
                        static_cast<int>(zeros.size())) != 1 ||
      static_cast<size_t>(written) != out.size()) {
    throw std::runtime_error("SRTP KDF: AES-128-CTR failed");
  }
}

SessionKeys deriveSessionKeys(Profile profile, util::ConstBytes masterKey,
                              util::ConstBytes masterSalt, bool rtcp) {
  SessionKeys keys;
  deriveKey(masterKey, masterSalt, rtcp ? KeyLabel::RtcpCipher : KeyLabel::RtpCipher,
            keys.cipherKey);
  // RFC 7714 §11: GCM takes a 96-bit session salt; the rest of the array stays zero.
  deriveKey(masterKey, masterSalt, rtcp ? KeyLabel::RtcpSalt : KeyLabel::RtpSalt,
            util::MutableBytes(keys.salt.data(), masterSaltLength(profile)));
  if (profile == Profile::Aes128CmHmacSha1_80) {
    deriveKey(masterKey, masterSalt, rtcp ? KeyLabel::RtcpAuth : KeyLabel::RtpAuth, keys.authKey);
  }
  return keys;
}

}  // namespace treff::srtp
