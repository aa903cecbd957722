// A DTLS identity for WebRTC (RFC 8827 §6.5, RFC 5763 §5): an ECDSA P-256 key and a self-signed
// X.509 certificate made at start, identified to the peer by its SDP a=fingerprint.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// OpenSSL types, forward-declared to keep <openssl/*.h> out of this header.
struct x509_st;
struct evp_pkey_st;

namespace treff::dtls {

class Certificate {
 public:
  // Generates a fresh key and certificate: random serial, random CN, valid from one day ago
  // (clock skew) for `validDays` days. Throws std::runtime_error if OpenSSL fails.
  explicit Certificate(int validDays = 30);
  ~Certificate();
  Certificate(const Certificate&) = delete;
  Certificate& operator=(const Certificate&) = delete;
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(Certificate&& other) noexcept;

  // RFC 8122 §5 fingerprint of the DER certificate as SDP writes it: "AB:CD:..." (upper case).
  const std::string& fingerprintSha256() const { return fingerprintSha256_; }

  // For building SSL_CTXs; the Certificate keeps ownership.
  x509_st* x509() const { return x509_; }
  evp_pkey_st* privateKey() const { return key_; }

 private:
  void generate(int validDays);

  x509_st* x509_ = nullptr;
  evp_pkey_st* key_ = nullptr;
  std::string fingerprintSha256_;
};

// The digest of a certificate's DER encoding under an SDP hash function name ("sha-256",
// "sha-1", "sha-384", "sha-512"; case-insensitive). Empty if the name is not supported.
std::vector<uint8_t> certificateDigest(const x509_st* certificate, std::string_view algorithm);
// Digest length in bytes for an SDP hash function name, 0 if not supported.
size_t fingerprintLength(std::string_view algorithm);

}  // namespace treff::dtls
