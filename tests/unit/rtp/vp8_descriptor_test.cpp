#include "rtp/vp8_descriptor.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtp_packet.hpp"
#include "rtp_pcap_util.hpp"

namespace treff::rtp {
namespace {

TEST(Vp8Descriptor, FindsKeyframeInCapturedRedVideo) {
  int keyframes = 0, frameStarts = 0, packets = 0;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.payloadType() != 118) continue;
    uint8_t blockPt = 0;
    const util::ConstBytes vp8 = rtptest::redPrimary(p.payload(), &blockPt);
    ASSERT_EQ(blockPt, 96);  // a=rtpmap:96 VP8/90000
    Vp8Descriptor d;
    Vp8Error why;
    ASSERT_TRUE(parseVp8Descriptor(vp8, &d, &why)) << static_cast<int>(why);
    ++packets;
    if (d.startsFrame()) ++frameStarts;
    if (d.isKeyframe) {
      ++keyframes;
      EXPECT_TRUE(isVp8Keyframe(vp8));
      EXPECT_FALSE(d.nonReference);
    }
  }
  EXPECT_EQ(packets, 183);
  EXPECT_GE(keyframes, 1);
  EXPECT_GT(frameStarts, keyframes);
}

TEST(Vp8Descriptor, ReadsKeyframeSizesOfCapturedSimulcastLayers) {
  // The capture's key frames announce the sizes Chromium encoded; every one is a 16:9 size no
  // larger than the 1280x720 camera, and only key frame starts have one.
  int sized = 0;
  for (auto& c : rtptest::capturedRtp()) {
    RtpPacket p;
    ASSERT_TRUE(RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p));
    if (p.payloadType() != 118) continue;
    uint8_t blockPt = 0;
    const util::ConstBytes vp8 = rtptest::redPrimary(p.payload(), &blockPt);
    uint16_t w = 0, h = 0;
    const bool has = vp8KeyframeSize(vp8, &w, &h);
    EXPECT_EQ(has, isVp8Keyframe(vp8));
    if (!has) continue;
    ++sized;
    EXPECT_GT(w, 0);
    EXPECT_LE(w, 1280);
    EXPECT_EQ(w * 9, h * 16) << w << "x" << h;
  }
  EXPECT_GE(sized, 1);
}

TEST(Vp8Descriptor, KeyframeSizeNeedsTheWholeHeader) {
  // The capture's first key frame start: 320x180, then cut short and with a broken start code.
  const std::vector<uint8_t> vp8 = {0x10, 0x10, 0x1a, 0x00, 0x9d, 0x01,
                                    0x2a, 0x40, 0x01, 0xb4, 0x00};
  uint16_t w = 0, h = 0;
  ASSERT_TRUE(vp8KeyframeSize(vp8, &w, &h));
  EXPECT_EQ(w, 320);
  EXPECT_EQ(h, 180);
  auto cut = vp8;
  cut.pop_back();
  EXPECT_FALSE(vp8KeyframeSize(cut, &w, &h));
  auto broken = vp8;
  broken[5] = 0x02;
  EXPECT_FALSE(vp8KeyframeSize(broken, &w, &h));
}

TEST(Vp8Descriptor, ParsesFirstCapturedVideoPacketAsKeyframe) {
  // RED block header 0x60 then the VP8 descriptor 0x10 (S=1, PID=0, no extensions) and the
  // key frame's tag and start code, from the capture's first video packet.
  const std::vector<uint8_t> vp8 = {0x10, 0x10, 0x1a, 0x00, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xb4};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  EXPECT_TRUE(d.startOfPartition);
  EXPECT_EQ(d.partitionIndex, 0);
  EXPECT_FALSE(d.hasPictureId);
  EXPECT_EQ(d.size, 1);
  EXPECT_TRUE(d.isKeyframe);
  // The same with P=1 (an interframe) is not a keyframe.
  auto inter = vp8;
  inter[1] |= 0x01;
  EXPECT_FALSE(isVp8Keyframe(inter));
  // Nor a continuation packet (S=0).
  auto cont = vp8;
  cont[0] = 0x00;
  EXPECT_FALSE(isVp8Keyframe(cont));
}

TEST(Vp8Descriptor, ParsesAllExtensionFieldsWith15BitPictureId) {
  // RFC 7741 §4.2 layout: X=1 S=1 PID=0; I L T K; M=1 PictureID 0x1234; TL0PICIDX 0x56;
  // TID=2 Y=1 KEYIDX=5; then a key frame tag.
  const std::vector<uint8_t> vp8 = {0x90, 0xf0, 0x92, 0x34, 0x56, 0xa5,
                                    0x10, 0x1a, 0x00, 0x9d, 0x01, 0x2a};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  EXPECT_TRUE(d.hasPictureId);
  EXPECT_TRUE(d.longPictureId);
  EXPECT_EQ(d.pictureId, 0x1234);
  EXPECT_TRUE(d.hasTl0PicIdx);
  EXPECT_EQ(d.tl0PicIdx, 0x56);
  EXPECT_TRUE(d.hasTid);
  EXPECT_EQ(d.tid, 2);
  EXPECT_TRUE(d.layerSync);
  EXPECT_TRUE(d.hasKeyIdx);
  EXPECT_EQ(d.keyIdx, 5);
  EXPECT_EQ(d.size, 6);
  EXPECT_TRUE(d.isKeyframe);
}

TEST(Vp8Descriptor, Parses7BitPictureIdAndKeyIdxWithoutTid) {
  const std::vector<uint8_t> vp8 = {0xa0, 0x90, 0x7f, 0x1f, 0x31};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  EXPECT_TRUE(d.nonReference);
  EXPECT_FALSE(d.startOfPartition);
  EXPECT_FALSE(d.longPictureId);
  EXPECT_EQ(d.pictureId, 0x7f);
  EXPECT_FALSE(d.hasTid);
  EXPECT_EQ(d.tid, 0);
  EXPECT_EQ(d.keyIdx, 0x1f);
  EXPECT_EQ(d.size, 4);
  EXPECT_FALSE(d.isKeyframe);
}

TEST(Vp8Descriptor, RejectsTruncatedDescriptors) {
  const std::vector<uint8_t> full = {0x90, 0xf0, 0x92, 0x34, 0x56, 0xa5, 0x10};
  Vp8Error why;
  Vp8Descriptor d;
  EXPECT_FALSE(parseVp8Descriptor({}, &d, &why));
  EXPECT_EQ(why, Vp8Error::Empty);
  for (size_t n = 1; n < 6; ++n) {
    EXPECT_FALSE(parseVp8Descriptor(util::ConstBytes(full.data(), n), &d, &why)) << n;
    EXPECT_EQ(why, Vp8Error::Truncated) << n;
  }
  EXPECT_FALSE(parseVp8Descriptor(util::ConstBytes(full.data(), 6), &d, &why));
  EXPECT_EQ(why, Vp8Error::NoPayload);
  EXPECT_TRUE(parseVp8Descriptor(full, &d, &why));
  // A key frame tag cut before its start code is not taken for a key frame.
  const std::vector<uint8_t> shortKey = {0x10, 0x10, 0x1a, 0x00, 0x9d};
  EXPECT_FALSE(isVp8Keyframe(shortKey));
}

TEST(Vp8Descriptor, RewritesPictureIdAndTl0PicIdxInPlace) {
  std::vector<uint8_t> vp8 = {0x90, 0xe0, 0x92, 0x34, 0x56, 0x40, 0x10, 0x1a, 0x00};
  const auto original = vp8;
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  ASSERT_TRUE(rewriteVp8PictureId(vp8, d, 0x7fff));
  ASSERT_TRUE(rewriteVp8Tl0PicIdx(vp8, d, 0x99));
  Vp8Descriptor after;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &after));
  EXPECT_EQ(after.pictureId, 0x7fff);
  EXPECT_TRUE(after.longPictureId);
  EXPECT_EQ(after.tl0PicIdx, 0x99);
  EXPECT_EQ(after.tid, 1);
  // Only bytes 2..4 changed.
  for (size_t i = 0; i < vp8.size(); ++i) {
    if (i < 2 || i > 4) EXPECT_EQ(vp8[i], original[i]) << i;
  }
  // A 15-bit field keeps 15 bits.
  ASSERT_TRUE(rewriteVp8PictureId(vp8, d, 0x8001));
  ASSERT_TRUE(parseVp8Descriptor(vp8, &after));
  EXPECT_EQ(after.pictureId, 1);
}

TEST(Vp8Descriptor, Rewrites7BitPictureIdModulo128) {
  std::vector<uint8_t> vp8 = {0x80, 0x80, 0x05, 0x00};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  ASSERT_TRUE(rewriteVp8PictureId(vp8, d, 130));
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  EXPECT_FALSE(d.longPictureId);
  EXPECT_EQ(d.pictureId, 2);
  EXPECT_FALSE(rewriteVp8Tl0PicIdx(vp8, d, 1));  // no TL0PICIDX
}

TEST(Vp8Descriptor, RefusesRewriteWithoutPictureId) {
  std::vector<uint8_t> vp8 = {0x10, 0x10, 0x1a, 0x00};
  Vp8Descriptor d;
  ASSERT_TRUE(parseVp8Descriptor(vp8, &d));
  EXPECT_FALSE(rewriteVp8PictureId(vp8, d, 1));
  EXPECT_EQ(vp8[1], 0x10);
}

}  // namespace
}  // namespace treff::rtp
