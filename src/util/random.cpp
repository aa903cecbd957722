#include "util/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>

namespace treff::util {

void randomBytes(MutableBytes out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
}

uint32_t randomU32() {
  uint8_t b[4];
  randomBytes(b);
  return loadBe32(b);
}

uint64_t randomU64() {
  uint8_t b[8];
  randomBytes(b);
  return loadBe64(b);
}

std::string randomString(size_t length, std::string_view alphabet) {
  if (alphabet.empty() || alphabet.size() > 256) throw std::invalid_argument("alphabet size");
  const unsigned limit = 256 - 256 % alphabet.size();
  std::string out;
  out.reserve(length);
  uint8_t buf[64];
  while (out.size() < length) {
    randomBytes(buf);
    for (uint8_t b : buf) {
      if (b >= limit) continue;
      out.push_back(alphabet[b % alphabet.size()]);
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string randomIceString(size_t length) {
  return randomString(length, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/");
}

}  // namespace treff::util
