// Scalable video through a room on loopback: the real packets of Chromium's one-stream L3T3_KEY
// cameras (tests/data/chromium-{vp9,av1}-svc-unencrypted.pcap) are replayed as a publisher's,
// and a subscriber whose tile needs less than the top layer must get the spatial layers it
// needs and no more: gap-free numbering, a marker at the end of each picture it gets, an upper
// layer only from a key picture on, and for AV1 the dependency descriptor carried along (in the
// two-byte header form when it holds a key frame's structure).
#include <gtest/gtest.h>

#include <mutex>
#include <thread>

#include "../rtp/rtp_pcap_util.hpp"
#include "loopback_client.hpp"
#include "rtp/dependency_descriptor.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp9_descriptor.hpp"
#include "sfu/media_plane.hpp"

namespace treff::sfu {
namespace {

using test_support::freePort;
using test_support::LoopbackClient;
using test_support::vp8Payload;

// The captures' numbering (their .sdp files): MID 9, abs-send-time 2, transport-wide CC 4,
// dependency descriptor 13; VP9 98 (RTX 99), AV1 45 (RTX 46); MID "0".
constexpr uint8_t kCapMid = 9, kCapAbsSendTime = 2, kCapTwcc = 4, kCapDd = 13;
// The server's subscribe offers.
constexpr uint8_t kMid = 4, kTwcc = 3, kAbsSendTime = 2, kDd = 12;
constexpr uint32_t kOutVideo = 0x5C5C0001, kOutRtx = 0x5C5C0002;
// VP8 on both sides (the codec a room falls back to): the captures' and the offers' numbers.
constexpr uint8_t kVp8Pt = 96, kVp8RtxPt = 97;

struct Codec {
  const char* name;
  uint8_t capturePt, captureRtxPt;
  uint8_t outPt, outRtxPt;
  const char* file;
};
constexpr Codec kVp9{"VP9", 98, 99, 98, 99, "chromium-vp9-svc-unencrypted.pcap"};
constexpr Codec kAv1{"AV1", 45, 46, 45, 46, "chromium-av1-svc-unencrypted.pcap"};

// Where a captured or received packet sits, read the way a receiver would.
struct Layer {
  bool ok = false;
  int spatial = 0;
  bool keyStart = false;  // first packet of a key picture
  bool frameEnd = false;
};

class RoomSvc : public ::testing::TestWithParam<Codec> {
 protected:
  void SetUp() override {
    codec_ = GetParam();
    port_ = freePort();
    plane_ = test_support::startLoopbackPlane(port_, [this](RoomEvent e) {
      std::lock_guard lock(eventsMutex_);
      if (e.kind == RoomEvent::Kind::PublisherLayers) layerEvents_.push_back(e);
    });
    room_ = plane_->openRoom();
    publisher_ = std::make_unique<LoopbackClient>(port_, "spub");
    subscriber_ = std::make_unique<LoopbackClient>(port_, "ssub");

    PublishSpec ps;
    ps.localIce = {"svcpublish", "server-publish-password-0123"};
    publisher_->describe(ps.remote);
    ps.remote.extensions.set(rtp::ExtensionType::Mid, kCapMid);
    ps.remote.extensions.set(rtp::ExtensionType::AbsSendTime, kCapAbsSendTime);
    ps.remote.extensions.set(rtp::ExtensionType::TransportWideCc, kCapTwcc);
    ps.remote.extensions.set(rtp::ExtensionType::DependencyDescriptor, kCapDd);
    ps.publications.push_back({"0",
                               Source::Camera,
                               {{codec_.name, 90000, codec_.capturePt, codec_.captureRtxPt},
                                {"VP8", 90000, kVp8Pt, kVp8RtxPt}},
                               {},
                               {}});
    plane_->setPublisher(room_, "P", ps);

    SubscribeSpec ss;
    ss.localIce = {"svcsubscribe", "server-subscribe-password-0123"};
    subscriber_->describe(ss.remote);
    ss.remote.extensions.set(rtp::ExtensionType::Mid, kMid);
    ss.remote.extensions.set(rtp::ExtensionType::TransportWideCc, kTwcc);
    ss.remote.extensions.set(rtp::ExtensionType::AbsSendTime, kAbsSendTime);
    ss.remote.extensions.set(rtp::ExtensionType::DependencyDescriptor, kDd);
    ss.cname = "subscriber";
    ss.subscriptions.push_back(
        {"0",
         "P",
         Source::Camera,
         kOutVideo,
         kOutRtx,
         {{codec_.name, 90000, codec_.outPt, codec_.outRtxPt}, {"VP8", 90000, kVp8Pt, kVp8RtxPt}}});
    plane_->setSubscriber(room_, "S", ss);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSERT_TRUE(publisher_->connect("svcpublish", "server-publish-password-0123",
                                    plane_->certificateFingerprint()));
    ASSERT_TRUE(subscriber_->connect("svcsubscribe", "server-subscribe-password-0123",
                                     plane_->certificateFingerprint()));
    for (auto& c : rtp::rtptest::capturedRtp(codec_.file)) {
      rtp::RtpPacket p;
      if (rtp::RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p) &&
          p.payloadType() == codec_.capturePt)
        capture_.push_back(std::move(c.bytes));
    }
    ASSERT_GT(capture_.size(), 200u);
  }
  void TearDown() override { plane_->stop(); }

  void setTile(uint32_t width, uint32_t height) {
    ViewSpec view;
    view.reported = true;
    view.tiles = {TileView{"P", Source::Camera, width, height}};
    plane_->setView(room_, "S", view);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // Reads a packet's layer: the VP9 descriptor, or the dependency descriptor (id `ddId`)
  // against `structure`.
  Layer layerOf(const rtp::RtpPacket& p, uint8_t ddId, rtp::FrameDependencyStructure& structure) {
    Layer l;
    if (codec_.capturePt == kVp9.capturePt) {
      rtp::Vp9Descriptor d;
      if (!rtp::parseVp9Descriptor(p.payload(), &d)) return l;
      return {true, d.spatialId, d.isKeyframe(), d.endOfFrame};
    }
    rtp::DependencyDescriptor d;
    if (!rtp::parseDependencyDescriptor(p.findExtension(ddId), structure, &d)) return l;
    return {true, d.spatialId, d.carriesStructure && d.startOfFrame, d.endOfFrame};
  }

  // Replays capture_[from, to) with a pause every few packets (the loopback socket's buffer),
  // collecting what the subscriber gets.
  void replay(size_t from, size_t to, std::vector<std::vector<uint8_t>>* got) {
    for (size_t i = from; i < to; ++i) {
      publisher_->sendRtp(capture_[i].data(), capture_[i].size());
      if (i % 8 == 7) drain(got, 5);
    }
    drain(got, 200);
  }
  void drain(std::vector<std::vector<uint8_t>>* got, int waitMs) {
    for (;;) {
      auto bytes = subscriber_->receiveRtp(waitMs);
      if (bytes.empty()) return;
      rtp::RtpPacket p;
      if (rtp::RtpPacket::parse(bytes.data(), bytes.size(), &p) && p.ssrc() == kOutVideo)
        got->push_back(std::move(bytes));
    }
  }
  // The last layers the publisher was told to send: (needed layer, layer count); (-1, 0) if none.
  std::pair<int, size_t> lastLayersEvent() {
    std::lock_guard lock(eventsMutex_);
    if (layerEvents_.empty()) return {-1, 0};
    return {layerEvents_.back().neededLayer, layerEvents_.back().layerCount};
  }

  std::mutex eventsMutex_;
  std::vector<RoomEvent> layerEvents_;
  Codec codec_;
  uint16_t port_ = 0;
  std::unique_ptr<MediaPlane> plane_;
  uint64_t room_ = 0;
  std::unique_ptr<LoopbackClient> publisher_;
  std::unique_ptr<LoopbackClient> subscriber_;
  std::vector<std::vector<uint8_t>> capture_;
};

TEST_P(RoomSvc, ASmallTileGetsTheBaseLayerOnlyThenTheUpperOnesFromAKeyPicture) {
  // What the capture holds, per packet.
  rtp::FrameDependencyStructure capStructure;
  std::vector<Layer> sent;
  for (auto& bytes : capture_) {
    rtp::RtpPacket p;
    ASSERT_TRUE(rtp::RtpPacket::parse(bytes.data(), bytes.size(), &p));
    sent.push_back(layerOf(p, kCapDd, capStructure));
    ASSERT_TRUE(sent.back().ok);
  }
  // The second half starts at the sender's last key picture (after it halved its size).
  size_t lastKey = 0;
  for (size_t i = 0; i < sent.size(); ++i) {
    if (sent[i].keyStart) lastKey = i;
  }
  ASSERT_GT(lastKey, sent.size() / 3);

  // A 320x180 tile: the base layer (320x180) is enough.
  setTile(320, 180);
  std::vector<std::vector<uint8_t>> got;
  replay(0, lastKey, &got);
  size_t baseSent = 0;
  for (size_t i = 0; i < lastKey; ++i) baseSent += sent[i].spatial == 0;
  EXPECT_EQ(got.size(), baseSent) << "every base layer packet, nothing above it";
  rtp::FrameDependencyStructure outStructure;
  int pictures = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    rtp::RtpPacket p;
    ASSERT_TRUE(rtp::RtpPacket::parse(got[i].data(), got[i].size(), &p));
    EXPECT_EQ(p.payloadType(), codec_.outPt);
    if (i > 0) {
      rtp::RtpPacket prev;
      ASSERT_TRUE(rtp::RtpPacket::parse(got[i - 1].data(), got[i - 1].size(), &prev));
      EXPECT_EQ(p.sequence(), static_cast<uint16_t>(prev.sequence() + 1)) << "no gap at " << i;
    }
    const Layer l = layerOf(p, kDd, outStructure);
    ASSERT_TRUE(l.ok) << "packet " << i << " carries what the receiver needs to place it";
    EXPECT_EQ(l.spatial, 0);
    // Each picture now ends with its base layer: the server marks it.
    EXPECT_EQ(p.marker(), l.frameEnd) << "packet " << i;
    pictures += p.marker();
  }
  EXPECT_GT(pictures, 20);
  if (codec_.capturePt == kAv1.capturePt) {
    // The key frame's descriptor, with its structure, went out in the two-byte form.
    rtp::RtpPacket first;
    ASSERT_TRUE(rtp::RtpPacket::parse(got.front().data(), got.front().size(), &first));
    EXPECT_EQ(first.extensionForm(), rtp::ExtensionForm::TwoByte);
    EXPECT_GT(first.findExtension(kDd).size(), 16u);
    EXPECT_TRUE(outStructure.valid);
  }

  // Nobody needs more than the base layer: the publisher is told to send only that of the three.
  EXPECT_EQ(lastLayersEvent(), (std::pair<int, size_t>{0, 3}));

  // The tile grows: the server asks for a key picture, and from the next one on (the capture's
  // last) the upper layers come too, numbered on without a gap.
  setTile(1280, 720);
  bool pli = false;
  for (int i = 0; i < 30 && !pli; ++i) {
    publisher_->receiveRtp(50);  // collects its RTCP
    pli = publisher_->gotPli();
  }
  EXPECT_TRUE(pli);
  const size_t before = got.size();
  replay(lastKey, capture_.size(), &got);
  size_t afterSent = capture_.size() - lastKey;
  EXPECT_EQ(got.size() - before, afterSent) << "every layer of every picture from the key on";
  int upper = 0;
  for (size_t i = before; i < got.size(); ++i) {
    rtp::RtpPacket p, prev;
    ASSERT_TRUE(rtp::RtpPacket::parse(got[i].data(), got[i].size(), &p));
    ASSERT_TRUE(rtp::RtpPacket::parse(got[i - 1].data(), got[i - 1].size(), &prev));
    EXPECT_EQ(p.sequence(), static_cast<uint16_t>(prev.sequence() + 1)) << "no gap at " << i;
    const Layer l = layerOf(p, kDd, outStructure);
    ASSERT_TRUE(l.ok);
    upper += l.spatial > 0;
    // Markers are the publisher's again: only a picture's top layer has one.
    if (p.marker()) EXPECT_TRUE(l.frameEnd);
  }
  EXPECT_GT(upper, 20);
  // And the publisher is told to send every layer again.
  EXPECT_EQ(lastLayersEvent(), (std::pair<int, size_t>{2, 3}));
}

TEST_P(RoomSvc, AnotherCodecOnTheSameTrackIsOneLayerAgain) {
  // The room falls back to VP8 while the camera keeps its track (and SSRC): the publication
  // that was scalable must forward the new codec's single layer, from its key frame on.
  setTile(320, 180);
  std::vector<std::vector<uint8_t>> got;
  replay(0, 120, &got);
  ASSERT_FALSE(got.empty());
  rtp::RtpPacket last;
  ASSERT_TRUE(rtp::RtpPacket::parse(capture_[119].data(), capture_[119].size(), &last));
  got.clear();
  uint16_t seq = static_cast<uint16_t>(last.sequence() + 1);
  uint32_t ts = last.timestamp() + 3000;
  for (uint16_t i = 0; i < 10; ++i, ++seq, ts += 3000) {
    uint8_t buf[600];
    rtp::RtpHeaderFields h{kVp8Pt, true, seq, ts, last.ssrc()};
    const auto payload = vp8Payload(i == 0, i);
    const size_t n =
        rtp::RtpPacketBuilder(util::MutableBytes(buf, sizeof(buf)), h)
            .addExtension(kCapMid, util::ConstBytes(reinterpret_cast<const uint8_t*>("0"), 1))
            .setPayload(payload)
            .finish();
    publisher_->sendRtp(buf, n);
  }
  drain(&got, 300);
  ASSERT_EQ(got.size(), 10u) << "every VP8 packet, from the key frame on";
  for (size_t i = 0; i < got.size(); ++i) {
    rtp::RtpPacket p;
    ASSERT_TRUE(rtp::RtpPacket::parse(got[i].data(), got[i].size(), &p));
    EXPECT_EQ(p.payloadType(), kVp8Pt);
    EXPECT_TRUE(p.marker());
    if (i > 0) {
      rtp::RtpPacket prev;
      ASSERT_TRUE(rtp::RtpPacket::parse(got[i - 1].data(), got[i - 1].size(), &prev));
      EXPECT_EQ(p.sequence(), static_cast<uint16_t>(prev.sequence() + 1));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Vp9AndAv1, RoomSvc, ::testing::Values(kVp9, kAv1),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace treff::sfu
