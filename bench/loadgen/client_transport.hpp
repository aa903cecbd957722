// The client side of one WebRTC transport over one UDP 5-tuple, built from Treff's own pieces:
// a controlling ICE agent (RFC 8445 §7.2.2 checks with nomination, RFC 7675 consent), DTLS in
// whichever role the SDP gave us (RFC 5763), and SRTP keyed from it (RFC 5764). Lives on one
// event loop thread; everything after construction runs there.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "dtls/dtls_transport.hpp"
#include "ice/stun_constants.hpp"
#include "net/event_loop.hpp"
#include "net/socket_address.hpp"

namespace treff::srtp {
class SrtpSession;
}

namespace treff::loadgen {

// What the remote SDP told us about the other end.
struct RemoteEndpoint {
  net::SocketAddress address;  // its host candidate
  std::string ufrag;
  std::string pwd;
  std::string fingerprintAlgorithm;
  std::string fingerprint;
  dtls::Role localRole = dtls::Role::Client;  // our DTLS role
};

enum class TransportState : uint8_t { New, Checking, Handshaking, Connected, Failed, Closed };
const char* toString(TransportState state);

struct TransportCounters {
  uint64_t datagramsSent = 0;
  uint64_t datagramsReceived = 0;
  uint64_t bytesSent = 0;
  uint64_t bytesReceived = 0;
  uint64_t stunRequestsSent = 0;
  uint64_t stunResponsesReceived = 0;
  uint64_t stunRequestsAnswered = 0;  // checks from a full ICE peer
  uint64_t srtpErrors = 0;            // received packets that failed unprotect
  uint64_t sendErrors = 0;
  uint64_t unknownDatagrams = 0;
};

class ClientTransport final : public net::IoHandler, private dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTransportConnected(ClientTransport& transport) = 0;
    virtual void onTransportFailed(ClientTransport& transport, const char* why) = 0;
    // Decrypted packets, in a buffer valid during the call (may be modified in place).
    virtual void onRtp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) = 0;
    virtual void onRtcp(ClientTransport& transport, uint8_t* data, size_t size, uint64_t nowUs) = 0;
  };

  static constexpr uint64_t kCheckIntervalMs = 50;      // RFC 8445 §14.2 pacing, one pair
  static constexpr uint64_t kConnectTimeoutMs = 15000;  // ICE plus DTLS
  static constexpr uint64_t kConsentIntervalMs = 2500;  // RFC 7675 §5.1: randomized around 5 s
  static constexpr uint64_t kConsentTimeoutMs = 30000;

  // A shared DTLS context (one certificate for the process); `receiveBuffer` is the loop
  // thread's scratch space for incoming datagrams.
  ClientTransport(net::EventLoop& loop, const dtls::Context& dtlsContext, Listener& listener,
                  std::string localUfrag, std::string localPwd, uint8_t* receiveBuffer,
                  size_t receiveCapacity);
  ~ClientTransport() override;
  ClientTransport(const ClientTransport&) = delete;
  ClientTransport& operator=(const ClientTransport&) = delete;

  // Opens the socket and starts the ICE checks. Throws std::runtime_error if the socket fails.
  void start(const RemoteEndpoint& remote, uint64_t nowMs);
  // Retransmits checks, keeps consent, drives the DTLS timer. Call every few milliseconds.
  void onTick(uint64_t nowMs);
  // Protects the packet in place (buf holds `size` bytes and has `cap` bytes of room) and
  // sends it. False if not connected or the send failed.
  bool sendRtp(uint8_t* buf, size_t size, size_t cap);
  bool sendRtcp(uint8_t* buf, size_t size, size_t cap);
  // DTLS close_notify, then the socket is closed.
  void close();

  TransportState state() const { return state_; }
  bool connected() const { return state_ == TransportState::Connected; }
  const TransportCounters& counters() const { return counters_; }
  const std::string& localUfrag() const { return localUfrag_; }
  const std::string& localPwd() const { return localPwd_; }
  uint64_t connectedAfterMs() const { return connectedAtMs_ - startedAtMs_; }
  const char* failure() const { return failure_; }

  void onIoReady(uint32_t events) override;

 private:
  void sendBindingRequest(bool nominate, uint64_t nowMs);
  void onStun(const uint8_t* data, size_t size, uint64_t nowMs);
  void answerBindingRequest(const uint8_t* data, size_t size);
  void onSrtpDatagram(uint8_t* data, size_t size, uint64_t nowUs);
  void sendDatagram(const uint8_t* data, size_t size);
  void fail(const char* why);

  void onDtlsSend(const uint8_t* data, size_t size) override;
  void onDtlsConnected(const dtls::SrtpKeyingMaterial& keys) override;
  void onDtlsFailed(dtls::DtlsFailure reason) override;
  void onDtlsClosed() override;
  void onDtlsApplicationData(const uint8_t*, size_t) override {}

  net::EventLoop& loop_;
  const dtls::Context& dtlsContext_;
  Listener& listener_;
  std::string localUfrag_;
  std::string localPwd_;
  uint8_t* receiveBuffer_;
  size_t receiveCapacity_;
  RemoteEndpoint remote_;
  int fd_ = -1;
  TransportState state_ = TransportState::New;
  const char* failure_ = "";
  uint64_t tieBreaker_ = 0;
  uint64_t startedAtMs_ = 0;
  uint64_t connectedAtMs_ = 0;
  uint64_t nextCheckMs_ = 0;
  uint64_t lastResponseMs_ = 0;
  // The last few transaction ids sent, to match responses.
  std::array<std::array<uint8_t, ice::kStunTransactionIdSize>, 4> pending_{};
  size_t pendingNext_ = 0;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> outbound_;
  std::unique_ptr<srtp::SrtpSession> inbound_;
  TransportCounters counters_;
};

}  // namespace treff::loadgen
