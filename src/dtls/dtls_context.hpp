// The shared DTLS 1.2 configuration for WebRTC transports: one SSL_CTX built once from a
// Certificate, serving both the server and the client role.
#pragma once

#include <cstdint>
#include <string>

struct ssl_ctx_st;

namespace treff::dtls {

class Certificate;

struct ContextOptions {
  // RFC 5764 §4.1.2 protection profiles in OpenSSL's spelling, most preferred first. As server
  // we pick the first of these that the client offers, whatever the client's order.
  std::string srtpProfiles = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";
  // Largest datagram we emit (DTLS headers included, UDP/IP headers excluded).
  uint16_t mtu = 1200;
  // RFC 6347 §4.2.4.1: first retransmission after 1 s, doubling after each one.
  uint32_t initialRetransmitMs = 1000;
  // Give up on a handshake that has not completed this long after start().
  uint32_t handshakeTimeoutMs = 30000;
};

// Built once at start (throws std::runtime_error if OpenSSL refuses the configuration) and never
// changed afterwards. Transports only read it, so one Context may be shared by many transports,
// also across worker threads (OpenSSL 3 guards an SSL_CTX's reference count and the session
// cache is off); each worker building its own avoids even that shared cache line. It must outlive
// every DtlsTransport made from it.
class Context {
 public:
  explicit Context(const Certificate& certificate, ContextOptions options = {});
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  ssl_ctx_st* sslContext() const { return ctx_; }
  const ContextOptions& options() const { return options_; }

 private:
  ssl_ctx_st* ctx_ = nullptr;
  ContextOptions options_;
};

}  // namespace treff::dtls
