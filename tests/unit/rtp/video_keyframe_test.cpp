// Key frame detection for VP9, H.264 and AV1 on real packets: short unencrypted Chromium 156
// loopback calls, one per codec (tests/data/chromium-*-unencrypted.pcap). In each, the sender
// starts with a key frame and sends a second one when its resolution halves midway.
#include "rtp/video_keyframe.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp/vp9_descriptor.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

struct KeyframeCount {
  int packets = 0;
  int keyframes = 0;
  std::vector<size_t> keyframeAt;  // packet index within the media payload type
};

// Runs `isKey` over every packet of the capture with the media payload type (from the
// capture's SDP: a=rtpmap).
template <typename F>
KeyframeCount countKeyframes(const char* file, uint8_t mediaPt, F isKey) {
  KeyframeCount c;
  for (auto& captured : rtptest::capturedRtp(file)) {
    RtpPacket p;
    if (!RtpPacket::parse(captured.bytes.data(), captured.bytes.size(), &p)) {
      ADD_FAILURE() << "unparseable RTP in " << file;
      continue;
    }
    if (p.payloadType() != mediaPt) continue;
    if (isKey(p.payload())) {
      ++c.keyframes;
      c.keyframeAt.push_back(static_cast<size_t>(c.packets));
    }
    ++c.packets;
  }
  return c;
}

TEST(VideoKeyframe, NamesMapToCodecsIgnoringCase) {
  EXPECT_EQ(videoCodecOf("VP8"), VideoCodec::Vp8);
  EXPECT_EQ(videoCodecOf("vp9"), VideoCodec::Vp9);
  EXPECT_EQ(videoCodecOf("H264"), VideoCodec::H264);
  EXPECT_EQ(videoCodecOf("av1"), VideoCodec::Av1);
  EXPECT_EQ(videoCodecOf("H265"), VideoCodec::Other);
  EXPECT_EQ(videoCodecOf("VP"), VideoCodec::Other);
  EXPECT_EQ(videoCodecOf(""), VideoCodec::Other);
}

TEST(Vp9Descriptor, EveryCapturedPacketParsesAndTwoKeyframesStart) {
  // a=rtpmap:98 VP9/90000 (profile-id=0), flexible mode, one spatial layer.
  int frames = 0, ends = 0;
  for (auto& captured : rtptest::capturedRtp("chromium-vp9-unencrypted.pcap")) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(captured.bytes.data(), captured.bytes.size(), &p));
    if (p.payloadType() != 98) continue;
    Vp9Descriptor d;
    Vp9Error why;
    ASSERT_TRUE(parseVp9Descriptor(p.payload(), &d, &why)) << static_cast<int>(why);
    EXPECT_TRUE(d.hasPictureId);
    EXPECT_TRUE(d.longPictureId);  // Chromium writes 15-bit picture ids
    EXPECT_TRUE(d.flexibleMode);
    EXPECT_EQ(d.spatialId, 0);
    if (d.startOfFrame) ++frames;
    if (d.endOfFrame) {
      ++ends;
      EXPECT_TRUE(p.marker()) << "the end of a frame carries the RTP marker";
    }
  }
  auto c = countKeyframes("chromium-vp9-unencrypted.pcap", 98, isVp9Keyframe);
  EXPECT_EQ(c.keyframes, 2);
  ASSERT_FALSE(c.keyframeAt.empty());
  EXPECT_EQ(c.keyframeAt.front(), 0u) << "the call starts with a key frame";
  EXPECT_GT(frames, c.keyframes);
  EXPECT_EQ(frames, ends);
}

TEST(Vp9Descriptor, ReadsTheCapturedKeyframeStart) {
  // The first bytes of the capture's first VP9 packet: I P L F B E V Z = 1 0 0 1 1 0 1 1, a
  // 15-bit picture id, then the scalability structure (V=1) Chromium sends with key frames.
  for (auto& captured : rtptest::capturedRtp("chromium-vp9-unencrypted.pcap")) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(captured.bytes.data(), captured.bytes.size(), &p));
    if (p.payloadType() != 98) continue;
    Vp9Descriptor d;
    ASSERT_TRUE(parseVp9Descriptor(p.payload(), &d));
    EXPECT_TRUE(d.isKeyframe());
    EXPECT_TRUE(d.hasScalability);
    EXPECT_FALSE(d.interPredicted);
    EXPECT_EQ(d.pictureIdOffset, 1);
    break;
  }
}

TEST(Vp9Descriptor, RejectsTruncatedFields) {
  Vp9Descriptor d;
  Vp9Error why;
  const uint8_t empty[1] = {0};
  EXPECT_FALSE(parseVp9Descriptor(util::ConstBytes(empty, 0), &d, &why));
  EXPECT_EQ(why, Vp9Error::Empty);
  const uint8_t longIdCut[] = {0x88, 0x80};  // I, B; M=1 but the second id byte is missing
  EXPECT_FALSE(parseVp9Descriptor(longIdCut, &d, &why));
  EXPECT_EQ(why, Vp9Error::Truncated);
  const uint8_t noTl0[] = {0x28, 0x00};  // L, non-flexible: TL0PICIDX missing
  EXPECT_FALSE(parseVp9Descriptor(noTl0, &d, &why));
  EXPECT_EQ(why, Vp9Error::Truncated);
  const uint8_t pDiffsRunOut[] = {0x58, 0x03, 0x03, 0x03};  // P, F, B; three P_DIFFs, N set
  EXPECT_FALSE(parseVp9Descriptor(pDiffsRunOut, &d, &why));
  EXPECT_EQ(why, Vp9Error::NoPayload);
  const uint8_t onlyDescriptor[] = {0x08};
  EXPECT_FALSE(parseVp9Descriptor(onlyDescriptor, &d, &why));
  EXPECT_EQ(why, Vp9Error::NoPayload);
}

TEST(Vp9Descriptor, AnUpperSpatialLayerIsNoKeyframeStart) {
  // Non-flexible mode, L: TID 0, SID 1, then TL0PICIDX and one payload byte.
  const uint8_t sid1[] = {0x28, 0x02, 0x07, 0xaa};
  Vp9Descriptor d;
  ASSERT_TRUE(parseVp9Descriptor(sid1, &d));
  EXPECT_EQ(d.spatialId, 1);
  EXPECT_EQ(d.tl0PicIdx, 0x07);
  EXPECT_EQ(d.tl0PicIdxOffset, 2);
  EXPECT_FALSE(d.isKeyframe());
  const uint8_t sid0[] = {0x28, 0x00, 0x07, 0xaa};
  ASSERT_TRUE(parseVp9Descriptor(sid0, &d));
  EXPECT_TRUE(d.isKeyframe());
}

TEST(H264Keyframe, FindsTheParameterSetsBeforeEachIdrInTheCapture) {
  // a=rtpmap:108 H264/90000, packetization-mode=1, profile-level-id=42e01f. Chromium sends
  // SPS and PPS in a STAP-A ahead of each IDR picture.
  auto c = countKeyframes("chromium-h264-unencrypted.pcap", 108, isH264Keyframe);
  EXPECT_GE(c.packets, 20);
  EXPECT_GE(c.keyframes, 2);
  ASSERT_FALSE(c.keyframeAt.empty());
  EXPECT_EQ(c.keyframeAt.front(), 0u);
  EXPECT_LT(c.keyframes * 4, c.packets) << "most packets are not key frame starts";
}

TEST(H264Keyframe, ReadsSingleUnitsStapAAndFuA) {
  const uint8_t idr[] = {0x65, 0x88, 0x84};
  const uint8_t nonIdr[] = {0x41, 0x9a, 0x02};
  const uint8_t stapSpsPps[] = {0x78, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce};
  const uint8_t stapSeiOnly[] = {0x78, 0x00, 0x02, 0x06, 0x05};
  const uint8_t stapOverrun[] = {0x78, 0x00, 0x09, 0x67, 0x42};
  const uint8_t fuIdrStart[] = {0x7c, 0x85, 0xb8};
  const uint8_t fuIdrMiddle[] = {0x7c, 0x05, 0xb8};
  const uint8_t fuNonIdrStart[] = {0x7c, 0x81, 0xb8};
  EXPECT_TRUE(isH264Keyframe(idr));
  EXPECT_FALSE(isH264Keyframe(nonIdr));
  EXPECT_TRUE(isH264Keyframe(stapSpsPps));
  EXPECT_FALSE(isH264Keyframe(stapSeiOnly));
  EXPECT_FALSE(isH264Keyframe(stapOverrun));
  EXPECT_TRUE(isH264Keyframe(fuIdrStart));
  EXPECT_FALSE(isH264Keyframe(fuIdrMiddle));
  EXPECT_FALSE(isH264Keyframe(fuNonIdrStart));
  EXPECT_FALSE(isH264Keyframe(util::ConstBytes()));
}

TEST(Av1Keyframe, FindsTheNewCodedVideoSequencesInTheCapture) {
  // a=rtpmap:45 AV1/90000.
  auto c = countKeyframes("chromium-av1-unencrypted.pcap", 45, isAv1Keyframe);
  EXPECT_GE(c.packets, 20);
  EXPECT_EQ(c.keyframes, 2);
  ASSERT_FALSE(c.keyframeAt.empty());
  EXPECT_EQ(c.keyframeAt.front(), 0u);
}

TEST(Av1Keyframe, AContinuationIsNoStart) {
  const uint8_t start[] = {0x28, 0x0b};      // W=2, N=1
  const uint8_t continued[] = {0xa8, 0x0b};  // Z=1 as well
  const uint8_t delta[] = {0x10, 0x30};      // W=1, N=0
  EXPECT_TRUE(isAv1Keyframe(start));
  EXPECT_FALSE(isAv1Keyframe(continued));
  EXPECT_FALSE(isAv1Keyframe(delta));
  EXPECT_TRUE(isKeyframe(VideoCodec::Av1, start));
  EXPECT_FALSE(isKeyframe(VideoCodec::Other, start));
}

}  // namespace
}  // namespace treff::rtp
