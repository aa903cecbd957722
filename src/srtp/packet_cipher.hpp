// The per-packet cryptographic primitives for one set of session keys (SRTP or SRTCP) in one
// direction: AES-128-CTR + HMAC-SHA1 (RFC 3711 §4.1.1, §4.2.1) or AES-128-GCM (RFC 7714).
// Contexts are keyed once; per packet only the IV is set, and nothing is allocated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "srtp/key_derivation.hpp"
#include "srtp/srtp_profile.hpp"

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace treff::srtp {

class PacketCipher {
 public:
  static constexpr size_t kHmacSha1Length = 20;
  static constexpr size_t kGcmTagLength = 16;

  // encrypt selects the GCM direction (CTR is symmetric). Throws std::runtime_error if OpenSSL
  // cannot set up the context.
  PacketCipher(Profile profile, const SessionKeys& keys, bool encrypt);
  ~PacketCipher();
  PacketCipher(const PacketCipher&) = delete;
  PacketCipher& operator=(const PacketCipher&) = delete;

  const uint8_t* salt() const { return salt_; }

  // AES-CM: out = in XOR keystream(iv). in and out may be the same buffer. With a second
  // input, out = (in || in2) XOR keystream(iv): the keystream runs on across both.
  bool ctrXor(const uint8_t iv[16], const uint8_t* in, size_t len, uint8_t* out) {
    return ctrXor(iv, in, len, nullptr, 0, out);
  }
  bool ctrXor(const uint8_t iv[16], const uint8_t* in, size_t len, const uint8_t* in2, size_t len2,
              uint8_t* out);

  // HMAC-SHA1(auth key, data || trailer) into out[20].
  void hmacSha1(const uint8_t* data, size_t len, const uint8_t* trailer, size_t trailerLen,
                uint8_t out[kHmacSha1Length]) const;

  // AES-GCM with AAD = aad || aad2. Seal encrypts the plaintext in || in2 into out and writes
  // the tag to tag; open decrypts buf in place and returns false when the tag does not match.
  bool gcmSeal(const uint8_t iv[12], const uint8_t* aad, size_t aadLen, const uint8_t* aad2,
               size_t aad2Len, const uint8_t* in, size_t len, uint8_t* out,
               uint8_t tag[kGcmTagLength]) {
    return gcmSeal(iv, aad, aadLen, aad2, aad2Len, in, len, nullptr, 0, out, tag);
  }
  bool gcmSeal(const uint8_t iv[12], const uint8_t* aad, size_t aadLen, const uint8_t* aad2,
               size_t aad2Len, const uint8_t* in, size_t len, const uint8_t* in2, size_t len2,
               uint8_t* out, uint8_t tag[kGcmTagLength]);
  bool gcmOpen(const uint8_t iv[12], const uint8_t* aad, size_t aadLen, const uint8_t* aad2,
               size_t aad2Len, uint8_t* buf, size_t len, const uint8_t tag[kGcmTagLength]);

 private:
  struct HmacPads;  // SHA-1 states after the ipad and opad blocks

  EVP_CIPHER_CTX* ctx_ = nullptr;
  std::unique_ptr<HmacPads> pads_;
  uint8_t salt_[14] = {};
};

}  // namespace treff::srtp
