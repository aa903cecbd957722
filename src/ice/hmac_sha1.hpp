// HMAC-SHA1 (RFC 2104) for STUN MESSAGE-INTEGRITY, with the key's pad blocks hashed once.
//
// OpenSSL 3's EVP_MAC and HMAC() allocate on every init (measured: 2-13 mallocs and 0.3-1.8 us
// per 100-byte message); SHA_CTX is a plain struct, so keying once and copying the two
// prepared states per message costs no allocation and about 0.14 us.
#pragma once

#include <openssl/sha.h>

#include <cstdint>
#include <string_view>

#include "util/bytes.hpp"

namespace treff::ice {

class HmacSha1Key {
 public:
  static constexpr size_t kDigestSize = 20;

  explicit HmacSha1Key(std::string_view key);

  // MAC of the concatenation of up to three byte ranges (STUN needs the header split in two
  // to substitute the length field).
  void compute(util::ConstBytes a, util::ConstBytes b, util::ConstBytes c,
               uint8_t out[kDigestSize]) const;

 private:
  SHA_CTX inner_;  // state after hashing key XOR ipad
  SHA_CTX outer_;  // state after hashing key XOR opad
};

}  // namespace treff::ice
