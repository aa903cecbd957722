#include "rtp/header_extensions.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

struct Extmap {
  int id;
  std::string uri;
};

// Every a=extmap line of one SDP file in tests/data (direction suffixes dropped).
std::vector<Extmap> extmapsOf(const std::string& file) {
  std::ifstream in(std::string(TREFF_TEST_DATA) + "/" + file);
  std::vector<Extmap> out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("a=extmap:", 0) != 0) continue;
    std::istringstream fields(line.substr(9));
    std::string idAndDirection, uri;
    fields >> idAndDirection >> uri;
    out.push_back({std::stoi(idAndDirection), uri});
  }
  return out;
}

// The video m-section's extmap of the unencrypted Chromium offer (the capture's sender); it is a
// superset of the audio one with the same ids.
ExtensionIdMap chromiumIds() {
  ExtensionIdMap ids;
  for (const auto& e : extmapsOf("chromium-offer-simulcast-unencrypted.sdp")) {
    ids.set(extensionTypeFromUri(e.uri), static_cast<uint8_t>(e.id));
  }
  return ids;
}

TEST(HeaderExtensions, KnowsEveryUriChromiumOffers) {
  const auto extmaps = extmapsOf("chromium-offer-simulcast.sdp");
  ASSERT_GE(extmaps.size(), 14u);
  for (const auto& e : extmaps) {
    const ExtensionType t = extensionTypeFromUri(e.uri);
    EXPECT_NE(t, ExtensionType::Unknown) << e.uri;
    EXPECT_EQ(uriOf(t), e.uri);
  }
}

TEST(HeaderExtensions, KnowsFirefoxUrisExceptCsrcAudioLevel) {
  int unknown = 0;
  for (const auto& e : extmapsOf("firefox-offer-simulcast.sdp")) {
    if (extensionTypeFromUri(e.uri) == ExtensionType::Unknown) {
      EXPECT_EQ(e.uri, "urn:ietf:params:rtp-hdrext:csrc-audio-level");
      ++unknown;
    }
  }
  EXPECT_EQ(unknown, 1);
}

TEST(HeaderExtensions, UriRoundTripsForEveryType) {
  for (size_t i = 0; i < kExtensionTypeCount; ++i) {
    const auto t = static_cast<ExtensionType>(i);
    EXPECT_FALSE(uriOf(t).empty());
    EXPECT_EQ(extensionTypeFromUri(uriOf(t)), t);
  }
  EXPECT_EQ(extensionTypeFromUri("urn:ietf:params:rtp-hdrext:sdes:mid "), ExtensionType::Unknown);
  EXPECT_EQ(uriOf(ExtensionType::AbsCaptureTime),
            "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time");
}

TEST(ExtensionIdMap, MapsBothWaysAndRefusesConflicts) {
  ExtensionIdMap ids;
  EXPECT_EQ(ids.idOf(ExtensionType::Mid), 0);
  EXPECT_EQ(ids.typeOf(4), ExtensionType::Unknown);
  EXPECT_TRUE(ids.set(ExtensionType::Mid, 4));
  EXPECT_EQ(ids.idOf(ExtensionType::Mid), 4);
  EXPECT_EQ(ids.typeOf(4), ExtensionType::Mid);
  EXPECT_FALSE(ids.set(ExtensionType::Rid, 4));  // id taken
  EXPECT_FALSE(ids.set(ExtensionType::Mid, 5));  // type mapped
  EXPECT_FALSE(ids.set(ExtensionType::Rid, 0));  // 0 is not an id
  EXPECT_FALSE(ids.set(ExtensionType::Unknown, 6));
  EXPECT_TRUE(ids.set(ExtensionType::Rid, 255));  // two-byte form ids reach 255
  EXPECT_EQ(ids.typeOf(255), ExtensionType::Rid);
  EXPECT_EQ(ids.idOf(ExtensionType::Unknown), 0);
}

TEST(ExtensionIdMap, FollowsChromiumOffer) {
  const ExtensionIdMap ids = chromiumIds();
  EXPECT_EQ(ids.idOf(ExtensionType::AudioLevel), 1);
  EXPECT_EQ(ids.idOf(ExtensionType::AbsSendTime), 2);
  EXPECT_EQ(ids.idOf(ExtensionType::TransportWideCc), 3);
  EXPECT_EQ(ids.idOf(ExtensionType::Mid), 4);
  EXPECT_EQ(ids.idOf(ExtensionType::Rid), 10);
  EXPECT_EQ(ids.idOf(ExtensionType::RepairedRid), 11);
  EXPECT_EQ(ids.idOf(ExtensionType::DependencyDescriptor), 12);
  EXPECT_EQ(ids.idOf(ExtensionType::TransmissionTimeOffset), 14);
}

TEST(HeaderExtensions, ReadsValuesFromCapturedChromiumCall) {
  const ExtensionIdMap ids = chromiumIds();
  auto captured = rtptest::capturedRtp();
  int audio = 0, video = 0, withMid = 0;
  std::optional<uint16_t> lastTw;
  for (auto& c : captured) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    // One transport-wide sequence across audio, video and RTX: it increases by one per packet.
    const auto tw = readTransportWideSeq(p, ids);
    ASSERT_TRUE(tw.has_value());
    if (lastTw) EXPECT_EQ(*tw, static_cast<uint16_t>(*lastTw + 1));
    lastTw = tw;
    EXPECT_TRUE(readAbsSendTime(p, ids).has_value());

    const std::string_view mid = readMid(p, ids);
    if (!mid.empty()) ++withMid;
    if (p.payloadType() == 111) {
      ++audio;
      EXPECT_TRUE(mid.empty() || mid == "0");
      const auto level = readAudioLevel(p, ids);
      ASSERT_TRUE(level.has_value());
      EXPECT_LE(level->levelDbov, 127);
      EXPECT_TRUE(readRid(p, ids).empty());
    } else {
      ++video;
      EXPECT_TRUE(mid.empty() || mid == "1");
      EXPECT_FALSE(readAudioLevel(p, ids).has_value());
    }
  }
  EXPECT_EQ(audio, 400);
  EXPECT_EQ(video, 198);
  EXPECT_GT(withMid, 0);
  EXPECT_EQ(*lastTw, 598);
}

TEST(HeaderExtensions, AbsSendTimeFollowsCaptureClock) {
  // abs-send-time is the sender's clock in 6.18 s; over the capture it must advance like the
  // capture timestamps (loopback: sub-millisecond transit), modulo 64 s.
  const ExtensionIdMap ids = chromiumIds();
  auto captured = rtptest::capturedRtp();
  RtpPacket first, last;
  ASSERT_TRUE(
      RtpPacket::parse(captured.front().bytes.data(), captured.front().bytes.size(), &first));
  ASSERT_TRUE(RtpPacket::parse(captured.back().bytes.data(), captured.back().bytes.size(), &last));
  const uint32_t span = (*readAbsSendTime(last, ids) - *readAbsSendTime(first, ids)) & 0xffffff;
  const int64_t sendSpanUs = static_cast<int64_t>(absSendTimeToUs(span));
  const int64_t captureSpanUs =
      static_cast<int64_t>(captured.back().timestampUs - captured.front().timestampUs);
  EXPECT_GT(captureSpanUs, 5'000'000);
  EXPECT_NEAR(sendSpanUs, captureSpanUs, 20'000);
}

TEST(HeaderExtensions, AbsSendTimeConversions) {
  EXPECT_EQ(absSendTimeFromUs(1'000'000), 1u << 18);
  EXPECT_EQ(absSendTimeFromUs(64'000'000), 0u);  // wraps every 64 s
  EXPECT_EQ(absSendTimeFromUs(500'000), 1u << 17);
  EXPECT_EQ(absSendTimeToUs(1u << 18), 1'000'000u);
  EXPECT_EQ(absSendTimeToUs(0xffffff), 63'999'996u);
}

TEST(HeaderExtensions, WritesTransportWideSeqInPlace) {
  const ExtensionIdMap ids = chromiumIds();
  auto captured = rtptest::capturedRtp();
  auto& bytes = captured[5].bytes;
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(bytes.data(), bytes.size(), &p));
  ASSERT_TRUE(writeTransportWideSeq(p, ids, 0xbeef));
  EXPECT_EQ(readTransportWideSeq(p, ids), 0xbeef);
  ASSERT_TRUE(writeAbsSendTime(p, ids, 0x123456));
  EXPECT_EQ(readAbsSendTime(p, ids), 0x123456u);
  ExtensionIdMap none;
  EXPECT_FALSE(writeTransportWideSeq(p, none, 1));
  EXPECT_FALSE(readTransportWideSeq(p, none).has_value());
  EXPECT_TRUE(readMid(p, none).empty());
}

TEST(HeaderExtensions, ReadsRfc6464AudioLevelBits) {
  std::vector<uint8_t> out(64);
  const uint8_t level[1] = {0x80 | 42};
  const size_t n = RtpPacketBuilder(out, {111, false, 1, 2, 3}).addExtension(1, level).finish();
  RtpPacket p;
  ASSERT_TRUE(RtpPacket::parse(out.data(), n, &p));
  ExtensionIdMap ids;
  ids.set(ExtensionType::AudioLevel, 1);
  const auto v = readAudioLevel(p, ids);
  ASSERT_TRUE(v.has_value());
  EXPECT_TRUE(v->voiceActivity);
  EXPECT_EQ(v->levelDbov, 42);
}

}  // namespace
}  // namespace treff::rtp
