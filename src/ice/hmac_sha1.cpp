// The SHA1_* primitives are deprecated in OpenSSL 3 but, unlike EVP, never allocate; see the
// header for the measurement behind this choice.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "ice/hmac_sha1.hpp"

#include <openssl/crypto.h>

#include <cstring>

namespace treff::ice {
namespace {
constexpr size_t kBlockSize = 64;
}

HmacSha1Key::HmacSha1Key(std::string_view key) {
  uint8_t block[kBlockSize] = {0};
  if (key.size() > kBlockSize) {
    // RFC 2104 §2: keys longer than a block are hashed first.
    SHA1(reinterpret_cast<const uint8_t*>(key.data()), key.size(), block);
  } else if (!key.empty()) {
    std::memcpy(block, key.data(), key.size());
  }
  uint8_t pad[kBlockSize];
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&inner_);
  SHA1_Update(&inner_, pad, kBlockSize);
  for (size_t i = 0; i < kBlockSize; ++i) pad[i] = block[i] ^ 0x5C;
  SHA1_Init(&outer_);
  SHA1_Update(&outer_, pad, kBlockSize);
  OPENSSL_cleanse(block, sizeof(block));
  OPENSSL_cleanse(pad, sizeof(pad));
}

void HmacSha1Key::compute(util::ConstBytes a, util::ConstBytes b, util::ConstBytes c,
                          uint8_t out[kDigestSize]) const {
  SHA_CTX ctx = inner_;
  SHA1_Update(&ctx, a.data(), a.size());
  SHA1_Update(&ctx, b.data(), b.size());
  SHA1_Update(&ctx, c.data(), c.size());
  uint8_t innerDigest[kDigestSize];
  SHA1_Final(innerDigest, &ctx);
  ctx = outer_;
  SHA1_Update(&ctx, innerDigest, kDigestSize);
  SHA1_Final(out, &ctx);
}

}  // namespace treff::ice
