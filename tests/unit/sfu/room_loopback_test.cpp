// A meeting room on loopback: a publisher numbered like Firefox (payload types, header extension
// ids) sends simulcast VP8 and Opus; a subscriber numbered like the server's subscribe offers
// (Chromium's numbers) must get one continuous stream in its own numbering, with layer switches
// at keyframes, retransmissions as RTX, and nothing while the track is muted. The subscriber's
// view (tile sizes, last-N), its bandwidth (REMB) and the audio levels steer what it gets.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "loopback_client.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/rtcp_nack.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtcp_psfb.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "sdp/answer.hpp"
#include "sdp/parser.hpp"
#include "sfu/media_plane.hpp"

namespace treff::sfu {
namespace {

using test_support::freePort;

using test_support::LoopbackClient;
using test_support::vp8Payload;

// Firefox's numbering, as in tests/data/firefox-offer-simulcast.sdp.
constexpr uint8_t kFfMid = 3, kFfAbsSendTime = 4, kFfTwcc = 7, kFfRid = 9, kFfAudioLevel = 1;
constexpr uint8_t kFfVp8 = 120, kFfVp8Rtx = 124, kFfOpus = 109;
// The server's subscribe offers (Chromium's numbers).
constexpr uint8_t kMid = 4, kTwcc = 3, kAbsSendTime = 2, kAudioLevel = 1;
constexpr uint8_t kVp8 = 96, kVp8Rtx = 97, kOpus = 111;

constexpr uint32_t kLayerQ = 0xF1F10001, kLayerF = 0xF1F10003, kMic = 0xF1F10009;
constexpr uint32_t kOutVideo = 0x5B5B0001, kOutRtx = 0x5B5B0002, kOutAudio = 0x5B5B0003;

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One Opus packet numbered like Firefox, with MID "0" and an RFC 6464 level (V set).
void sendOpus(LoopbackClient& c, uint32_t ssrc, uint16_t seq, uint8_t level) {
  uint8_t buf[200];
  rtp::RtpHeaderFields h{kFfOpus, false, seq, 960u * seq, ssrc};
  const uint8_t levelByte[1] = {static_cast<uint8_t>(0x80 | level)};
  const uint8_t opus[40] = {0xfc};
  size_t n = rtp::RtpPacketBuilder(util::MutableBytes(buf, sizeof(buf)), h)
                 .addExtension(kFfMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("0"), 1))
                 .addExtension(kFfAudioLevel, levelByte)
                 .setPayload(opus)
                 .finish();
  c.sendRtp(buf, n);
}

class RoomLoopback : public ::testing::Test {
 protected:
  void SetUp() override {
    port_ = freePort();
    plane_ = test_support::startLoopbackPlane(port_, [this](RoomEvent e) {
      std::lock_guard lock(eventsMutex_);
      events_.push_back(std::move(e));
    });
    room_ = plane_->openRoom();
    publisher_ = std::make_unique<LoopbackClient>(port_, "fpub");
    subscriber_ = std::make_unique<LoopbackClient>(port_, "csub");

    PublishSpec ps;
    ps.localIce = {"srvpublish", "server-publish-password-0123"};
    publisher_->describe(ps.remote);
    ps.remote.extensions.set(rtp::ExtensionType::Mid, kFfMid);
    ps.remote.extensions.set(rtp::ExtensionType::AbsSendTime, kFfAbsSendTime);
    ps.remote.extensions.set(rtp::ExtensionType::TransportWideCc, kFfTwcc);
    ps.remote.extensions.set(rtp::ExtensionType::Rid, kFfRid);
    ps.remote.extensions.set(rtp::ExtensionType::AudioLevel, kFfAudioLevel);
    ps.publications.push_back(
        {"1", Source::Camera, {{"VP8", 90000, kFfVp8, kFfVp8Rtx}}, {"q", "h", "f"}, {}});
    ps.publications.push_back(
        {"0", Source::Microphone, {{"opus", 48000, kFfOpus, std::nullopt}}, {}, {}});
    plane_->setPublisher(room_, "P", ps);
    publishSpec_ = ps;

    SubscribeSpec ss;
    ss.localIce = {"srvsubscribe", "server-subscribe-password-0123"};
    subscriber_->describe(ss.remote);
    ss.remote.extensions.set(rtp::ExtensionType::Mid, kMid);
    ss.remote.extensions.set(rtp::ExtensionType::TransportWideCc, kTwcc);
    ss.remote.extensions.set(rtp::ExtensionType::AbsSendTime, kAbsSendTime);
    ss.remote.extensions.set(rtp::ExtensionType::AudioLevel, kAudioLevel);
    ss.cname = "subscriber";
    ss.subscriptions.push_back(
        {"0", "P", Source::Camera, kOutVideo, kOutRtx, {{"VP8", 90000, kVp8, kVp8Rtx}}});
    ss.subscriptions.push_back(
        {"1", "P", Source::Microphone, kOutAudio, 0, {{"opus", 48000, kOpus, std::nullopt}}});
    plane_->setSubscriber(room_, "S", ss);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the worker applies the specs

    ASSERT_TRUE(publisher_->connect("srvpublish", "server-publish-password-0123",
                                    plane_->certificateFingerprint()));
    ASSERT_TRUE(subscriber_->connect("srvsubscribe", "server-subscribe-password-0123",
                                     plane_->certificateFingerprint()));
  }
  void TearDown() override { plane_->stop(); }

  void sendVideo(uint32_t ssrc, std::string_view rid, uint16_t seq, uint32_t ts, bool keyframe,
                 uint16_t pictureId, uint8_t pt = kFfVp8, bool withIds = true, size_t size = 300) {
    uint8_t buf[1500];
    rtp::RtpHeaderFields h{pt, true, seq, ts, ssrc};
    uint8_t twcc[2];
    util::storeBe16(twcc, ++twcc_);
    uint8_t abs[3] = {1, 2, 3};
    auto payload = vp8Payload(keyframe, pictureId, size);
    rtp::RtpPacketBuilder builder(util::MutableBytes(buf, sizeof(buf)), h);
    if (withIds) {
      // Browsers stop sending MID and RID once RTCP acknowledged the SSRC.
      builder.addExtension(kFfMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("1"), 1))
          .addExtension(kFfRid,
                        util::ConstBytes(reinterpret_cast<const uint8_t*>(rid.data()), rid.size()));
    }
    size_t n = builder.addExtension(kFfTwcc, twcc)
                   .addExtension(kFfAbsSendTime, abs)
                   .setPayload(payload)
                   .finish();
    publisher_->sendRtp(buf, n);
  }

  struct Received {
    rtp::RtpPacket view;
    std::vector<uint8_t> bytes;
  };
  bool receive(Received* out, int timeoutMs = 500) {
    out->bytes = subscriber_->receiveRtp(timeoutMs);
    if (out->bytes.empty()) return false;
    return rtp::RtpPacket::parse(out->bytes.data(), out->bytes.size(), &out->view);
  }

  // Drains the publisher's socket so its RTCP is collected.
  void pumpPublisher(int ms) { publisher_->receiveRtp(ms); }

  void sendAudio(uint16_t seq, uint8_t level) { sendOpus(*publisher_, kMic, seq, level); }
  void setView(std::vector<TileView> tiles, int lastN = -1) {
    ViewSpec view;
    view.reported = true;
    view.tiles = std::move(tiles);
    view.lastN = lastN;
    plane_->setView(room_, "S", view);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The last Forwarding event for the subscriber, if any.
  std::optional<RoomEvent> lastForwarding() {
    std::lock_guard lock(eventsMutex_);
    for (auto it = events_.rbegin(); it != events_.rend(); ++it) {
      if (it->kind == RoomEvent::Kind::Forwarding && it->participant == "S") return *it;
    }
    return std::nullopt;
  }
  bool hadEvent(RoomEvent::Kind kind, const std::string& participant) {
    std::lock_guard lock(eventsMutex_);
    for (const auto& e : events_) {
      if (e.kind == kind && e.participant == participant) return true;
    }
    return false;
  }
  // Receives until a packet of `size` bytes of payload arrives or nothing more comes.
  bool receiveSized(Received* r, size_t payloadSize) {
    for (int i = 0; i < 20; ++i) {
      if (!receive(r, 300)) return false;
      if (r->view.payloadType() == kVp8 && r->view.payloadLength() == payloadSize) return true;
    }
    return false;
  }

  std::mutex eventsMutex_;
  std::vector<RoomEvent> events_;

  uint16_t port_ = 0;
  std::unique_ptr<MediaPlane> plane_;
  uint64_t room_ = 0;
  PublishSpec publishSpec_;
  std::unique_ptr<LoopbackClient> publisher_;
  std::unique_ptr<LoopbackClient> subscriber_;
  uint16_t twcc_ = 0;
};

TEST_F(RoomLoopback, ForwardsInTheSubscribersNumberingAcrossWrapAndLayerSwitch) {
  // Layer q, starting just before the 16-bit wrap.
  uint16_t seq = 65533;
  uint32_t ts = 4294967000u;
  std::vector<uint16_t> outSeqs;
  std::vector<uint32_t> outTs;
  for (int i = 0; i < 6; ++i) {
    sendVideo(kLayerQ, "q", seq++, ts, i == 0, static_cast<uint16_t>(100 + i));
    Received r;
    ASSERT_TRUE(receive(&r)) << "packet " << i;
    EXPECT_EQ(r.view.payloadType(), kVp8);
    EXPECT_EQ(r.view.ssrc(), kOutVideo);
    auto mid = r.view.findExtension(kMid);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(mid.data()), mid.size()), "0");
    EXPECT_EQ(r.view.findExtension(kTwcc).size(), 2u);
    EXPECT_EQ(r.view.findExtension(kFfRid).data(), nullptr);  // the RID is not forwarded
    outSeqs.push_back(r.view.sequence());
    outTs.push_back(r.view.timestamp());
    ts += 3000;
  }
  for (size_t i = 1; i < outSeqs.size(); ++i) {
    EXPECT_EQ(static_cast<uint16_t>(outSeqs[i - 1] + 1), outSeqs[i]);
    EXPECT_EQ(outTs[i] - outTs[i - 1], 3000u);  // across the 32-bit timestamp wrap too
  }

  // Layer f starts: delta frames are not forwarded, the server asks for an f keyframe.
  uint16_t fSeq = 20000;
  uint32_t fTs = 777777;
  for (int i = 0; i < 10 && !publisher_->gotPli(kLayerF); ++i) {
    sendVideo(kLayerF, "f", fSeq++, fTs, false, 5000);
    sendVideo(kLayerQ, "q", seq++, ts, false, 106);
    ts += 3000;
    Received r;
    ASSERT_TRUE(receive(&r));
    EXPECT_EQ(static_cast<uint16_t>(outSeqs.back() + 1), r.view.sequence()) << "still layer q";
    outSeqs.push_back(r.view.sequence());
    pumpPublisher(60);
  }
  EXPECT_TRUE(publisher_->gotPli(kLayerF));

  // The f keyframe switches the subscriber: same SSRC, next sequence number, layer q is dropped.
  sendVideo(kLayerF, "f", fSeq++, fTs, true, 5001);
  Received r;
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.ssrc(), kOutVideo);
  EXPECT_EQ(r.view.sequence(), static_cast<uint16_t>(outSeqs.back() + 1));
  rtp::Vp8Descriptor d;
  ASSERT_TRUE(rtp::parseVp8Descriptor(r.view.payload(), &d));
  EXPECT_TRUE(d.isKeyframe);
  EXPECT_EQ(d.pictureId, 107);  // picture ids continue from layer q's
  uint16_t switched = r.view.sequence();
  sendVideo(kLayerQ, "q", seq++, ts, false, 107);
  sendVideo(kLayerF, "f", fSeq++, fTs + 3000, false, 5002);
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.sequence(), static_cast<uint16_t>(switched + 1));
  ASSERT_TRUE(rtp::parseVp8Descriptor(r.view.payload(), &d));
  EXPECT_EQ(d.pictureId, 108);
}

TEST_F(RoomLoopback, ARepublishKeepsTheSimulcastSsrcsItLearned) {
  sendVideo(kLayerQ, "q", 100, 1000, true, 1);
  Received r;
  ASSERT_TRUE(receive(&r));
  // A new publish offer (a screen share starts, an ICE restart): the same tracks stay.
  plane_->setPublisher(room_, "P", publishSpec_);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  // The browser no longer sends MID and RID for this SSRC.
  sendVideo(kLayerQ, "q", 101, 4000, false, 2, kFfVp8, /*withIds=*/false);
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.ssrc(), kOutVideo);
}

TEST_F(RoomLoopback, AudioGetsTheSubscribersPayloadTypeAndKeepsItsLevel) {
  uint8_t buf[200];
  rtp::RtpHeaderFields h{kFfOpus, false, 10, 960, kMic};
  const uint8_t level[1] = {0x80 | 30};
  const uint8_t opus[40] = {0xfc};
  size_t n = rtp::RtpPacketBuilder(util::MutableBytes(buf, sizeof(buf)), h)
                 .addExtension(kFfMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("0"), 1))
                 .addExtension(kFfAudioLevel, level)
                 .setPayload(opus)
                 .finish();
  publisher_->sendRtp(buf, n);
  Received r;
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.payloadType(), kOpus);
  EXPECT_EQ(r.view.ssrc(), kOutAudio);
  auto l = r.view.findExtension(kAudioLevel);
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0], 0x80 | 30);
  EXPECT_EQ(r.view.payloadLength(), sizeof(opus));

  // Muted: nothing is forwarded, whatever the client sends.
  plane_->setMuted(room_, "P", Source::Microphone, true);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  h.sequence = 11;
  n = rtp::RtpPacketBuilder(util::MutableBytes(buf, sizeof(buf)), h)
          .addExtension(kFfMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("0"), 1))
          .setPayload(opus)
          .finish();
  publisher_->sendRtp(buf, n);
  EXPECT_FALSE(receive(&r, 300));
  plane_->setMuted(room_, "P", Source::Microphone, false);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  h.sequence = 12;
  n = rtp::RtpPacketBuilder(util::MutableBytes(buf, sizeof(buf)), h)
          .addExtension(kFfMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("0"), 1))
          .setPayload(opus)
          .finish();
  publisher_->sendRtp(buf, n);
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.ssrc(), kOutAudio);
}

TEST_F(RoomLoopback, ANackIsAnsweredWithRtxFromTheRing) {
  std::vector<std::vector<uint8_t>> sent;
  for (uint16_t i = 0; i < 4; ++i) {
    sendVideo(kLayerQ, "q", static_cast<uint16_t>(300 + i), 9000u * i, i == 0, i);
    Received r;
    ASSERT_TRUE(receive(&r));
    sent.push_back(r.bytes);
  }
  rtp::RtpPacket lost;
  ASSERT_TRUE(rtp::RtpPacket::parse(sent[2].data(), sent[2].size(), &lost));
  uint8_t nack[64];
  uint16_t missing[] = {lost.sequence()};
  size_t n = rtp::buildNack(nack, sizeof(nack), 0xABCDEF, kOutVideo, missing);
  ASSERT_GT(n, 0u);
  subscriber_->sendRtcp(nack, n);
  Received rtx;
  ASSERT_TRUE(receive(&rtx));
  EXPECT_EQ(rtx.view.ssrc(), kOutRtx);
  EXPECT_EQ(rtx.view.payloadType(), kVp8Rtx);
  EXPECT_EQ(rtx.view.timestamp(), lost.timestamp());
  ASSERT_GE(rtx.view.payloadLength(), 2u);
  EXPECT_EQ(util::loadBe16(rtx.view.payload().data()), lost.sequence());  // RFC 4588 OSN
  EXPECT_TRUE(std::equal(rtx.view.payload().begin() + 2, rtx.view.payload().end(),
                         lost.payload().begin(), lost.payload().end()));
}

TEST_F(RoomLoopback, RetransmissionsStayWithinAQuarterOfTheEstimate) {
  std::vector<uint16_t> outSeqs;
  for (uint16_t i = 0; i < 12; ++i) {
    sendVideo(kLayerQ, "q", static_cast<uint16_t>(700 + i), 3000u * i, i == 0, i);
    Received r;
    ASSERT_TRUE(receive(&r));
    outSeqs.push_back(r.view.sequence());
  }
  // The subscriber can take 100 kbit/s (REMB only): retransmissions may take 25 kbit/s, a
  // budget of about 1.5 kB at once; its NACK for all twelve packets (about 4 kB) gets some.
  uint8_t remb[64];
  const uint32_t ssrcs[] = {kOutVideo};
  size_t n = rtp::buildRemb(remb, sizeof(remb), 0xABCDEF, 100'000, ssrcs);
  ASSERT_GT(n, 0u);
  subscriber_->sendRtcp(remb, n);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  uint8_t nack[128];
  n = rtp::buildNack(nack, sizeof(nack), 0xABCDEF, kOutVideo, outSeqs);
  ASSERT_GT(n, 0u);
  subscriber_->sendRtcp(nack, n);
  int rtx = 0;
  Received r;
  while (receive(&r, 300)) rtx += r.view.ssrc() == kOutRtx;
  EXPECT_GE(rtx, 1);
  EXPECT_LE(rtx, 5);
  const std::string metrics = plane_->prometheusMetrics();
  EXPECT_NE(metrics.find("treff_retransmissions_withheld_total " + std::to_string(12 - rtx)),
            std::string::npos)
      << metrics;
}

// Layer q packets carry 300 bytes of payload, layer f 700: what arrives tells the layer.
constexpr size_t kQSize = 300, kFSize = 700;

TEST_F(RoomLoopback, ASmallTileGetsTheLowLayerAndALargeOneTheTop) {
  uint16_t q = 100, f = 9000;
  uint32_t ts = 3000;
  // A 320x180 tile: layer q (180 rows) is enough, f is never sent.
  setView({TileView{"P", Source::Camera, 320, 180}});
  sendVideo(kLayerQ, "q", q++, ts, true, 1, kFfVp8, true, kQSize);
  sendVideo(kLayerF, "f", f++, ts, true, 1, kFfVp8, true, kFSize);
  Received r;
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.payloadLength(), kQSize);
  std::vector<uint16_t> seqs{r.view.sequence()};
  for (int i = 0; i < 6; ++i) {
    ts += 3000;
    sendVideo(kLayerF, "f", f++, ts, i == 0, 2, kFfVp8, true, kFSize);
    sendVideo(kLayerQ, "q", q++, ts, false, 2, kFfVp8, true, kQSize);
    ASSERT_TRUE(receive(&r));
    EXPECT_EQ(r.view.payloadLength(), kQSize) << "packet " << i;
    seqs.push_back(r.view.sequence());
  }
  // The tile grows to 1280x720: the server asks for an f key frame and switches there, the
  // numbering running on.
  setView({TileView{"P", Source::Camera, 1280, 720}});
  for (int i = 0; i < 10 && !publisher_->gotPli(kLayerF); ++i) {
    ts += 3000;
    sendVideo(kLayerF, "f", f++, ts, false, 3, kFfVp8, true, kFSize);
    sendVideo(kLayerQ, "q", q++, ts, false, 3, kFfVp8, true, kQSize);
    if (receive(&r, 200)) seqs.push_back(r.view.sequence());
    pumpPublisher(60);
  }
  EXPECT_TRUE(publisher_->gotPli(kLayerF));
  ts += 3000;
  sendVideo(kLayerF, "f", f++, ts, true, 4, kFfVp8, true, kFSize);
  ASSERT_TRUE(receiveSized(&r, kFSize));
  EXPECT_EQ(r.view.sequence(), static_cast<uint16_t>(seqs.back() + 1));
  rtp::Vp8Descriptor d;
  ASSERT_TRUE(rtp::parseVp8Descriptor(r.view.payload(), &d));
  EXPECT_TRUE(d.isKeyframe);
}

TEST_F(RoomLoopback, AHiddenTileIsPausedAndResumesAtAKeyframeWithoutAGap) {
  uint16_t q = 500;
  uint32_t ts = 1000;
  sendVideo(kLayerQ, "q", q++, ts, true, 1);
  Received r;
  ASSERT_TRUE(receive(&r));
  const uint16_t before = r.view.sequence();
  // The tile scrolls out of view (or the grid pages on): video stops, audio goes on.
  setView({});
  auto paused = lastForwarding();
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->paused.size(), 1u);
  EXPECT_EQ(paused->paused[0].first, "P");
  EXPECT_EQ(paused->paused[0].second, Source::Camera);
  for (int i = 0; i < 3; ++i) sendVideo(kLayerQ, "q", q++, ts += 3000, i == 1, 2);
  sendAudio(1, 40);
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.ssrc(), kOutAudio);  // only the audio came
  EXPECT_FALSE(receive(&r, 200));
  // Back in view: nothing until a key frame; then the numbering continues where it stopped.
  setView({TileView{"P", Source::Camera, 640, 360}});
  auto resumed = lastForwarding();
  ASSERT_TRUE(resumed);
  EXPECT_TRUE(resumed->paused.empty());
  sendVideo(kLayerQ, "q", q++, ts += 3000, false, 3);
  EXPECT_FALSE(receive(&r, 200));
  sendVideo(kLayerQ, "q", q++, ts += 3000, true, 4);
  ASSERT_TRUE(receive(&r));
  EXPECT_EQ(r.view.ssrc(), kOutVideo);
  EXPECT_EQ(r.view.sequence(), static_cast<uint16_t>(before + 1));
}

TEST_F(RoomLoopback, TheClientsLastNOfZeroPausesCameras) {
  sendVideo(kLayerQ, "q", 10, 1000, true, 1);
  Received r;
  ASSERT_TRUE(receive(&r));
  setView({TileView{"P", Source::Camera, 640, 360}}, /*lastN=*/0);
  auto paused = lastForwarding();
  ASSERT_TRUE(paused);
  EXPECT_EQ(paused->paused.size(), 1u);
  sendVideo(kLayerQ, "q", 11, 4000, true, 2);
  EXPECT_FALSE(receive(&r, 300));
}

TEST_F(RoomLoopback, ARembBelowTheAudioReservePausesVideo) {
  sendVideo(kLayerQ, "q", 10, 1000, true, 1);
  Received r;
  ASSERT_TRUE(receive(&r));
  // The subscriber can take 30 kbit/s (REMB only, no transport-wide feedback): not even the
  // audio reserve; the camera is paused at the next allocation round (every 500 ms).
  uint8_t remb[64];
  const uint32_t ssrcs[] = {kOutVideo};
  size_t n = rtp::buildRemb(remb, sizeof(remb), 0xABCDEF, 30'000, ssrcs);
  ASSERT_GT(n, 0u);
  std::optional<RoomEvent> paused;
  for (int i = 0; i < 20 && !(paused && !paused->paused.empty()); ++i) {
    subscriber_->sendRtcp(remb, n);
    sendVideo(kLayerQ, "q", static_cast<uint16_t>(11 + i), 1000u + 3000u * i, false, 2);
    receive(&r, 100);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    paused = lastForwarding();
  }
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->paused.size(), 1u);
  EXPECT_EQ(paused->paused[0].first, "P");
}

TEST_F(RoomLoopback, ASpeakerBecomesDominantFromAudioLevels) {
  // A second of room noise, then speech well above it.
  uint16_t seq = 1;
  for (int i = 0; i < 50; ++i, ++seq) {
    sendAudio(seq, 90);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(hadEvent(RoomEvent::Kind::DominantSpeaker, "P"));
  for (int i = 0; i < 100 && !hadEvent(RoomEvent::Kind::DominantSpeaker, "P"); ++i, ++seq) {
    sendAudio(seq, 30);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(hadEvent(RoomEvent::Kind::DominantSpeaker, "P"));
}

TEST(RoomNumbering, TheTestUsesFirefoxsRealNumbering) {
  // The constants above are what negotiating Firefox's real offer gives.
  auto offer = sdp::parse(readFile(std::string(TREFF_TEST_DATA) + "/firefox-offer-simulcast.sdp"));
  ASSERT_TRUE(offer);
  sdp::LocalParameters local;
  local.iceUfrag = "abcd";
  local.icePwd = "0123456789012345678901";
  local.fingerprint = {"sha-256", "AB:CD"};
  auto answer = sdp::negotiateAnswer(*offer, local);
  ASSERT_TRUE(answer) << answer.error();
  const auto& video = answer->media[1];
  EXPECT_EQ(video.codecs.front().name, "VP8");
  EXPECT_EQ(video.codecs.front().payloadType, kFfVp8);
  EXPECT_EQ(video.codecs.front().rtxPayloadType, kFfVp8Rtx);
  EXPECT_EQ(video.extensionIds.at(std::string(rtp::uriOf(rtp::ExtensionType::Mid))), kFfMid);
  EXPECT_EQ(video.extensionIds.at(std::string(rtp::uriOf(rtp::ExtensionType::Rid))), kFfRid);
  EXPECT_EQ(video.extensionIds.at(std::string(rtp::uriOf(rtp::ExtensionType::TransportWideCc))),
            kFfTwcc);
  EXPECT_EQ(answer->media[0].codecs.front().payloadType, kFfOpus);
}

}  // namespace
}  // namespace treff::sfu

namespace treff::sfu {
namespace {

// Loudest-N with N = 1 in a room of three: two publishers' microphones, one subscriber. Until
// anyone speaks, the first to join is heard; when the other one talks and the first falls
// silent, the subscriber hears the other one instead, and never both at once.
TEST(RoomLoudestN, TheSubscriberHearsOnlyTheLoudestAndFollowsTheSpeaker) {
  MediaPlaneConfig config;
  config.workers = 1;
  std::unique_ptr<MediaPlane> owned;
  // A test running in parallel may take the port between asking and binding: try a few.
  for (int attempt = 0; !owned; ++attempt) {
    config.mediaPort = freePort();
    try {
      owned = std::make_unique<MediaPlane>(config);
    } catch (const std::runtime_error&) {
      if (attempt == 4) throw;
    }
  }
  MediaPlane& plane = *owned;
  const uint16_t port = config.mediaPort;
  plane.start();
  RoomConfig roomConfig;
  roomConfig.audioLoudestN = 1;
  roomConfig.audioLoudestMinParticipants = 2;
  const uint64_t room = plane.openRoom(roomConfig);

  constexpr uint32_t kMicA = 0xA0A0A0A1, kMicB = 0xB0B0B0B1;
  constexpr uint32_t kOutA = 0x5C5C0001, kOutB = 0x5C5C0002;
  LoopbackClient a(port, "pubA"), b(port, "pubB"), s(port, "subS");
  auto publish = [&](const std::string& id, LoopbackClient& c, const std::string& ufrag) {
    PublishSpec ps;
    ps.localIce = {ufrag, "server-publish-password-0123"};
    c.describe(ps.remote);
    ps.remote.extensions.set(rtp::ExtensionType::Mid, kFfMid);
    ps.remote.extensions.set(rtp::ExtensionType::AudioLevel, kFfAudioLevel);
    ps.publications.push_back(
        {"0", Source::Microphone, {{"opus", 48000, kFfOpus, std::nullopt}}, {}, {}});
    plane.setPublisher(room, id, ps);
  };
  publish("A", a, "srvpuba");
  publish("B", b, "srvpubb");
  SubscribeSpec ss;
  ss.localIce = {"srvsubs", "server-subscribe-password-0123"};
  s.describe(ss.remote);
  ss.remote.extensions.set(rtp::ExtensionType::Mid, kMid);
  ss.remote.extensions.set(rtp::ExtensionType::AudioLevel, kAudioLevel);
  ss.cname = "subscriber";
  ss.subscriptions.push_back(
      {"0", "A", Source::Microphone, kOutA, 0, {{"opus", 48000, kOpus, std::nullopt}}});
  ss.subscriptions.push_back(
      {"1", "B", Source::Microphone, kOutB, 0, {{"opus", 48000, kOpus, std::nullopt}}});
  plane.setSubscriber(room, "S", ss);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  const std::string fp = plane.certificateFingerprint();
  ASSERT_TRUE(a.connect("srvpuba", "server-publish-password-0123", fp));
  ASSERT_TRUE(b.connect("srvpubb", "server-publish-password-0123", fp));
  ASSERT_TRUE(s.connect("srvsubs", "server-subscribe-password-0123", fp));

  // What the subscriber gets during `packets` rounds of 20 ms, counted per outgoing SSRC.
  auto round = [&](uint16_t& seq, int packets, uint8_t levelA, uint8_t levelB) {
    std::map<uint32_t, int> got;
    for (int i = 0; i < packets; ++i, ++seq) {
      sendOpus(a, kMicA, seq, levelA);
      sendOpus(b, kMicB, seq, levelB);
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
      while (std::chrono::steady_clock::now() < until) {
        auto bytes = s.receiveRtp(5);
        rtp::RtpPacket p;
        if (!bytes.empty() && rtp::RtpPacket::parse(bytes.data(), bytes.size(), &p))
          ++got[p.ssrc()];
      }
    }
    return got;
  };
  uint16_t seq = 1;
  // Both quiet at first: only A, who joined first, is forwarded.
  auto quiet = round(seq, 40, 90, 90);
  EXPECT_GT(quiet[kOutA], 20);
  EXPECT_EQ(quiet[kOutB], 0);
  // B talks (after a second of its room noise), A falls silent: B takes over.
  std::map<uint32_t, int> talking;
  for (int r = 0; r < 6 && talking[kOutB] < 20; ++r) talking = round(seq, 25, 90, 25);
  EXPECT_GT(talking[kOutB], 20) << "B is heard once it speaks";
  auto after = round(seq, 25, 90, 25);
  EXPECT_GT(after[kOutB], 15);
  EXPECT_EQ(after[kOutA], 0) << "and A no longer";
  plane.stop();
}

}  // namespace
}  // namespace treff::sfu
