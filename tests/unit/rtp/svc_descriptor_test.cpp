// The layer information of scalable (SVC) video on real packets: Chromium 156 loopback calls
// sending the fake 1280x720 camera as one L3T3_KEY encoding (three spatial layers, three
// temporal), in VP9 (the payload descriptor's layer indices and scalability structure) and in
// AV1 (the dependency descriptor header extension). In both the sender starts with fewer
// spatial layers while its estimate ramps up, and halves its resolution midway, which drops the
// top layer (tests/data/README.md).
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "rtp/dependency_descriptor.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/video_keyframe.hpp"
#include "rtp/vp9_descriptor.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

constexpr uint8_t kVp9Pt = 98;  // a=rtpmap:98 VP9/90000 in chromium-vp9-svc-unencrypted.sdp
constexpr uint8_t kAv1Pt = 45;  // a=rtpmap:45 AV1/90000 in chromium-av1-svc-unencrypted.sdp

// The capture's id for the dependency descriptor, from its SDP's a=extmap line.
int dependencyDescriptorId(const char* sdpFile) {
  std::ifstream in(std::string(TREFF_TEST_DATA) + "/" + sdpFile);
  std::stringstream text;
  text << in.rdbuf();
  std::smatch m;
  const std::string sdp = text.str();
  const std::regex line(
      R"(a=extmap:(\d+) https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor)");
  return std::regex_search(sdp, m, line) ? std::stoi(m[1]) : 0;
}

std::vector<RtpPacket> mediaPackets(const char* file, uint8_t pt,
                                    std::vector<rtptest::CapturedRtp>& keep) {
  keep = rtptest::capturedRtp(file);
  std::vector<RtpPacket> out;
  for (auto& c : keep) {
    RtpPacket p;
    if (RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p) && p.payloadType() == pt)
      out.push_back(p);
  }
  return out;
}

TEST(Vp9SvcCapture, LayerIndicesCoverThreeSpatialAndThreeTemporalLayers) {
  std::vector<rtptest::CapturedRtp> keep;
  auto packets = mediaPackets("chromium-vp9-svc-unencrypted.pcap", kVp9Pt, keep);
  ASSERT_GT(packets.size(), 200u);
  std::set<std::pair<int, int>> layers;
  int pictureEnds = 0, layerEnds = 0;
  for (const auto& p : packets) {
    Vp9Descriptor d;
    Vp9Error why;
    ASSERT_TRUE(parseVp9Descriptor(p.payload(), &d, &why)) << static_cast<int>(why);
    ASSERT_TRUE(d.hasLayerIndices);
    EXPECT_TRUE(d.flexibleMode);
    layers.insert({d.spatialId, d.temporalId});
    if (d.endOfFrame) {
      ++layerEnds;
      if (p.marker()) ++pictureEnds;
    } else {
      EXPECT_FALSE(p.marker()) << "the marker ends a picture, never a frame's middle";
    }
    // The key pictures' upper layers refer to the layer below, never to an earlier picture;
    // between key pictures (the _KEY mode) no layer refers to another.
    if (d.spatialId > 0 && d.startOfFrame && d.interLayerDependent) EXPECT_FALSE(d.interPredicted);
  }
  EXPECT_EQ(layers.size(), 9u) << "S0..S2 x T0..T2";
  // Every spatial layer's frame ends with E; only the picture's last (the top layer sent) also
  // carries the marker.
  EXPECT_GT(layerEnds, 2 * pictureEnds);
}

TEST(Vp9SvcCapture, KeyPicturesCarryTheLayersSizes) {
  std::vector<rtptest::CapturedRtp> keep;
  auto packets = mediaPackets("chromium-vp9-svc-unencrypted.pcap", kVp9Pt, keep);
  std::vector<std::vector<std::pair<int, int>>> structures;
  for (const auto& p : packets) {
    Vp9Descriptor d;
    ASSERT_TRUE(parseVp9Descriptor(p.payload(), &d));
    if (!d.hasScalability) continue;
    EXPECT_TRUE(d.isKeyframe());
    ASSERT_TRUE(d.hasResolutions);
    std::vector<std::pair<int, int>> sizes;
    for (size_t i = 0; i < d.spatialLayerCount; ++i) sizes.push_back({d.width[i], d.height[i]});
    structures.push_back(sizes);
    // The VP9 frame starts right after the structure: a key frame's uncompressed header
    // begins with the frame marker (0b10), profile 0 and show_existing_frame 0.
    ASSERT_LT(d.size, p.payload().size());
    EXPECT_EQ(p.payload()[d.size] >> 6, 0b10);
  }
  // Ramp-up with one layer, then all three, then two after the sender halved its resolution.
  using S = std::vector<std::pair<int, int>>;
  ASSERT_EQ(structures.size(), 3u);
  EXPECT_EQ(structures[0], (S{{320, 180}}));
  EXPECT_EQ(structures[1], (S{{320, 180}, {640, 360}, {1280, 720}}));
  EXPECT_EQ(structures[2], (S{{320, 180}, {640, 360}}));
}

TEST(Vp9Descriptor, RejectsAScalabilityStructureCutShort) {
  // I=0 P=0 L=0 F=0 B=1 E=1 V=1 Z=0; N_S=2 with Y: three sizes announced, one and a half sent.
  const uint8_t cut[] = {0x0e, 0x50, 0x01, 0x40, 0x00, 0xb4, 0x02, 0x80};
  Vp9Descriptor d;
  Vp9Error why;
  EXPECT_FALSE(parseVp9Descriptor(cut, &d, &why));
  EXPECT_EQ(why, Vp9Error::Truncated);
  // A group announced with a picture whose reference count runs past the end.
  const uint8_t group[] = {0x0e, 0x08, 0x02, 0x0c, 0x01};
  EXPECT_FALSE(parseVp9Descriptor(group, &d, &why));
  EXPECT_EQ(why, Vp9Error::Truncated);
}

struct Av1Frame {
  uint16_t frameNumber;
  uint8_t spatialId;
  uint8_t temporalId;
};

TEST(DependencyDescriptorCapture, EveryPacketParsesAfterTheFirstStructure) {
  const int id = dependencyDescriptorId("chromium-av1-svc-unencrypted.sdp");
  ASSERT_EQ(id, 13);
  std::vector<rtptest::CapturedRtp> keep;
  auto packets = mediaPackets("chromium-av1-svc-unencrypted.pcap", kAv1Pt, keep);
  ASSERT_GT(packets.size(), 200u);
  FrameDependencyStructure structure;
  std::vector<FrameDependencyStructure> structures;
  std::set<std::pair<int, int>> layers;
  std::map<uint16_t, Av1Frame> frames;
  int starts = 0, ends = 0;
  for (const auto& p : packets) {
    util::ConstBytes ext = p.findExtension(static_cast<uint8_t>(id));
    ASSERT_NE(ext.data(), nullptr) << "every AV1 packet carries the descriptor";
    DependencyDescriptor d;
    DdError why;
    ASSERT_TRUE(parseDependencyDescriptor(ext, structure, &d, &why))
        << "seq " << p.sequence() << ": " << static_cast<int>(why);
    if (d.carriesStructure) {
      structures.push_back(structure);
      // Chromium sends a new structure with each key frame, on its first packet.
      EXPECT_TRUE(d.startOfFrame);
      EXPECT_EQ(d.spatialId, 0);
      EXPECT_TRUE(isKeyframe(VideoCodec::Av1, p.payload()));
    }
    layers.insert({d.spatialId, d.temporalId});
    if (d.startOfFrame) {
      ++starts;
      frames[d.frameNumber] = {d.frameNumber, d.spatialId, d.temporalId};
    }
    if (d.endOfFrame) ++ends;
    if (p.marker()) EXPECT_TRUE(d.endOfFrame) << "a temporal unit ends with a frame's end";
  }
  EXPECT_EQ(starts, ends);
  EXPECT_EQ(layers.size(), 9u) << "S0..S2 x T0..T2";
  ASSERT_GE(structures.size(), 2u);
  // L3T3_KEY: nine decode targets (three spatial x three temporal), fifteen templates.
  const FrameDependencyStructure& s = structures.front();
  EXPECT_EQ(s.decodeTargetCount, 9);
  EXPECT_EQ(s.templateCount, 15);
  EXPECT_EQ(s.maxSpatialId, 2);
  EXPECT_EQ(s.maxTemporalId, 2);
  EXPECT_EQ(s.chainCount, 3) << "one chain per spatial layer";
  ASSERT_TRUE(s.hasResolutions);
  EXPECT_EQ(s.width[0], 320);
  EXPECT_EQ(s.height[0], 180);
  EXPECT_EQ(s.width[2], 1280);
  EXPECT_EQ(s.height[2], 720);
  // After the resolution halves, the top layer is 640x360.
  const FrameDependencyStructure& last = structures.back();
  EXPECT_EQ(last.width[last.maxSpatialId], 640);
  // Frame numbers count frames of every layer: each spatial layer's frame of a picture has its
  // own number.
  EXPECT_GT(frames.size(), 100u);
}

TEST(DependencyDescriptorCapture, TheKeyFramesDescriptorDecodesFieldByField) {
  // The first packet of the capture: c0 = start and end of frame, template 0; 00 01 = frame 1;
  // c0 = structure and active decode targets follow, no custom fields; the structure's first
  // bits: template id offset 0, nine decode targets.
  std::vector<rtptest::CapturedRtp> keep;
  auto packets = mediaPackets("chromium-av1-svc-unencrypted.pcap", kAv1Pt, keep);
  ASSERT_FALSE(packets.empty());
  util::ConstBytes ext = packets.front().findExtension(13);
  ASSERT_GT(ext.size(), 16u) << "too long for a one-byte header: the two-byte form carries it";
  EXPECT_EQ(ext[0], 0xc0);
  FrameDependencyStructure structure;
  DependencyDescriptor d;
  ASSERT_TRUE(parseDependencyDescriptor(ext, structure, &d));
  EXPECT_TRUE(d.startOfFrame);
  EXPECT_TRUE(d.endOfFrame);
  EXPECT_EQ(d.templateId, 0);
  EXPECT_EQ(d.frameNumber, 1);
  EXPECT_TRUE(d.carriesStructure);
  EXPECT_TRUE(d.hasActiveDecodeTargets);
  EXPECT_EQ(structure.templateIdOffset, 0);
  EXPECT_EQ(structure.decodeTargetCount, 9);
  // The sender starts with its lower layers only: not every decode target is active yet.
  EXPECT_NE(d.activeDecodeTargets, 0x1ffu);
  EXPECT_NE(d.activeDecodeTargets, 0u);
}

TEST(DependencyDescriptor, NeedsAStructureBeforeATemplateMeansAnything) {
  // A mandatory-only descriptor (frame 7, template 5) before any key frame.
  const uint8_t bare[] = {0xc5, 0x00, 0x07};
  FrameDependencyStructure none;
  DependencyDescriptor d;
  DdError why;
  EXPECT_FALSE(parseDependencyDescriptor(bare, none, &d, &why));
  EXPECT_EQ(why, DdError::NoStructure);
  EXPECT_FALSE(parseDependencyDescriptor(util::ConstBytes(bare, 2), none, &d, &why));
  EXPECT_EQ(why, DdError::TooShort);
}

TEST(DependencyDescriptor, RejectsCutStructuresAndUnknownTemplatesWithoutChangingState) {
  std::vector<rtptest::CapturedRtp> keep;
  auto packets = mediaPackets("chromium-av1-svc-unencrypted.pcap", kAv1Pt, keep);
  ASSERT_FALSE(packets.empty());
  util::ConstBytes full = packets.front().findExtension(13);
  FrameDependencyStructure structure;
  DependencyDescriptor d;
  DdError why;
  // Every cut of the key frame's descriptor fails as truncated and leaves no structure behind.
  for (size_t n = 4; n < full.size() - 1; ++n) {
    EXPECT_FALSE(parseDependencyDescriptor(full.first(n), structure, &d, &why)) << n;
    EXPECT_EQ(why, DdError::Truncated) << n;
    EXPECT_FALSE(structure.valid) << n;
  }
  ASSERT_TRUE(parseDependencyDescriptor(full, structure, &d));
  // Template 20 with offset 0 and 15 templates: not one of them.
  const uint8_t unknown[] = {0xd4, 0x00, 0x09};
  EXPECT_FALSE(parseDependencyDescriptor(unknown, structure, &d, &why));
  EXPECT_EQ(why, DdError::BadTemplate);
  EXPECT_TRUE(structure.valid);
  // Custom chains announced (five flag bits 00001) but the three chain bytes missing.
  const uint8_t chainsCut[] = {0xc3, 0x00, 0x0a, 0x08};
  EXPECT_FALSE(parseDependencyDescriptor(chainsCut, structure, &d, &why));
  EXPECT_EQ(why, DdError::Truncated);
}

}  // namespace
}  // namespace treff::rtp
