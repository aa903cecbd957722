#include "sfu/transport.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "bwe/bandwidth_estimator.hpp"
#include "bwe/bwe_trace.hpp"
#include "ice/stun_message.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_twcc.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/twcc_feedback_generator.hpp"
#include "sfu/worker.hpp"
#include "srtp/srtp_session.hpp"
#include "util/random.hpp"

namespace treff::sfu {
namespace {

// Chromium ramps its send rate only with steady feedback; 50 ms is what browsers use.
constexpr uint64_t kTwccIntervalUs = 50'000;

DropReason dropReasonFor(srtp::Error e) {
  switch (e) {
    case srtp::Error::AuthFailed:
      return DropReason::SrtpAuthFailed;
    case srtp::Error::ReplayOld:
    case srtp::Error::ReplayDuplicate:
      return DropReason::SrtpReplay;
    default:
      return DropReason::SrtpOther;
  }
}

}  // namespace

Transport::Transport(Worker& worker, ice::IceCredentials local, const TransportRemote& remote,
                     Listener& listener)
    : worker_(worker),
      listener_(listener),
      ice_(std::move(local), worker.nowMs()),
      dtls_(std::make_unique<dtls::DtlsTransport>(worker.dtlsContext(), dtls::Role::Server, *this)),
      remoteExtensions_(remote.extensions),
      feedbackSsrc_(util::randomU32() | 1) {
  ice_.setRemote(remote.ice);
  dtls_->setRemoteFingerprint(remote.fingerprintAlgorithm, remote.fingerprint);
  dtls_->start();
  if (remoteExtensions_.idOf(rtp::ExtensionType::TransportWideCc)) {
    twcc_ = std::make_unique<rtp::TwccFeedbackGenerator>();
  }
  worker_.registerUfrag(ice_.local().ufrag, this);
  worker_.stats().add(Counter::TransportsOpened);
}

Transport::~Transport() {
  worker_.unregisterUfrag(ice_.local().ufrag, this);
  worker_.unregisterPaths(this);
  if (!closed_) worker_.stats().add(Counter::TransportsClosed);
}

void Transport::restartIce(ice::IceCredentials local, ice::IceCredentials remote) {
  worker_.unregisterUfrag(ice_.local().ufrag, this);
  ice_.restart(std::move(local), std::move(remote));
  worker_.registerUfrag(ice_.local().ufrag, this);
}

bool Transport::knownPath(const MediaPath& path) const {
  for (const auto& p : validPaths_) {
    if (p == path) return true;
  }
  return false;
}

void Transport::onStunRequest(const ice::StunMessage& request, const MediaPath& path,
                              uint64_t nowUs) {
  if (closed_) return;
  util::PacketRef out = worker_.pool().acquire();
  if (!out) {
    worker_.stats().drop(DropReason::NoBuffer);
    return;
  }
  ice::CheckResult result = ice_.onBindingRequest(request, path.remote, out->data(),
                                                  util::PacketBuffer::kCapacity, nowUs / 1000);
  switch (result.outcome) {
    case ice::CheckOutcome::Success:
    case ice::CheckOutcome::SuccessNominated:
      if (!knownPath(path)) {
        // A handful of paths at most (one per candidate pair the browser tries).
        if (validPaths_.size() >= 16) validPaths_.erase(validPaths_.begin());
        validPaths_.push_back(path);
        worker_.registerPath(path, this);
      }
      worker_.markPathActive(path);
      if (result.outcome == ice::CheckOutcome::SuccessNominated || !selected_.valid()) {
        // RFC 8445 §7.3.1.5: the controlling agent's nomination picks the pair media uses;
        // before any nomination the first valid pair serves, as ICE-lite peers expect.
        selected_ = path;
      }
      break;
    case ice::CheckOutcome::BadRequest:
      worker_.stats().drop(DropReason::StunBadRequest);
      break;
    case ice::CheckOutcome::Unauthorized:
      worker_.stats().drop(DropReason::StunUnauthorized);
      break;
    case ice::CheckOutcome::RoleConflict:
      worker_.stats().drop(DropReason::StunRoleConflict);
      break;
    case ice::CheckOutcome::NotARequest:
      worker_.stats().drop(DropReason::StunNotRequest);
      break;
  }
  if (result.responseLength == 0) return;
  out->size = static_cast<uint32_t>(result.responseLength);
  worker_.stats().add(Counter::StunResponsesOut);
  worker_.send(path, std::move(out));
}

void Transport::onDtls(const uint8_t* data, size_t size, const MediaPath& path, uint64_t) {
  if (closed_) return;
  dtlsPath_ = path;
  if (dtls_->onDatagram(data, size) != dtls::DatagramResult::Processed) {
    worker_.stats().drop(DropReason::DtlsMalformed);
  }
}

void Transport::onDtlsSend(const uint8_t* data, size_t size) {
  const MediaPath& path = selected_.valid() ? selected_ : dtlsPath_;
  if (!path.valid() || size > util::PacketBuffer::kCapacity) return;
  util::PacketRef out = worker_.pool().acquire();
  if (!out) {
    worker_.stats().drop(DropReason::NoBuffer);
    return;
  }
  std::memcpy(out->data(), data, size);
  out->size = static_cast<uint32_t>(size);
  worker_.send(path, std::move(out));
}

void Transport::onDtlsConnected(const dtls::SrtpKeyingMaterial& keys) {
  auto profile = srtp::profileFromId(keys.profileId);
  if (!profile) {
    close("unsupported SRTP profile");
    return;
  }
  srtpIn_ = std::make_unique<srtp::SrtpSession>(*profile, keys.remoteKey, keys.remoteSalt,
                                                srtp::SrtpSession::Direction::Inbound);
  srtpOut_ = std::make_unique<srtp::SrtpSession>(*profile, keys.localKey, keys.localSalt,
                                                 srtp::SrtpSession::Direction::Outbound);
  listener_.onTransportConnected(*this);
}

void Transport::onDtlsFailed(dtls::DtlsFailure) { close("DTLS failed"); }
void Transport::onDtlsClosed() { close("DTLS closed by peer"); }

void Transport::onSrtp(util::PacketRef packet, const MediaPath& path, uint64_t nowUs) {
  if (closed_) return;
  if (!srtpIn_) {
    worker_.stats().drop(DropReason::NotConnected);
    return;
  }
  uint8_t* data = packet->data();
  size_t size = packet->size;
  // RFC 5761 §4: payload types 64..95 (with the marker bit: 192..223) are RTCP.
  uint8_t pt = size > 1 ? (data[1] & 0x7f) : 0;
  bool isRtcp = pt >= 64 && pt <= 95;
  size_t plainSize = 0;
  srtp::Error err = isRtcp ? srtpIn_->unprotectRtcp(data, size, &plainSize)
                           : srtpIn_->unprotectRtp(data, size, &plainSize);
  if (err != srtp::Error::Ok) {
    worker_.stats().drop(dropReasonFor(err));
    return;
  }
  packet->size = static_cast<uint32_t>(plainSize);
  (void)path;
  if (isRtcp) {
    worker_.stats().add(Counter::RtcpIn);
    listener_.onTransportRtcp(*this, data, plainSize, nowUs);
    return;
  }
  rtp::RtpPacket rtpPacket;
  if (!rtp::RtpPacket::parse(data, plainSize, &rtpPacket)) {
    worker_.stats().drop(DropReason::RtpMalformed);
    return;
  }
  worker_.stats().add(Counter::RtpIn);
  if (twcc_) {
    if (auto seq = rtp::readTransportWideSeq(rtpPacket, remoteExtensions_)) {
      twcc_->onPacket(*seq, nowUs);
      remoteMediaSsrc_ = rtpPacket.ssrc();
    }
  }
  listener_.onTransportRtp(*this, rtpPacket, packet, nowUs);
}

bool Transport::sendRtp(const uint8_t* head, size_t headSize, const uint8_t* tail,
                        size_t tailSize) {
  return sendProtected(head, headSize, tail, tailSize, false) != 0;
}

bool Transport::sendRtp(const uint8_t* head, size_t headSize, const uint8_t* tail, size_t tailSize,
                        uint64_t sendUs, bool probe) {
  const size_t sent = sendProtected(head, headSize, tail, tailSize, false);
  if (sent && bwe_) {
    bwe_->onPacketSent(outTransportSeq_, sendUs, sent, probe);
    if (bweTrace_) bweTrace_->sent(outTransportSeq_, sendUs, sent, probe);
  }
  return sent != 0;
}

bool Transport::sendRtcp(const uint8_t* data, size_t size) {
  return sendProtected(data, size, nullptr, 0, true) != 0;
}

void Transport::enableBandwidthEstimation() {
  if (bwe_) return;
  bwe::BweConfig config;
  config.startBps = kBweStartBps;
  config.maxBps = 100'000'000;
  // Feedback comes within 100-200 ms: 2048 packets (64 KiB) cover that up to ~100 Mbit/s, and
  // about half a second for a subscriber taking 20 videos.
  config.historyCapacity = 2048;
  bwe_ = std::make_unique<bwe::BandwidthEstimator>(config);
  if (const char* dir = std::getenv("TREFF_BWE_TRACE_DIR")) {
    const std::string path = std::string(dir) + "/bwe-" + std::to_string(feedbackSsrc_) + ".trace";
    try {
      bweTrace_ = std::make_unique<bwe::BweTraceWriter>(path);
    } catch (const std::exception& e) {
      spdlog::warn("{}", e.what());
    }
  }
}

void Transport::onBandwidthFeedback(util::ConstBytes twccPacket, uint64_t nowUs) {
  if (!bwe_) return;
  rtp::TwccFeedbackView feedback;
  if (feedback.parse(twccPacket) != rtp::RtcpError::kNone) {
    worker_.stats().drop(DropReason::RtcpMalformed);
    return;
  }
  if (bweTrace_) bweTrace_->feedback(nowUs, twccPacket);
  bwe_->onTransportFeedback(feedback, nowUs);
}

bwe::ProbeRequest Transport::requestProbe(uint64_t nowUs, uint64_t desiredBps,
                                          uint32_t durationUs) {
  if (!bwe_) return {};
  if (bweTrace_) bweTrace_->probe(nowUs, desiredBps, durationUs);
  return bwe_->nextProbe(nowUs, desiredBps, durationUs);
}

bool Transport::takeRetransmissionBudget(size_t bytes, uint64_t nowUs) {
  if (!bwe_) return true;
  constexpr double kShare = 0.25;
  constexpr double kBurstSeconds = 0.5;
  constexpr double kMinBurstBytes = 1500;  // one full packet always fits, given time
  const double bytesPerSecond = kShare * static_cast<double>(bwe_->targetBps()) / 8;
  const double cap = std::max(kMinBurstBytes, bytesPerSecond * kBurstSeconds);
  if (rtxBudgetUs_ == 0) {
    rtxBudgetBytes_ = cap;
  } else if (nowUs > rtxBudgetUs_) {
    rtxBudgetBytes_ += bytesPerSecond * static_cast<double>(nowUs - rtxBudgetUs_) / 1e6;
  }
  rtxBudgetUs_ = std::max(rtxBudgetUs_, nowUs);
  rtxBudgetBytes_ = std::min(rtxBudgetBytes_, cap);
  if (rtxBudgetBytes_ < static_cast<double>(bytes)) return false;
  rtxBudgetBytes_ -= static_cast<double>(bytes);
  return true;
}

void Transport::onRemb(uint64_t bitrateBps, uint64_t nowUs) {
  if (!bwe_) return;
  if (bweTrace_) bweTrace_->remb(nowUs, bitrateBps);
  bwe_->onRemb(bitrateBps, nowUs);
}

size_t Transport::sendProtected(const uint8_t* data, size_t size, const uint8_t* tail,
                                size_t tailSize, bool rtcp) {
  if (!srtpOut_ || !selected_.valid()) return 0;
  util::PacketRef out = worker_.pool().acquire();
  if (!out) {
    worker_.stats().drop(DropReason::NoBuffer);
    return 0;
  }
  size_t outSize = 0;
  constexpr size_t kCap = util::PacketBuffer::kCapacity;
  srtp::Error err =
      rtcp ? srtpOut_->protectRtcp(data, size, out->data(), kCap, &outSize)
           : srtpOut_->protectRtp(data, size, tail, tailSize, out->data(), kCap, &outSize);
  if (err != srtp::Error::Ok) {
    worker_.stats().drop(DropReason::SrtpOther);
    return 0;
  }
  out->size = static_cast<uint32_t>(outSize);
  worker_.stats().add(rtcp ? Counter::RtcpOut : Counter::RtpOut);
  return worker_.send(selected_, std::move(out)) ? outSize : 0;
}

void Transport::stampTransportSeq(rtp::RtpPacket& packet) {
  rtp::writeTransportWideSeq(packet, remoteExtensions_, ++outTransportSeq_);
}

void Transport::sendTwccFeedback(uint64_t nowUs) {
  if (!twcc_ || !srtpOut_ || !twcc_->hasPending()) return;
  if (nowUs - lastTwccUs_ < kTwccIntervalUs) return;
  lastTwccUs_ = nowUs;
  uint8_t buf[util::PacketBuffer::kCapacity - srtp::SrtpSession::kMaxRtcpOverhead];
  // A long gap can need several feedback packets; a few per tick keep up with any rate.
  for (int i = 0; i < 4 && twcc_->hasPending(); ++i) {
    size_t n = twcc_->buildFeedback(buf, sizeof(buf), feedbackSsrc_, remoteMediaSsrc_);
    if (n == 0) break;
    if (sendRtcp(buf, n)) worker_.stats().add(Counter::TwccFeedbackOut);
  }
}

void Transport::onTick(uint64_t nowMs) {
  if (closed_) return;
  if (ice_.consentExpired(nowMs)) {
    close("ICE consent expired");
    return;
  }
  uint64_t timeout = dtls_->nextTimeoutMs(nowMs);
  if (timeout != dtls::DtlsTransport::kNoTimeout && timeout <= nowMs) dtls_->onTimer(nowMs);
  if (closed_) return;
  sendTwccFeedback(nowMs * 1000);
}

void Transport::onPathClosed(const MediaPath& path) {
  for (auto it = validPaths_.begin(); it != validPaths_.end(); ++it) {
    if (*it == path) {
      validPaths_.erase(it);
      break;
    }
  }
  if (selected_ == path) selected_ = validPaths_.empty() ? MediaPath{} : validPaths_.back();
  if (dtlsPath_ == path) dtlsPath_ = MediaPath{};
}

void Transport::close(const char* reason) {
  if (closed_) return;
  closed_ = true;
  worker_.stats().add(Counter::TransportsClosed);
  worker_.unregisterPaths(this);
  validPaths_.clear();
  selected_ = MediaPath{};
  listener_.onTransportClosed(*this, reason);
}

}  // namespace treff::sfu
