#include "net/rfc4571_framer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace treff::net {
namespace {

std::vector<std::string> feedAll(Rfc4571Framer& framer, const std::vector<std::string>& chunks) {
  std::vector<std::string> frames;
  for (const auto& c : chunks) {
    framer.feed(util::ConstBytes(reinterpret_cast<const uint8_t*>(c.data()), c.size()),
                [&](util::ConstBytes f) { frames.emplace_back(f.begin(), f.end()); });
  }
  return frames;
}

TEST(Rfc4571Framer, SplitsBackToBackFrames) {
  Rfc4571Framer framer(1600);
  auto frames = feedAll(framer, {std::string("\x00\x05hello\x00\x03"
                                             "abc",
                                             12)});
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0], "hello");
  EXPECT_EQ(frames[1], "abc");
}

TEST(Rfc4571Framer, ReassemblesFramesSplitAcrossReadsAtEveryByte) {
  std::string stream(
      "\x00\x04"
      "abcd\x00\x02xy",
      10);
  for (size_t cut = 0; cut <= stream.size(); ++cut) {
    Rfc4571Framer framer(1600);
    auto frames = feedAll(framer, {stream.substr(0, cut), stream.substr(cut)});
    ASSERT_EQ(frames.size(), 2u) << "cut at " << cut;
    EXPECT_EQ(frames[0], "abcd");
    EXPECT_EQ(frames[1], "xy");
  }
}

TEST(Rfc4571Framer, SkipsOversizedFrameAndKeepsStreamInSync) {
  Rfc4571Framer framer(4);
  auto frames = feedAll(framer, {std::string("\x00\x06toobig\x00\x02ok", 12)});
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], "ok");
  EXPECT_EQ(framer.framesTooLarge(), 1u);
}

TEST(Rfc4571Framer, CountsEmptyFrames) {
  Rfc4571Framer framer(16);
  auto frames = feedAll(framer, {std::string("\x00\x00\x00\x01z", 5)});
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0], "z");
  EXPECT_EQ(framer.framesEmpty(), 1u);
}

TEST(Rfc4571Framer, WritesBigEndianLengthAndRejectsOver65535) {
  uint8_t h[2];
  ASSERT_TRUE(Rfc4571Framer::writeHeader(h, 0x1234));
  EXPECT_EQ(h[0], 0x12);
  EXPECT_EQ(h[1], 0x34);
  EXPECT_FALSE(Rfc4571Framer::writeHeader(h, 65536));
}

}  // namespace
}  // namespace treff::net
