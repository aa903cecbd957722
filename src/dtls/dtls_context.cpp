#include "dtls/dtls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>
#include <string>
#include <utility>

#include "dtls/certificate.hpp"

namespace treff::dtls {
namespace {

// ECDHE-ECDSA with AES-GCM first (our own key is ECDSA P-256); RSA and CBC suites stay last so
// that, as a client, we still reach peers with older or RSA certificates.
constexpr const char* kCipherList =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA";

constexpr const char* kGroups = "X25519:P-256:P-384";

// WebRTC peers present self-signed certificates (RFC 8827 §6.5); trust comes from comparing the
// fingerprint with the remote SDP, which each transport does itself. Chain errors are accepted.
int acceptSelfSigned(int, X509_STORE_CTX*) { return 1; }

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("dtls context: ") + what + " failed");
}

}  // namespace

Context::Context(const Certificate& certificate, ContextOptions options)
    : options_(std::move(options)) {
  if (options_.mtu < 256) throw std::invalid_argument("dtls context: mtu below 256");
  if (options_.initialRetransmitMs == 0) {
    throw std::invalid_argument("dtls context: initialRetransmitMs must be positive");
  }
  ctx_ = SSL_CTX_new(DTLS_method());
  check(ctx_ != nullptr, "SSL_CTX_new");
  try {
    check(SSL_CTX_set_min_proto_version(ctx_, DTLS1_2_VERSION) == 1, "min version");
    check(SSL_CTX_set_max_proto_version(ctx_, DTLS1_2_VERSION) == 1, "max version");
    check(SSL_CTX_use_certificate(ctx_, certificate.x509()) == 1, "use_certificate");
    check(SSL_CTX_use_PrivateKey(ctx_, certificate.privateKey()) == 1, "use_PrivateKey");
    check(SSL_CTX_check_private_key(ctx_) == 1, "check_private_key");
    check(SSL_CTX_set_cipher_list(ctx_, kCipherList) == 1, "cipher list");
    check(SSL_CTX_set1_groups_list(ctx_, kGroups) == 1, "groups");
    // Note the inverted convention: 0 means success here.
    check(SSL_CTX_set_tlsext_use_srtp(ctx_, options_.srtpProfiles.c_str()) == 0, "use_srtp");
    // RFC 5763 §5: both ends present a certificate; the server must ask for the client's.
    SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, acceptSelfSigned);
    SSL_CTX_set_options(ctx_, SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_QUERY_MTU |
                                  SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
    // Every WebRTC session has fresh keys: no resumption, so no shared mutable session cache.
    SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_OFF);
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

Context::~Context() { SSL_CTX_free(ctx_); }

}  // namespace treff::dtls
