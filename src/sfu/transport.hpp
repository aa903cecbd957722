// One WebRTC transport: ICE-lite + DTLS + SRTP over the 5-tuple the browser nominated, with
// transport-wide CC feedback for what arrives. Owned by a session (echo, participant); created
// and used only on its worker's thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dtls/dtls_transport.hpp"
#include "ice/ice_lite_agent.hpp"
#include "rtp/header_extensions.hpp"
#include "sfu/media_path.hpp"
#include "util/bytes.hpp"
#include "util/packet_pool.hpp"

namespace treff::ice {
class StunMessage;
}
namespace treff::srtp {
class SrtpSession;
}
namespace treff::rtp {
class RtpPacket;
class TwccFeedbackGenerator;
}  // namespace treff::rtp
namespace treff::bwe {
class BandwidthEstimator;
class BweTraceWriter;
struct ProbeRequest;
}  // namespace treff::bwe

namespace treff::sfu {

class Worker;

struct TransportRemote {
  ice::IceCredentials ice;
  std::string fingerprintAlgorithm;  // "sha-256"
  std::string fingerprint;           // "AB:CD:..."
  rtp::ExtensionIdMap extensions;    // the ids this peer's packets use
};

class Transport final : public dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTransportConnected(Transport&) {}
    // A decrypted RTP packet; `buffer` may be kept (moved) by the listener.
    virtual void onTransportRtp(Transport&, rtp::RtpPacket& packet, util::PacketRef& buffer,
                                uint64_t nowUs) = 0;
    // A decrypted RTCP compound packet, writable in place.
    virtual void onTransportRtcp(Transport&, uint8_t* data, size_t size, uint64_t nowUs) = 0;
    // ICE consent expired, DTLS failed or closed: the owner should destroy the session.
    virtual void onTransportClosed(Transport&, const char* reason) = 0;
  };

  Transport(Worker& worker, ice::IceCredentials local, const TransportRemote& remote,
            Listener& listener);
  ~Transport() override;
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  const ice::IceCredentials& localIce() const { return ice_.local(); }
  bool connected() const { return srtpOut_ != nullptr; }
  const MediaPath& selectedPath() const { return selected_; }
  uint32_t feedbackSsrc() const { return feedbackSsrc_; }

  // ICE restart (RFC 8445 §9): new credentials on both sides; DTLS and SRTP carry on.
  void restartIce(ice::IceCredentials local, ice::IceCredentials remote);

  // From the worker's demultiplexer.
  void onStunRequest(const ice::StunMessage& request, const MediaPath& path, uint64_t nowUs);
  void onDtls(const uint8_t* data, size_t size, const MediaPath& path, uint64_t nowUs);
  void onSrtp(util::PacketRef packet, const MediaPath& path, uint64_t nowUs);
  void onTick(uint64_t nowMs);
  // The worker lost this path (a TCP connection closed).
  void onPathClosed(const MediaPath& path);

  // Protects into a fresh pooled buffer and queues it on the selected path: one write.
  bool sendRtp(const uint8_t* data, size_t size) { return sendRtp(data, size, nullptr, 0); }
  // An RTP packet in two pieces (see SrtpSession::protectRtp): the pooled buffer is the only
  // copy of the payload that stays in `tail`.
  bool sendRtp(const uint8_t* head, size_t headSize, const uint8_t* tail, size_t tailSize);
  // The same for a packet whose header carries the transport-wide sequence number last taken
  // with nextTransportSeq(): the bandwidth estimator, if any, records it as sent at `sendUs`.
  bool sendRtp(const uint8_t* head, size_t headSize, const uint8_t* tail, size_t tailSize,
               uint64_t sendUs, bool probe);
  bool sendRtcp(const uint8_t* data, size_t size);

  // Writes this transport's next transport-wide sequence number into an outgoing packet (the
  // extension id is the one negotiated with this peer, in both directions).
  void stampTransportSeq(rtp::RtpPacket& packet);
  // The next transport-wide sequence number, for a header the caller writes itself.
  uint16_t nextTransportSeq() { return ++outTransportSeq_; }
  const rtp::ExtensionIdMap& extensions() const { return remoteExtensions_; }
  bool closed() const { return closed_; }

  // Send-side bandwidth estimation for what this transport sends (a subscriber's), fed by the
  // peer's transport-wide CC feedback or REMB. Off until enabled; null while off.
  void enableBandwidthEstimation();
  // Where the estimate starts: what a meeting of a few people needs; delay and loss bring it
  // down on a slower link within a second or two, and probes find more.
  static constexpr uint64_t kBweStartBps = 2'500'000;
  bwe::BandwidthEstimator* bandwidthEstimator() { return bwe_.get(); }
  // The peer's transport-wide CC feedback (one RTCP packet) and REMB, for the estimator.
  void onBandwidthFeedback(util::ConstBytes twccPacket, uint64_t nowUs);
  void onRemb(uint64_t bitrateBps, uint64_t nowUs);
  // Asks the estimator for a probe cluster towards `desiredBps` (see BandwidthEstimator).
  bwe::ProbeRequest requestProbe(uint64_t nowUs, uint64_t desiredBps, uint32_t durationUs);
  // Retransmissions (answers to the peer's NACKs) share the link with the media, and on a
  // congested link they are what loses most: they may take a quarter of the estimate
  // (a token bucket holding half a second of it). True if `bytes` more fit now; always true
  // without estimation.
  bool takeRetransmissionBudget(size_t bytes, uint64_t nowUs);

 private:
  // dtls::DtlsTransport::Listener
  void onDtlsSend(const uint8_t* data, size_t size) override;
  void onDtlsConnected(const dtls::SrtpKeyingMaterial& keys) override;
  void onDtlsFailed(dtls::DtlsFailure reason) override;
  void onDtlsClosed() override;
  void onDtlsApplicationData(const uint8_t*, size_t) override {}

  void close(const char* reason);
  // The protected size, 0 if nothing was queued.
  size_t sendProtected(const uint8_t* data, size_t size, const uint8_t* tail, size_t tailSize,
                       bool rtcp);
  bool knownPath(const MediaPath& path) const;
  void sendTwccFeedback(uint64_t nowUs);

  Worker& worker_;
  Listener& listener_;
  ice::IceLiteAgent ice_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
  std::unique_ptr<rtp::TwccFeedbackGenerator> twcc_;
  std::unique_ptr<bwe::BandwidthEstimator> bwe_;
  std::unique_ptr<bwe::BweTraceWriter> bweTrace_;  // diagnostics only (TREFF_BWE_TRACE_DIR)
  double rtxBudgetBytes_ = 0;
  uint64_t rtxBudgetUs_ = 0;
  rtp::ExtensionIdMap remoteExtensions_;
  std::vector<MediaPath> validPaths_;  // passed an ICE check; few entries
  MediaPath selected_;                 // nominated by the browser (USE-CANDIDATE)
  MediaPath dtlsPath_;                 // where DTLS answers go before nomination
  uint32_t feedbackSsrc_;
  uint32_t remoteMediaSsrc_ = 0;  // any SSRC the peer sends, for TWCC feedback's media field
  uint16_t outTransportSeq_ = 0;
  uint64_t lastTwccUs_ = 0;
  bool closed_ = false;
};

}  // namespace treff::sfu
