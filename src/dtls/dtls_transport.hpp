// One DTLS 1.2 association for WebRTC (RFC 5763, RFC 5764, RFC 8827) over OpenSSL memory BIOs:
// the owner feeds received datagrams in and gets datagrams to send, the SRTP keys, application
// data (SCTP) and the end of the association back through a Listener. Single-threaded: all calls,
// and all Listener callbacks, happen on the owner's thread. Do not destroy the transport from
// inside a Listener callback.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dtls/dtls_context.hpp"
#include "dtls/srtp_keying_material.hpp"

struct ssl_st;
struct bio_st;

namespace treff::dtls {

enum class Role : uint8_t {
  Server,  // waits for the ClientHello (a=setup:passive)
  Client,  // sends the ClientHello on start() (a=setup:active)
};

enum class DtlsState : uint8_t { New, Connecting, Connected, Failed, Closed };

enum class DtlsFailure : uint8_t {
  HandshakeTimeout,     // no completed handshake within ContextOptions::handshakeTimeoutMs
  HandshakeFailed,      // OpenSSL rejected the peer's handshake
  PeerAlert,            // the peer sent a fatal alert
  FingerprintMismatch,  // the peer's certificate is not the one its SDP announced
  NoSrtpProfile,        // no common DTLS-SRTP protection profile (RFC 5764 §4.1.2)
  KeyExportFailed,      // the RFC 5705 exporter failed
  ProtocolError,        // a fatal error after the handshake
};

const char* toString(DtlsFailure failure);
const char* toString(DtlsState state);

// Why onDatagram did or did not hand a datagram to OpenSSL.
enum class DatagramResult : uint8_t {
  Processed,
  NotDtls,          // RFC 7983 first byte outside 20..63
  MalformedRecord,  // record framing broken (see dtls_record.hpp)
  Inactive,         // failed, closed, or a client not started yet
};

class DtlsTransport {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // One datagram to send; it may hold several records and is never larger than the MTU
    // unless a single record is (application data written in one piece).
    virtual void onDtlsSend(const uint8_t* data, size_t size) = 0;
    virtual void onDtlsConnected(const SrtpKeyingMaterial& keys) = 0;
    virtual void onDtlsFailed(DtlsFailure reason) = 0;
    // The peer ended the association with close_notify.
    virtual void onDtlsClosed() = 0;
    virtual void onDtlsApplicationData(const uint8_t* data, size_t size) = 0;
  };

  struct Stats {
    uint64_t datagramsReceived = 0;
    uint64_t droppedNotDtls = 0;
    uint64_t droppedMalformed = 0;
    uint64_t droppedInactive = 0;
    uint64_t datagramsSent = 0;
  };

  static constexpr uint64_t kNoTimeout = UINT64_MAX;

  // Throws std::runtime_error if OpenSSL cannot make the session.
  DtlsTransport(const Context& context, Role role, Listener& listener);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // The peer's a=fingerprint (RFC 8122 §5), e.g. ("sha-256", "AB:CD:..."). sha-256 is what
  // browsers send; sha-1, sha-384 and sha-512 are accepted too. Throws std::invalid_argument on
  // an unknown algorithm or a malformed value. May come before start() or after the handshake;
  // the keys are released only once the fingerprint has been checked.
  void setRemoteFingerprint(std::string_view algorithm, std::string_view value);

  // Begins the handshake: a client sends its ClientHello, a server waits for one (a server also
  // starts by itself on its first datagram). Afterwards call nextTimeoutMs to arm a timer.
  void start();

  // One received datagram. Checks record framing before OpenSSL sees it.
  DatagramResult onDatagram(const uint8_t* data, size_t size);

  // When to call onTimer next, on the caller's millisecond clock (any monotonic origin), or
  // kNoTimeout. Covers both the RFC 6347 §4.2.4 retransmission timer and the handshake limit.
  uint64_t nextTimeoutMs(uint64_t nowMs);
  void onTimer(uint64_t nowMs);

  // Application data (SCTP, RFC 8261) once connected; false if not connected or too large.
  bool sendApplicationData(const uint8_t* data, size_t size);

  // Sends close_notify and stops. No Listener callback follows.
  void close();

  DtlsState state() const { return state_; }
  Role role() const { return role_; }
  const Stats& stats() const { return stats_; }

 private:
  friend struct SslCallbacks;

  void advanceHandshake();
  void onHandshakeComplete();
  void finishConnection();
  void readApplicationData();
  void flushOutput();
  void emitDatagram(const uint8_t* data, size_t size);
  void fail(DtlsFailure reason);
  DtlsFailure handshakeFailureReason() const;
  bool peerCertificateMatches() const;
  void latchDeadline(uint64_t nowMs);
  void markFlightBoundary();

  const Context& context_;
  Role role_;
  Listener& listener_;
  ssl_st* ssl_ = nullptr;
  bio_st* readBio_ = nullptr;   // network -> OpenSSL (owned by ssl_)
  bio_st* writeBio_ = nullptr;  // OpenSSL -> network (owned by ssl_)
  DtlsState state_ = DtlsState::New;
  bool handshakeDone_ = false;  // OpenSSL finished; keys wait for the fingerprint check
  bool fingerprintMismatch_ = false;
  bool peerFatalAlert_ = false;
  bool deadlineLatched_ = false;
  uint64_t giveUpAtMs_ = 0;
  std::string remoteAlgorithm_;
  std::vector<uint8_t> remoteFingerprint_;
  std::vector<uint8_t> readBuffer_;   // plaintext from SSL_read
  std::vector<uint8_t> writeBuffer_;  // records drained from writeBio_
  // Offsets in writeBio_ where a flight or a retransmission begins: never packed together.
  std::array<size_t, 8> flightBoundaries_{};
  size_t flightBoundaryCount_ = 0;
  Stats stats_;
};

}  // namespace treff::dtls
