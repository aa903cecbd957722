// RFC 3711 Appendix A index estimation around the 16-bit wrap.
#include <gtest/gtest.h>

#include <cstdlib>
#include <vector>

#include "srtp/rtp_index.hpp"

namespace treff::srtp {
namespace {

// The guess always keeps seq as the low 16 bits and lands within half the sequence space of
// the highest index.
void expectNearest(uint64_t highest, uint16_t seq) {
  const int64_t guess = guessRtpIndex(highest, seq);
  ASSERT_EQ(guess & 0xffff, seq) << highest << " " << seq;
  const int64_t distance = guess - static_cast<int64_t>(highest);
  ASSERT_LE(std::llabs(distance), 32768) << highest << " " << seq;
}

TEST(RtpIndex, GuessIsNearestForEverySeqAroundSelectedHighests) {
  const uint64_t roc = 7;
  std::vector<uint32_t> highs = {0, 1, 2, 100, 32766, 32767, 32768, 32769, 40000, 65534, 65535};
  for (uint32_t h = 0; h < 65536; h += 4099) highs.push_back(h);
  for (uint32_t s_l : highs) {
    for (uint32_t seq = 0; seq < 65536; ++seq) {
      expectNearest(roc << 16 | s_l, static_cast<uint16_t>(seq));
    }
  }
}

TEST(RtpIndex, GuessIsNearestForEveryHighestAroundSelectedSeqs) {
  const uint64_t roc = 1;
  for (uint32_t seq : {0u, 1u, 32767u, 32768u, 65535u, 12345u}) {
    for (uint32_t s_l = 0; s_l < 65536; ++s_l) {
      expectNearest(roc << 16 | s_l, static_cast<uint16_t>(seq));
    }
  }
}

TEST(RtpIndex, NextSeqAfterWrapTakesRocPlusOne) {
  EXPECT_EQ(guessRtpIndex(0xffff, 0), 0x10000);
  EXPECT_EQ(guessRtpIndex(0xfff0, 5), 0x10005);
  EXPECT_EQ(guessRtpIndex(uint64_t{3} << 16 | 0xffff, 2), int64_t{4} << 16 | 2);
}

TEST(RtpIndex, LatePacketFromBeforeWrapKeepsOldRoc) {
  EXPECT_EQ(guessRtpIndex(0x10002, 0xfffe), 0xfffe);
  EXPECT_EQ(guessRtpIndex(uint64_t{9} << 16 | 10, 65000), int64_t{8} << 16 | 65000);
}

TEST(RtpIndex, SeqBeforeFirstRocIsNegative) {
  // Highest is seq 10 of ROC 0; seq 65530 would belong to ROC -1.
  EXPECT_LT(guessRtpIndex(10, 65530), 0);
}

TEST(RtpIndex, RocOfTakesTheHigh32Bits) { EXPECT_EQ(rocOf(0x123450000ull | 0xabcd), 0x12345u); }

}  // namespace
}  // namespace treff::srtp
