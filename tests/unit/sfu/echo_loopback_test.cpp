// The whole media path on loopback: a client made of Treff's own transport pieces (a controlling
// ICE agent's checks, a DTLS client, SRTP) talks to a real MediaPlane over UDP. What it sends
// must come back echoed, under the server's SSRCs, and bad input must be dropped and counted.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "loopback_client.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtp_packet.hpp"
#include "sfu/media_plane.hpp"
#include "srtp/srtp_session.hpp"
#include "util/bytes.hpp"

namespace treff::sfu {
namespace {

using test_support::freePort;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint64_t metric(const std::string& text, const std::string& name) {
  std::regex re("\n" + name + " ([0-9]+)");
  std::smatch m;
  if (!std::regex_search(text, m, re)) return UINT64_MAX;
  return std::stoull(m[1]);
}

// A port base with both UDP and TCP free (bound, then released).

// The client's side of one candidate pair: UDP, or ICE-TCP with RFC 4571 framing.
class UdpClient {
 public:
  explicit UdpClient(uint16_t serverPort, bool tcp = false) : tcp_(tcp) {
    fd_ = socket(AF_INET, tcp ? SOCK_STREAM : SOCK_DGRAM, 0);
    server_.sin_family = AF_INET;
    server_.sin_port = htons(serverPort);
    server_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&server_), sizeof(server_)) == 0;
  }
  ~UdpClient() { close(fd_); }
  bool connected() const { return connected_; }
  void send(const uint8_t* data, size_t size) {
    if (tcp_) {
      uint8_t header[2];
      util::storeBe16(header, static_cast<uint16_t>(size));
      ASSERT_EQ(::send(fd_, header, 2, 0), 2);
    }
    ASSERT_EQ(::send(fd_, data, size, 0), ssize_t(size));
  }
  // One datagram (or one frame), or empty after timeoutMs.
  std::vector<uint8_t> receive(int timeoutMs) {
    if (tcp_) {
      uint8_t header[2];
      if (!readExactly(header, 2, timeoutMs)) return {};
      std::vector<uint8_t> frame(util::loadBe16(header));
      if (!readExactly(frame.data(), frame.size(), timeoutMs)) return {};
      return frame;
    }
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeoutMs) <= 0) return {};
    std::vector<uint8_t> buf(2000);
    ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    buf.resize(n > 0 ? static_cast<size_t>(n) : 0);
    return buf;
  }

 private:
  bool readExactly(uint8_t* out, size_t n, int timeoutMs) {
    size_t have = 0;
    while (have < n) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, timeoutMs) <= 0) return false;
      ssize_t r = recv(fd_, out + have, n - have, 0);
      if (r <= 0) return false;
      have += static_cast<size_t>(r);
    }
    return true;
  }

  bool tcp_;
  bool connected_ = false;
  int fd_;
  sockaddr_in server_{};
};

struct DtlsPump : dtls::DtlsTransport::Listener {
  UdpClient* udp = nullptr;
  bool connected = false;
  bool failed = false;
  dtls::SrtpKeyingMaterial keys;
  void onDtlsSend(const uint8_t* d, size_t n) override { udp->send(d, n); }
  void onDtlsConnected(const dtls::SrtpKeyingMaterial& k) override {
    keys = k;
    connected = true;
  }
  void onDtlsFailed(dtls::DtlsFailure) override { failed = true; }
  void onDtlsClosed() override {}
  void onDtlsApplicationData(const uint8_t*, size_t) override {}
};

class EchoLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freePort();
    ASSERT_NE(port_, 0);
    MediaPlaneConfig config;
    config.listenIps = {"127.0.0.1"};
    config.mediaPort = port_;
    config.workers = 1;
    plane_ = std::make_unique<MediaPlane>(config);
    plane_->start();
  }
  void TearDown() override { plane_->stop(); }

  // The real Chromium offer, made sendrecv and single-encoding, with this client's credentials.
  std::string offer() {
    std::string sdp = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
    std::stringstream in(sdp), out;
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("a=rid:", 0) == 0 || line.rfind("a=simulcast:", 0) == 0) continue;
      if (line == "a=sendonly") line = "a=sendrecv";
      if (line.rfind("a=ice-ufrag:", 0) == 0) line = "a=ice-ufrag:" + clientUfrag_;
      if (line.rfind("a=ice-pwd:", 0) == 0) line = "a=ice-pwd:clientpasswordclientpassword";
      if (line.rfind("a=fingerprint:", 0) == 0) {
        line = "a=fingerprint:sha-256 " + clientCert_.fingerprintSha256();
      }
      out << line << "\r\n";
    }
    return out.str();
  }

  SessionResult createEcho(const std::string& sdp) {
    std::promise<SessionResult> done;
    auto future = done.get_future();
    plane_->createEcho(sdp, [&done](SessionResult r) { done.set_value(std::move(r)); });
    return future.get();
  }

  SessionResult restartEcho(uint64_t session, const std::string& sdp) {
    std::promise<SessionResult> done;
    auto future = done.get_future();
    plane_->restartEcho(session, sdp, [&done](SessionResult r) { done.set_value(std::move(r)); });
    return future.get();
  }

  // PLIs the server sent for `mediaSsrc`, among the RTCP seen so far.
  int plisFor(uint32_t mediaSsrc) {
    int count = 0;
    for (const auto& rtcp : rtcpSeen_) {
      rtp::RtcpCompound compound(rtcp);
      rtp::RtcpPacket packet;
      while (compound.next(packet)) {
        rtp::PliView pli;
        if (pli.parse(packet.bytes) == rtp::RtcpError::kNone && pli.mediaSsrc() == mediaSsrc) {
          ++count;
        }
      }
    }
    return count;
  }

  std::vector<uint8_t> protectRtcp(const uint8_t* plain, size_t n) {
    std::vector<uint8_t> out(n + 32);
    size_t outLen = 0;
    EXPECT_EQ(srtpOut_->protectRtcp(plain, n, out.data(), out.size(), &outLen), srtp::Error::Ok);
    out.resize(outLen);
    return out;
  }

  void parseAnswer(const std::string& answer) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(answer, m, std::regex("a=ice-ufrag:(\\S+)")));
    serverUfrag_ = m[1];
    ASSERT_TRUE(std::regex_search(answer, m, std::regex("a=ice-pwd:(\\S+)")));
    serverPwd_ = m[1];
    ASSERT_TRUE(std::regex_search(answer, m, std::regex("a=fingerprint:sha-256 (\\S+)")));
    serverFingerprint_ = m[1];
    std::regex ssrcRe("a=ssrc:([0-9]+) cname:");
    for (auto it = std::sregex_iterator(answer.begin(), answer.end(), ssrcRe);
         it != std::sregex_iterator(); ++it) {
      serverSsrcs_.push_back(static_cast<uint32_t>(std::stoul((*it)[1])));
    }
    ASSERT_TRUE(std::regex_search(
        answer, m, std::regex("a=candidate:\\S+ 1 udp \\d+ 127\\.0\\.0\\.1 (\\d+) typ host")));
    EXPECT_EQ(std::stoi(m[1]), port_);
  }

  size_t check(UdpClient& udp, bool useCandidate, std::string_view pwd,
               std::vector<uint8_t>* response) {
    uint8_t buf[512];
    ice::ControllingBindingRequest req;
    req.localUfrag = clientUfrag_;
    req.remoteUfrag = serverUfrag_;
    req.remotePwd = pwd;
    req.priority = 1853824767;
    req.tieBreaker = 0x1234567890abcdefULL;
    req.useCandidate = useCandidate;
    req.transactionId[0] = static_cast<uint8_t>(++tx_);
    size_t n = ice::buildControllingBindingRequest(req, buf, sizeof(buf));
    udp.send(buf, n);
    // Media and RTCP may be on the way too: wait for the STUN answer itself.
    for (int i = 0; i < 20; ++i) {
      *response = udp.receive(i == 0 ? 1000 : 50);
      if (response->empty() || (*response)[0] <= 3) return response->size();
    }
    response->clear();
    return 0;
  }

  void connect(UdpClient& udp) {
    std::vector<uint8_t> response;
    ASSERT_GT(check(udp, true, serverPwd_, &response), 0u);
    auto msg = ice::StunMessage::parse(response);
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->messageClass(), ice::StunClass::SuccessResponse);
    EXPECT_TRUE(msg->verifyMessageIntegrity(serverPwd_));
    EXPECT_TRUE(msg->verifyFingerprint());

    pump_.udp = &udp;
    dtlsClient_ = std::make_unique<dtls::DtlsTransport>(clientContext_, dtls::Role::Client, pump_);
    dtlsClient_->setRemoteFingerprint("sha-256", serverFingerprint_);
    dtlsClient_->start();
    for (int i = 0; i < 100 && !pump_.connected && !pump_.failed; ++i) {
      auto d = udp.receive(50);
      if (!d.empty()) dtlsClient_->onDatagram(d.data(), d.size());
    }
    ASSERT_TRUE(pump_.connected);
    auto profile = *srtp::profileFromId(pump_.keys.profileId);
    EXPECT_EQ(profile, srtp::Profile::AeadAes128Gcm);  // the server's preference wins
    srtpOut_ = std::make_unique<srtp::SrtpSession>(
        profile, pump_.keys.localKey, pump_.keys.localSalt, srtp::SrtpSession::Direction::Outbound);
    srtpIn_ =
        std::make_unique<srtp::SrtpSession>(profile, pump_.keys.remoteKey, pump_.keys.remoteSalt,
                                            srtp::SrtpSession::Direction::Inbound);
  }

  // An RTP packet carrying the MID extension (id 4 in Chromium's offer) and a transport-wide
  // sequence (id 3), protected for the server.
  std::vector<uint8_t> rtp(uint8_t pt, uint32_t ssrc, uint16_t seq, std::string_view mid,
                           std::string_view payload) {
    uint8_t plain[1500];
    rtp::RtpHeaderFields h;
    h.payloadType = pt;
    h.sequence = seq;
    h.timestamp = seq * 960u;
    h.ssrc = ssrc;
    uint8_t twcc[2];
    util::storeBe16(twcc, ++twccSeq_);
    size_t n = rtp::RtpPacketBuilder(util::MutableBytes(plain, sizeof(plain)), h)
                   .addExtension(4, util::ConstBytes(reinterpret_cast<const uint8_t*>(mid.data()),
                                                     mid.size()))
                   .addExtension(3, twcc)
                   .setPayload(util::ConstBytes(reinterpret_cast<const uint8_t*>(payload.data()),
                                                payload.size()))
                   .finish();
    std::vector<uint8_t> out(n + 32);
    size_t outLen = 0;
    EXPECT_EQ(srtpOut_->protectRtp(plain, n, out.data(), out.size(), &outLen), srtp::Error::Ok);
    out.resize(outLen);
    return out;
  }

  // Receives until an RTP packet (not RTCP) arrives; unprotects it in place.
  bool receiveRtp(UdpClient& udp, std::vector<uint8_t>* plain, int rounds = 40) {
    for (int i = 0; i < rounds; ++i) {
      auto d = udp.receive(50);
      if (d.size() < 2) continue;
      uint8_t pt = d[1] & 0x7f;
      if (pt >= 64 && pt <= 95) {
        size_t n = 0;
        if (srtpIn_->unprotectRtcp(d.data(), d.size(), &n) == srtp::Error::Ok) {
          d.resize(n);
          rtcpSeen_.push_back(d);
        }
        continue;
      }
      size_t n = 0;
      if (srtpIn_->unprotectRtp(d.data(), d.size(), &n) != srtp::Error::Ok) continue;
      d.resize(n);
      *plain = d;
      return true;
    }
    return false;
  }

  uint16_t port_ = 0;
  std::unique_ptr<MediaPlane> plane_;
  dtls::Certificate clientCert_;
  dtls::Context clientContext_{clientCert_};
  std::string clientUfrag_ = "cl1e";
  std::string serverUfrag_, serverPwd_, serverFingerprint_;
  std::vector<uint32_t> serverSsrcs_;
  DtlsPump pump_;
  std::unique_ptr<dtls::DtlsTransport> dtlsClient_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_, srtpIn_;
  std::vector<std::vector<uint8_t>> rtcpSeen_;
  uint16_t twccSeq_ = 0;
  int tx_ = 0;
};

TEST_F(EchoLoopback, EchoesAudioAndVideoUnderTheServersSsrcs) {
  SessionResult result = createEcho(offer());
  ASSERT_TRUE(result.ok) << result.error;
  parseAnswer(result.sdp);
  ASSERT_GE(serverSsrcs_.size(), 2u);  // audio, video (and video RTX)
  UdpClient udp(port_);
  connect(udp);

  // Audio: Opus (pt 111) on mid 0.
  for (uint16_t seq = 100; seq < 110; ++seq) {
    auto p = rtp(111, 0xA0D10001, seq, "0", "opus-frame-" + std::to_string(seq));
    udp.send(p.data(), p.size());
    std::vector<uint8_t> echoed;
    ASSERT_TRUE(receiveRtp(udp, &echoed)) << "no echo for seq " << seq;
    rtp::RtpPacket view;
    ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
    EXPECT_EQ(view.sequence(), seq);
    EXPECT_EQ(view.payloadType(), 111);
    EXPECT_EQ(view.ssrc(), serverSsrcs_[0]);
    std::string payload(reinterpret_cast<const char*>(view.payload().data()), view.payloadLength());
    EXPECT_EQ(payload, "opus-frame-" + std::to_string(seq));
  }

  // Video: VP8 (pt 96) on mid 1, an SSRC the offer never named (as with simulcast).
  auto p = rtp(96, 0xB1DE0001, 5000, "1", "vp8-frame");
  udp.send(p.data(), p.size());
  std::vector<uint8_t> echoed;
  ASSERT_TRUE(receiveRtp(udp, &echoed));
  rtp::RtpPacket view;
  ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
  EXPECT_EQ(view.ssrc(), serverSsrcs_[1]);
  EXPECT_NE(view.ssrc(), serverSsrcs_[0]);

  // A new video source makes the server ask the browser's sender for a keyframe (PLI).
  for (int i = 0; i < 20 && plisFor(0xB1DE0001) == 0; ++i) {
    std::vector<uint8_t> ignored;
    receiveRtp(udp, &ignored, 1);
  }
  EXPECT_EQ(plisFor(0xB1DE0001), 1);

  // The receiver of the echo asks for a keyframe of the echoed stream: the request reaches the
  // sender under the sender's own SSRC (after the server's 300 ms spacing of requests).
  usleep(350 * 1000);
  uint8_t pli[12];
  ASSERT_EQ(rtp::buildPli(pli, sizeof(pli), 0xC0FFEE, serverSsrcs_[1]), 12u);
  auto protectedPli = protectRtcp(pli, sizeof(pli));
  udp.send(protectedPli.data(), protectedPli.size());
  for (int i = 0; i < 20 && plisFor(0xB1DE0001) < 2; ++i) {
    std::vector<uint8_t> ignored;
    receiveRtp(udp, &ignored, 1);
  }
  EXPECT_EQ(plisFor(0xB1DE0001), 2);

  std::string metrics = plane_->prometheusMetrics();
  EXPECT_GE(metric(metrics, "treff_rtp_packets_received_total"), 11u);
  EXPECT_GE(metric(metrics, "treff_rtp_packets_sent_total"), 11u);
  EXPECT_GE(metric(metrics, "treff_keyframe_requests_sent_total"), 1u);
}

TEST_F(EchoLoopback, BadChecksAndStrangersAreDroppedAndCounted) {
  SessionResult result = createEcho(offer());
  ASSERT_TRUE(result.ok) << result.error;
  parseAnswer(result.sdp);

  // Wrong password: a 401, and the session is unaffected.
  UdpClient udp(port_);
  std::vector<uint8_t> response;
  ASSERT_GT(check(udp, true, "not-the-password-at-all", &response), 0u);
  auto msg = ice::StunMessage::parse(response);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), ice::StunClass::ErrorResponse);
  ASSERT_TRUE(msg->errorCode());
  EXPECT_EQ(msg->errorCode()->code, 401);

  connect(udp);
  auto good = rtp(111, 0xA0D10002, 1, "0", "hello");
  udp.send(good.data(), good.size());
  std::vector<uint8_t> echoed;
  ASSERT_TRUE(receiveRtp(udp, &echoed));

  // A 5-tuple that never passed a check gets nothing, even with valid SRTP.
  UdpClient stranger(port_);
  auto p = rtp(111, 0xA0D10002, 2, "0", "from-elsewhere");
  stranger.send(p.data(), p.size());
  EXPECT_TRUE(stranger.receive(300).empty());
  // Garbage of every class, and a replayed packet, on the valid path.
  const uint8_t junk[] = {0x50, 1, 2, 3, 4, 5, 6, 7};
  udp.send(junk, sizeof(junk));
  udp.send(good.data(), good.size());
  auto tampered = rtp(111, 0xA0D10002, 3, "0", "tampered");
  tampered[tampered.size() - 1] ^= 1;
  udp.send(tampered.data(), tampered.size());
  // And the session still works.
  auto after = rtp(111, 0xA0D10002, 4, "0", "still-alive");
  udp.send(after.data(), after.size());
  ASSERT_TRUE(receiveRtp(udp, &echoed));
  rtp::RtpPacket view;
  ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
  EXPECT_EQ(view.sequence(), 4);

  std::string metrics = plane_->prometheusMetrics();
  auto dropped = [&](const std::string& reason) {
    std::regex re("treff_packets_dropped_total\\{reason=\"" + reason + "\"\\} ([0-9]+)");
    std::smatch m;
    return std::regex_search(metrics, m, re) ? std::stoull(m[1]) : 0ull;
  };
  EXPECT_GE(dropped("stun_unauthorized"), 1u);
  EXPECT_GE(dropped("unknown_path"), 1u);
  EXPECT_GE(dropped("unclassified"), 1u);
  EXPECT_GE(dropped("srtp_replay"), 1u);
  EXPECT_GE(dropped("srtp_auth_failed"), 1u);
}

TEST_F(EchoLoopback, MediaFollowsTheLatestNomination) {
  SessionResult result = createEcho(offer());
  ASSERT_TRUE(result.ok) << result.error;
  parseAnswer(result.sdp);
  UdpClient first(port_);
  connect(first);
  auto p = rtp(111, 0xA0D10004, 1, "0", "one");
  first.send(p.data(), p.size());
  std::vector<uint8_t> echoed;
  ASSERT_TRUE(receiveRtp(first, &echoed));

  // The browser moves to another pair (a network change): a valid check without nomination
  // makes the pair usable, but media stays where it was until the browser nominates it.
  UdpClient second(port_);
  std::vector<uint8_t> response;
  ASSERT_GT(check(second, false, serverPwd_, &response), 0u);
  p = rtp(111, 0xA0D10004, 2, "0", "two");
  second.send(p.data(), p.size());
  ASSERT_TRUE(receiveRtp(first, &echoed));
  EXPECT_TRUE(second.receive(200).empty());

  ASSERT_GT(check(second, true, serverPwd_, &response), 0u);
  p = rtp(111, 0xA0D10004, 3, "0", "three");
  second.send(p.data(), p.size());
  ASSERT_TRUE(receiveRtp(second, &echoed));
  rtp::RtpPacket view;
  ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
  EXPECT_EQ(view.sequence(), 3);
}

TEST_F(EchoLoopback, IceRestartChangesCredentialsAndKeepsMediaFlowing) {
  SessionResult result = createEcho(offer());
  ASSERT_TRUE(result.ok) << result.error;
  parseAnswer(result.sdp);
  UdpClient udp(port_);
  connect(udp);
  auto p = rtp(111, 0xA0D10005, 1, "0", "before");
  udp.send(p.data(), p.size());
  std::vector<uint8_t> echoed;
  ASSERT_TRUE(receiveRtp(udp, &echoed));

  std::string oldUfrag = serverUfrag_, oldPwd = serverPwd_;
  auto oldSsrcs = serverSsrcs_;
  clientUfrag_ = "rst2";
  SessionResult restarted = restartEcho(result.session, offer());
  ASSERT_TRUE(restarted.ok) << restarted.error;
  serverSsrcs_.clear();
  parseAnswer(restarted.sdp);
  EXPECT_NE(serverUfrag_, oldUfrag);
  EXPECT_NE(serverPwd_, oldPwd);
  EXPECT_EQ(serverSsrcs_, oldSsrcs);  // the same tracks

  // Checks with the old credentials now fail; the new ones work, on a new path too.
  std::vector<uint8_t> response;
  std::swap(serverUfrag_, oldUfrag);
  EXPECT_EQ(check(udp, true, oldPwd, &response), 0u);  // unknown ufrag: no answer at all
  std::swap(serverUfrag_, oldUfrag);
  UdpClient moved(port_);
  ASSERT_GT(check(moved, true, serverPwd_, &response), 0u);
  auto msg = ice::StunMessage::parse(response);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), ice::StunClass::SuccessResponse);

  // DTLS and SRTP carry on: media flows on the new path without a new handshake.
  p = rtp(111, 0xA0D10005, 2, "0", "after");
  moved.send(p.data(), p.size());
  ASSERT_TRUE(receiveRtp(moved, &echoed));
  rtp::RtpPacket view;
  ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
  EXPECT_EQ(view.sequence(), 2);

  // Restarting a session that is gone is an error, not a crash.
  plane_->closeEcho(result.session);
  SessionResult gone = restartEcho(result.session, offer());
  EXPECT_FALSE(gone.ok);
  EXPECT_FALSE(gone.error.empty());
}

TEST_F(EchoLoopback, EchoesOverIceTcpWhenUdpIsBlocked) {
  SessionResult result = createEcho(offer());
  ASSERT_TRUE(result.ok) << result.error;
  parseAnswer(result.sdp);
  EXPECT_NE(result.sdp.find("tcptype passive"), std::string::npos);
  UdpClient tcp(port_, /*tcp=*/true);
  ASSERT_TRUE(tcp.connected());
  connect(tcp);
  for (uint16_t seq = 1; seq <= 5; ++seq) {
    auto p = rtp(111, 0xA0D10003, seq, "0", "over-tcp");
    tcp.send(p.data(), p.size());
    std::vector<uint8_t> echoed;
    ASSERT_TRUE(receiveRtp(tcp, &echoed));
    rtp::RtpPacket view;
    ASSERT_TRUE(rtp::RtpPacket::parse(echoed.data(), echoed.size(), &view));
    EXPECT_EQ(view.sequence(), seq);
    EXPECT_EQ(view.ssrc(), serverSsrcs_[0]);
  }
}

TEST_F(EchoLoopback, RejectsOffersItCannotServeWithAReason) {
  SessionResult garbage = createEcho("this is not sdp");
  EXPECT_FALSE(garbage.ok);
  EXPECT_FALSE(garbage.error.empty());
  // No DTLS fingerprint: plain RTP is never accepted.
  std::string unencrypted =
      readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast-unencrypted.sdp");
  SessionResult plain = createEcho(unencrypted);
  EXPECT_FALSE(plain.ok);
  EXPECT_FALSE(plain.error.empty());
}

}  // namespace
}  // namespace treff::sfu
