// HMAC-SHA1 uses the low-level SHA1 functions (deprecated in OpenSSL 3, still shipped) on
// precomputed ipad/opad states. Measured here on OpenSSL 3.0 for 1200 B: EVP_MAC re-init
// 1.07 us and HMAC_CTX re-init 0.95 us, both with 2 heap allocations per packet (they copy an
// EVP_MD_CTX); the copied SHA_CTX 0.81 us with none.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "srtp/packet_cipher.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <climits>
#include <cstring>
#include <stdexcept>

namespace treff::srtp {

struct PacketCipher::HmacPads {
  SHA_CTX inner;
  SHA_CTX outer;
};

PacketCipher::PacketCipher(Profile profile, const SessionKeys& keys, bool encrypt)
    : pads_(std::make_unique<HmacPads>()) {
  std::memcpy(salt_, keys.salt.data(), sizeof salt_);
  ctx_ = EVP_CIPHER_CTX_new();
  if (!ctx_) throw std::runtime_error("SRTP: EVP_CIPHER_CTX_new failed");
  const bool gcm = profile == Profile::AeadAes128Gcm;
  const EVP_CIPHER* cipher = gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr();
  if (EVP_CipherInit_ex(ctx_, cipher, nullptr, keys.cipherKey.data(), nullptr,
                        encrypt || !gcm ? 1 : 0) != 1) {
    EVP_CIPHER_CTX_free(ctx_);
    throw std::runtime_error("SRTP: cipher init failed");
  }

  // RFC 2104: the key is padded to the 64-byte block, then XORed with ipad and opad.
  uint8_t block[64] = {};
  std::memcpy(block, keys.authKey.data(), keys.authKey.size());
  for (uint8_t& b : block) b ^= 0x36;
  SHA1_Init(&pads_->inner);
  SHA1_Update(&pads_->inner, block, sizeof block);
  for (uint8_t& b : block) b ^= 0x36 ^ 0x5c;
  SHA1_Init(&pads_->outer);
  SHA1_Update(&pads_->outer, block, sizeof block);
}

PacketCipher::~PacketCipher() {
  EVP_CIPHER_CTX_free(ctx_);
  OPENSSL_cleanse(pads_.get(), sizeof(HmacPads));
  OPENSSL_cleanse(salt_, sizeof salt_);
}

bool PacketCipher::ctrXor(const uint8_t iv[16], const uint8_t* in, size_t len, const uint8_t* in2,
                          size_t len2, uint8_t* out) {
  if (len > INT_MAX || len2 > INT_MAX) return false;
  if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, iv, -1) != 1) return false;
  int written = 0;
  // CTR is a stream mode: the second update continues the keystream where the first stopped.
  if (len && EVP_CipherUpdate(ctx_, out, &written, in, static_cast<int>(len)) != 1) return false;
  return len2 == 0 || EVP_CipherUpdate(ctx_, out + len, &written, in2, static_cast<int>(len2)) == 1;
}

void PacketCipher::hmacSha1(const uint8_t* data, size_t len, const uint8_t* trailer,
                            size_t trailerLen, uint8_t out[kHmacSha1Length]) const {
  SHA_CTX sha = pads_->inner;
  SHA1_Update(&sha, data, len);
  if (trailerLen) SHA1_Update(&sha, trailer, trailerLen);
  uint8_t innerDigest[SHA_DIGEST_LENGTH];
  SHA1_Final(innerDigest, &sha);
  sha = pads_->outer;
  SHA1_Update(&sha, innerDigest, sizeof innerDigest);
  SHA1_Final(out, &sha);
}

bool PacketCipher::gcmSeal(const uint8_t iv[12], const uint8_t* aad, size_t aadLen,
                           const uint8_t* aad2, size_t aad2Len, const uint8_t* in, size_t len,
                           const uint8_t* in2, size_t len2, uint8_t* out,
                           uint8_t tag[kGcmTagLength]) {
  if (len > INT_MAX || len2 > INT_MAX || aadLen > INT_MAX) return false;
  int n = 0;
  if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, iv, -1) != 1) return false;
  if (aadLen && EVP_CipherUpdate(ctx_, nullptr, &n, aad, static_cast<int>(aadLen)) != 1) {
    return false;
  }
  if (aad2Len && EVP_CipherUpdate(ctx_, nullptr, &n, aad2, static_cast<int>(aad2Len)) != 1) {
    return false;
  }
  if (len && EVP_CipherUpdate(ctx_, out, &n, in, static_cast<int>(len)) != 1) return false;
  if (len2 && EVP_CipherUpdate(ctx_, out + len, &n, in2, static_cast<int>(len2)) != 1) {
    return false;
  }
  if (EVP_CipherFinal_ex(ctx_, out + len + len2, &n) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_GET_TAG, kGcmTagLength, tag) == 1;
}

bool PacketCipher::gcmOpen(const uint8_t iv[12], const uint8_t* aad, size_t aadLen,
                           const uint8_t* aad2, size_t aad2Len, uint8_t* buf, size_t len,
                           const uint8_t tag[kGcmTagLength]) {
  if (len > INT_MAX || aadLen > INT_MAX) return false;
  int n = 0;
  if (EVP_CipherInit_ex(ctx_, nullptr, nullptr, nullptr, iv, -1) != 1) return false;
  // OpenSSL copies the expected tag into the context; the packet's copy is not written.
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_AEAD_SET_TAG, kGcmTagLength, const_cast<uint8_t*>(tag)) !=
      1) {
    return false;
  }
  if (aadLen && EVP_CipherUpdate(ctx_, nullptr, &n, aad, static_cast<int>(aadLen)) != 1) {
    return false;
  }
  if (aad2Len && EVP_CipherUpdate(ctx_, nullptr, &n, aad2, static_cast<int>(aad2Len)) != 1) {
    return false;
  }
  if (len && EVP_CipherUpdate(ctx_, buf, &n, buf, static_cast<int>(len)) != 1) return false;
  return EVP_CipherFinal_ex(ctx_, buf + len, &n) == 1;
}

}  // namespace treff::srtp
