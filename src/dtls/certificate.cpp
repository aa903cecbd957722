#include "dtls/certificate.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <stdexcept>
#include <utility>

#include "util/encoding.hpp"
#include "util/random.hpp"

namespace treff::dtls {
namespace {

constexpr long kSecondsPerDay = 24 * 60 * 60;

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("certificate: ") + what + " failed");
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) return false;
  }
  return true;
}

const EVP_MD* digestForName(std::string_view name) {
  // RFC 8122 §5 hash function textual names (IANA "Hash Function Textual Names").
  if (equalsIgnoreCase(name, "sha-256")) return EVP_sha256();
  if (equalsIgnoreCase(name, "sha-1")) return EVP_sha1();
  if (equalsIgnoreCase(name, "sha-384")) return EVP_sha384();
  if (equalsIgnoreCase(name, "sha-512")) return EVP_sha512();
  return nullptr;
}

}  // namespace

std::vector<uint8_t> certificateDigest(const x509_st* certificate, std::string_view algorithm) {
  const EVP_MD* md = digestForName(algorithm);
  if (md == nullptr || certificate == nullptr) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, md, digest, &length) != 1) return {};
  return std::vector<uint8_t>(digest, digest + length);
}

size_t fingerprintLength(std::string_view algorithm) {
  const EVP_MD* md = digestForName(algorithm);
  return md ? static_cast<size_t>(EVP_MD_get_size(md)) : 0;
}

Certificate::Certificate(int validDays) {
  if (validDays <= 0) throw std::invalid_argument("certificate: validDays must be positive");
  try {
    generate(validDays);
  } catch (...) {
    X509_free(x509_);
    EVP_PKEY_free(key_);
    throw;
  }
}

void Certificate::generate(int validDays) {
  // RFC 8827 §6.5: ECDSA P-256 is what every browser accepts.
  key_ = EVP_EC_gen("P-256");
  check(key_ != nullptr, "EVP_EC_gen(P-256)");
  x509_ = X509_new();
  check(x509_ != nullptr, "X509_new");
  check(X509_set_version(x509_, X509_VERSION_3) == 1, "X509_set_version");

  // A random positive 63-bit serial: no two certificates of ours share one.
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), BN_free);
  check(serial != nullptr, "BN_new");
  check(BN_set_word(serial.get(), util::randomU64() >> 1) == 1, "BN_set_word");
  check(BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(x509_)) != nullptr,
        "BN_to_ASN1_INTEGER");

  // The name says nothing about the server or its people: a random token.
  const std::string commonName =
      util::randomString(16, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
  X509_NAME* name = X509_get_subject_name(x509_);
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(commonName.data()),
                                   static_cast<int>(commonName.size()), -1, 0) == 1,
        "X509_NAME_add_entry_by_txt");
  check(X509_set_issuer_name(x509_, name) == 1, "X509_set_issuer_name");

  check(X509_gmtime_adj(X509_getm_notBefore(x509_), -kSecondsPerDay) != nullptr, "notBefore");
  check(X509_gmtime_adj(X509_getm_notAfter(x509_), validDays * kSecondsPerDay) != nullptr,
        "notAfter");
  check(X509_set_pubkey(x509_, key_) == 1, "X509_set_pubkey");
  check(X509_sign(x509_, key_, EVP_sha256()) > 0, "X509_sign");

  fingerprintSha256_ = util::toColonHex(certificateDigest(x509_, "sha-256"));
  check(!fingerprintSha256_.empty(), "X509_digest");
}

Certificate::~Certificate() {
  X509_free(x509_);
  EVP_PKEY_free(key_);
}

Certificate::Certificate(Certificate&& other) noexcept
    : x509_(std::exchange(other.x509_, nullptr)),
      key_(std::exchange(other.key_, nullptr)),
      fingerprintSha256_(std::move(other.fingerprintSha256_)) {}

Certificate& Certificate::operator=(Certificate&& other) noexcept {
  if (this != &other) {
    X509_free(x509_);
    EVP_PKEY_free(key_);
    x509_ = std::exchange(other.x509_, nullptr);
    key_ = std::exchange(other.key_, nullptr);
    fingerprintSha256_ = std::move(other.fingerprintSha256_);
  }
  return *this;
}

}  // namespace treff::dtls
