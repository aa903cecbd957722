// A WebRTC client built from Treff's own transport pieces, for loopback tests of the media
// plane: the controlling side of ICE (checks with USE-CANDIDATE), a DTLS client, and SRTP.
#pragma once

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_transport.hpp"
#include "free_port.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "sfu/media_plane.hpp"
#include "srtp/srtp_session.hpp"
#include "util/bytes.hpp"

namespace treff::test_support {

// A started media plane with one worker on `port` (loopback), passing its room events to
// `onEvent`.
inline std::unique_ptr<sfu::MediaPlane> startLoopbackPlane(
    uint16_t port, std::function<void(sfu::RoomEvent)> onEvent) {
  sfu::MediaPlaneConfig config;
  config.mediaPort = port;
  config.workers = 1;
  auto plane = std::make_unique<sfu::MediaPlane>(config);
  plane->setRoomEventHandler(
      [onEvent = std::move(onEvent)](uint64_t, sfu::RoomEvent e) { onEvent(std::move(e)); });
  plane->start();
  return plane;
}

// A VP8 payload: descriptor with a 15-bit PictureID, then a key or delta frame header, padded
// to `size` bytes.
inline std::vector<uint8_t> vp8Payload(bool keyframe, uint16_t pictureId, size_t size = 300) {
  std::vector<uint8_t> p = {0x90, 0x80, static_cast<uint8_t>(0x80 | (pictureId >> 8)),
                            static_cast<uint8_t>(pictureId)};
  if (keyframe) {
    p.insert(p.end(), {0x50, 0x02, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01});
  } else {
    p.insert(p.end(), {0x51, 0x02, 0x00});
  }
  while (p.size() < size) p.push_back(static_cast<uint8_t>(p.size()));
  return p;
}

class LoopbackClient : private dtls::DtlsTransport::Listener {
 public:
  LoopbackClient(uint16_t serverPort, std::string ufrag)
      : ufrag_(std::move(ufrag)), context_(certificate_) {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in server{};
    server.sin_family = AF_INET;
    server.sin_port = htons(serverPort);
    server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::connect(fd_, reinterpret_cast<sockaddr*>(&server), sizeof(server));
  }
  ~LoopbackClient() override { ::close(fd_); }

  const std::string& ufrag() const { return ufrag_; }
  std::string pwd() const { return "clientpassword-" + ufrag_ + "-clientpassword"; }
  const std::string& fingerprint() const { return certificate_.fingerprintSha256(); }
  // Fills in what the server learns of this client from its SDP (an sfu::TransportRemote): ICE
  // credentials and certificate fingerprint.
  template <typename Remote>
  void describe(Remote& remote) const {
    remote.ice = {ufrag(), pwd()};
    remote.fingerprintAlgorithm = "sha-256";
    remote.fingerprint = fingerprint();
  }

  void send(const uint8_t* data, size_t size) { ::send(fd_, data, size, 0); }
  std::vector<uint8_t> receive(int timeoutMs) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeoutMs) <= 0) return {};
    std::vector<uint8_t> buf(2000);
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }

  // ICE check with nomination, then the DTLS handshake; true when SRTP keys are in place.
  bool connect(const std::string& serverUfrag, const std::string& serverPwd,
               const std::string& serverFingerprint) {
    uint8_t buf[512];
    ice::ControllingBindingRequest req;
    req.localUfrag = ufrag_;
    req.remoteUfrag = serverUfrag;
    req.remotePwd = serverPwd;
    req.priority = 1853824767;
    req.tieBreaker = 0x1122334455667788ULL;
    req.useCandidate = true;
    req.transactionId[0] = 1;
    send(buf, ice::buildControllingBindingRequest(req, buf, sizeof(buf)));
    auto response = receive(1000);
    auto msg = ice::StunMessage::parse(response);
    if (!msg || msg->messageClass() != ice::StunClass::SuccessResponse) return false;
    dtls_ = std::make_unique<dtls::DtlsTransport>(
        context_, dtls::Role::Client, static_cast<dtls::DtlsTransport::Listener&>(*this));
    dtls_->setRemoteFingerprint("sha-256", serverFingerprint);
    dtls_->start();
    for (int i = 0; i < 100 && !out_ && !failed_; ++i) {
      auto d = receive(50);
      if (!d.empty() && d[0] >= 20 && d[0] <= 63) dtls_->onDatagram(d.data(), d.size());
    }
    return out_ != nullptr;
  }

  void sendRtp(const uint8_t* plain, size_t size) {
    std::vector<uint8_t> out(size + 32);
    size_t n = 0;
    if (out_->protectRtp(plain, size, out.data(), out.size(), &n) == srtp::Error::Ok)
      send(out.data(), n);
  }
  void sendRtcp(const uint8_t* plain, size_t size) {
    std::vector<uint8_t> out(size + 32);
    size_t n = 0;
    if (out_->protectRtcp(plain, size, out.data(), out.size(), &n) == srtp::Error::Ok) {
      send(out.data(), n);
    }
  }

  // The next decrypted RTP packet (RTCP on the way is kept in rtcp()), or empty on timeout.
  std::vector<uint8_t> receiveRtp(int timeoutMs) {
    for (int waited = 0; waited < timeoutMs; waited += 20) {
      auto d = receive(20);
      if (d.size() < 12 || d[0] < 128 || d[0] > 191) continue;
      uint8_t pt = d[1] & 0x7f;
      size_t n = 0;
      if (pt >= 64 && pt <= 95) {
        if (in_->unprotectRtcp(d.data(), d.size(), &n) == srtp::Error::Ok) {
          d.resize(n);
          rtcp_.push_back(d);
        }
        continue;
      }
      if (in_->unprotectRtp(d.data(), d.size(), &n) != srtp::Error::Ok) continue;
      d.resize(n);
      return d;
    }
    return {};
  }
  std::vector<std::vector<uint8_t>>& rtcp() { return rtcp_; }
  // Whether the RTCP collected so far holds a PLI for `mediaSsrc` (0: for any stream).
  bool gotPli(uint32_t mediaSsrc = 0) const {
    for (const auto& bytes : rtcp_) {
      rtp::RtcpCompound c(bytes);
      rtp::RtcpPacket p;
      while (c.next(p)) {
        rtp::PliView pli;
        if (pli.parse(p.bytes) == rtp::RtcpError::kNone &&
            (mediaSsrc == 0 || pli.mediaSsrc() == mediaSsrc))
          return true;
      }
    }
    return false;
  }

 private:
  void onDtlsSend(const uint8_t* d, size_t n) override { send(d, n); }
  void onDtlsConnected(const dtls::SrtpKeyingMaterial& k) override {
    auto profile = *srtp::profileFromId(k.profileId);
    out_ = std::make_unique<srtp::SrtpSession>(profile, k.localKey, k.localSalt,
                                               srtp::SrtpSession::Direction::Outbound);
    in_ = std::make_unique<srtp::SrtpSession>(profile, k.remoteKey, k.remoteSalt,
                                              srtp::SrtpSession::Direction::Inbound);
  }
  void onDtlsFailed(dtls::DtlsFailure) override { failed_ = true; }
  void onDtlsClosed() override {}
  void onDtlsApplicationData(const uint8_t*, size_t) override {}

  int fd_;
  std::string ufrag_;
  dtls::Certificate certificate_;
  dtls::Context context_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> out_, in_;
  std::vector<std::vector<uint8_t>> rtcp_;
  bool failed_ = false;
};

}  // namespace treff::test_support
