#include "rtp/stream_identifier.hpp"

#include <gtest/gtest.h>

#include <map>
#include <stdexcept>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

constexpr uint32_t kOpusSsrc = 425219805;  // a=ssrc in the offer
constexpr uint32_t kVideoSsrc = 0x383114d1;
constexpr uint32_t kRtxSsrc = 0xcf3f81d0;

// The extmap ids of chromium-offer-simulcast-unencrypted.sdp.
ExtensionIdMap chromiumIds() {
  ExtensionIdMap ids;
  ids.set(ExtensionType::AudioLevel, 1);
  ids.set(ExtensionType::AbsSendTime, 2);
  ids.set(ExtensionType::TransportWideCc, 3);
  ids.set(ExtensionType::Mid, 4);
  ids.set(ExtensionType::Rid, 10);
  ids.set(ExtensionType::RepairedRid, 11);
  return ids;
}

std::vector<uint8_t> packet(uint8_t pt, uint32_t ssrc,
                            std::initializer_list<std::pair<uint8_t, std::string_view>> exts) {
  std::vector<uint8_t> out(200);
  RtpPacketBuilder b(out, {pt, false, 1, 2, ssrc});
  for (auto& [id, v] : exts) {
    b.addExtension(id, util::ConstBytes(reinterpret_cast<const uint8_t*>(v.data()), v.size()));
  }
  const uint8_t payload[4] = {1, 2, 3, 4};
  out.resize(b.setPayload(payload).finish());
  return out;
}

const StreamInfo* lookupBytes(StreamIdentifier& id, std::vector<uint8_t>& bytes,
                              StreamLookupMiss* why = nullptr) {
  RtpPacket p;
  if (!RtpPacket::parse(bytes.data(), bytes.size(), &p)) return nullptr;
  return id.lookup(p, why);
}

TEST(StreamIdentifier, IdentifiesEveryPacketOfCapturedCall) {
  StreamIdentifier id(chromiumIds());
  id.addSsrc(kOpusSsrc, "0");    // signalled in the offer's audio section
  id.addRepairPayloadType(97);   // a=fmtp:97 apt=96
  id.addRepairPayloadType(119);  // a=fmtp:119 apt=118
  std::map<uint32_t, int> counts;
  int withoutMid = 0;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.ssrc() != kOpusSsrc && readMid(p, chromiumIds()).empty()) ++withoutMid;
    StreamLookupMiss why;
    const StreamInfo* info = id.lookup(p, &why);
    ASSERT_NE(info, nullptr) << "ssrc " << p.ssrc() << " miss " << static_cast<int>(why);
    EXPECT_EQ(info->ssrc, p.ssrc());
    ++counts[p.ssrc()];
  }
  EXPECT_EQ(counts[kOpusSsrc], 400);
  EXPECT_EQ(counts[kVideoSsrc], 183);
  EXPECT_EQ(counts[kRtxSsrc], 15);
  // Chromium stopped sending MID/RID once the SSRCs were acknowledged: later packets are found
  // only because the identifier remembered them.
  EXPECT_GT(withoutMid, 0);

  const StreamInfo* video = id.find(kVideoSsrc);
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->mid, "1");
  EXPECT_EQ(video->rid, "q");
  EXPECT_FALSE(video->isRepair);
  const StreamInfo* rtx = id.find(kRtxSsrc);
  ASSERT_NE(rtx, nullptr);
  EXPECT_EQ(rtx->mid, "1");
  EXPECT_EQ(rtx->rid, "q");
  EXPECT_TRUE(rtx->isRepair);
  EXPECT_EQ(rtx->primarySsrc, kVideoSsrc);
  EXPECT_EQ(id.find(kOpusSsrc)->mid, "0");
  EXPECT_EQ(id.size(), 3u);
}

TEST(StreamIdentifier, UnknownSsrcWithoutExtensionsIsUnidentified) {
  StreamIdentifier id(chromiumIds());
  auto bytes = packet(96, 1234, {});
  StreamLookupMiss why;
  EXPECT_EQ(lookupBytes(id, bytes, &why), nullptr);
  EXPECT_EQ(why, StreamLookupMiss::Unidentified);
  EXPECT_EQ(id.size(), 0u);
}

TEST(StreamIdentifier, LearnsSimulcastLayersAndLinksRepairsInEitherOrder) {
  StreamIdentifier id(chromiumIds());
  auto rtxH = packet(97, 20, {{4, "1"}, {11, "h"}});
  auto h = packet(96, 2, {{4, "1"}, {10, "h"}});
  auto q = packet(96, 1, {{4, "1"}, {10, "q"}});
  const StreamInfo* r = lookupBytes(id, rtxH);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->isRepair);
  EXPECT_EQ(r->primarySsrc, 0u);  // not seen yet
  ASSERT_NE(lookupBytes(id, q), nullptr);
  EXPECT_EQ(id.find(20)->primarySsrc, 0u);  // q is not what it repairs
  ASSERT_NE(lookupBytes(id, h), nullptr);
  EXPECT_EQ(id.find(20)->primarySsrc, 2u);
  EXPECT_EQ(id.find(2)->rid, "h");
  // A repair stream arriving after its primary is linked at once.
  auto rtxQ = packet(97, 10, {{4, "1"}, {11, "q"}});
  const StreamInfo* rq = lookupBytes(id, rtxQ);
  ASSERT_NE(rq, nullptr);
  EXPECT_EQ(rq->primarySsrc, 1u);
}

TEST(StreamIdentifier, RidLessRepairOnRtxPayloadTypeLinksToSinglePrimary) {
  // Without simulcast Chromium's RTX carries only the MID; the RTX payload type marks it.
  StreamIdentifier id(chromiumIds());
  id.addRepairPayloadType(97);
  auto primary = packet(96, 1, {{4, "1"}});
  auto rtx = packet(97, 2, {{4, "1"}});
  ASSERT_NE(lookupBytes(id, primary), nullptr);
  const StreamInfo* r = lookupBytes(id, rtx);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->isRepair);
  EXPECT_EQ(r->primarySsrc, 1u);
  EXPECT_FALSE(id.find(1)->isRepair);
}

TEST(StreamIdentifier, RemembersSsrcOnceExtensionsStop) {
  StreamIdentifier id(chromiumIds());
  auto first = packet(96, 5, {{4, "1"}, {10, "f"}});
  auto later = packet(96, 5, {});
  ASSERT_NE(lookupBytes(id, first), nullptr);
  const StreamInfo* info = lookupBytes(id, later);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->rid, "f");
}

TEST(StreamIdentifier, FallsBackToUnambiguousPayloadType) {
  StreamIdentifier id(ExtensionIdMap{});  // no MID extension negotiated
  id.addPayloadTypeMid(111, "0");
  id.addPayloadTypeMid(96, "1");
  id.addPayloadTypeMid(100, "1");
  id.addPayloadTypeMid(100, "2");  // now ambiguous
  auto audio = packet(111, 9, {});
  auto shared = packet(100, 10, {});
  const StreamInfo* a = lookupBytes(id, audio);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->mid, "0");
  StreamLookupMiss why;
  EXPECT_EQ(lookupBytes(id, shared, &why), nullptr);
  EXPECT_EQ(why, StreamLookupMiss::Unidentified);
}

TEST(StreamIdentifier, SignalledFidGroupNamesPrimary) {
  StreamIdentifier id(chromiumIds());
  id.addSsrc(100, "1");
  id.addRepairSsrc(101, 100);
  const StreamInfo* rtx = id.find(101);
  ASSERT_NE(rtx, nullptr);
  EXPECT_TRUE(rtx->isRepair);
  EXPECT_EQ(rtx->primarySsrc, 100u);
  EXPECT_EQ(rtx->mid, "1");
  EXPECT_THROW(id.addRepairSsrc(103, 999), std::invalid_argument);
  EXPECT_THROW(id.addSsrc(100, "1"), std::invalid_argument);
}

TEST(StreamIdentifier, RefusesNewSsrcWhenFullAndReusesForgottenSlot) {
  StreamIdentifier id(chromiumIds(), 2);
  auto a = packet(96, 1, {{4, "1"}});
  auto b = packet(96, 2, {{4, "1"}});
  auto c = packet(96, 3, {{4, "1"}});
  ASSERT_NE(lookupBytes(id, a), nullptr);
  ASSERT_NE(lookupBytes(id, b), nullptr);
  StreamLookupMiss why;
  EXPECT_EQ(lookupBytes(id, c, &why), nullptr);
  EXPECT_EQ(why, StreamLookupMiss::TableFull);
  EXPECT_THROW(id.addSsrc(4, "0"), std::runtime_error);
  EXPECT_TRUE(id.forget(1));
  EXPECT_FALSE(id.forget(1));
  EXPECT_EQ(id.find(1), nullptr);
  EXPECT_NE(lookupBytes(id, c), nullptr);
  EXPECT_NE(id.find(2), nullptr);
  EXPECT_EQ(id.size(), 2u);
}

}  // namespace
}  // namespace treff::rtp
