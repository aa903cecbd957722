// Sharing a subscriber's estimate among its video subscriptions.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "bwe/layer_allocator.hpp"

namespace treff::bwe {
namespace {

// A typical three-layer simulcast camera: 180p 150k, 360p 500k, 720p 1.5M.
LayerRequest camera(PriorityClass p, int maxLayer = 2) {
  LayerRequest r;
  r.priority = p;
  r.layerBps = {150'000, 500'000, 1'500'000, 0};
  r.maxLayer = maxLayer;
  return r;
}

constexpr std::array<uint32_t, 3> kHeights{180, 360, 720};

TEST(LayerAllocator, EnoughForEverythingGivesEveryoneTheirTileCap) {
  std::vector<LayerRequest> in{camera(PriorityClass::kOther), camera(PriorityClass::kPinned, 1)};
  std::vector<int> out(2);
  const AllocationSummary s = allocateLayers(10'000'000, 64'000, in, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(out[1], 1);
  EXPECT_EQ(s.usedBps, 2'000'000u);
  EXPECT_EQ(s.videoBudgetBps, 10'000'000u - 64'000u);
  EXPECT_EQ(s.paused, 0u);
}

TEST(LayerAllocator, UpgradesScreenShareBeforeSpeakerBeforePinnedBeforeOthers) {
  // Input order deliberately reversed from priority order.
  std::vector<LayerRequest> in{camera(PriorityClass::kOther), camera(PriorityClass::kPinned),
                               camera(PriorityClass::kDominantSpeaker),
                               camera(PriorityClass::kScreenShare)};
  std::vector<int> out(4);
  // Lowest layers: 4 x 150k = 600k. Left 1.9M: screen share to 720p (+1.35M), leaves 550k:
  // speaker to 360p (+350k), leaves 200k: not enough for anyone's next step.
  allocateLayers(2'500'000, 0, in, out);
  EXPECT_EQ(out[3], 2);  // screen share
  EXPECT_EQ(out[2], 1);  // dominant speaker
  EXPECT_EQ(out[1], 0);  // pinned
  EXPECT_EQ(out[0], 0);  // other
}

TEST(LayerAllocator, AudioIsReservedFirst) {
  std::vector<LayerRequest> in{camera(PriorityClass::kOther)};
  std::vector<int> out(1);
  // 200k total, 100k audio: the 150k lowest layer no longer fits.
  AllocationSummary s = allocateLayers(200'000, 100'000, in, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(s.paused, 1u);
  s = allocateLayers(250'000, 100'000, in, out);
  EXPECT_EQ(out[0], 0);
  // Audio alone above the estimate: no video at all, no underflow.
  s = allocateLayers(50'000, 100'000, in, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(s.videoBudgetBps, 0u);
}

TEST(LayerAllocator, PausesLowestPriorityFirstWhenShort) {
  std::vector<LayerRequest> in{camera(PriorityClass::kOther), camera(PriorityClass::kOther),
                               camera(PriorityClass::kPinned),
                               camera(PriorityClass::kDominantSpeaker)};
  std::vector<int> out(4);
  // Room for three lowest layers (450k) plus a bit.
  const AllocationSummary s = allocateLayers(500'000, 0, in, out);
  EXPECT_EQ(out[3], 0);
  EXPECT_EQ(out[2], 0);
  EXPECT_EQ(out[0], 0);   // first "other" in caller order
  EXPECT_EQ(out[1], -1);  // the last of the lowest class is paused
  EXPECT_EQ(s.paused, 1u);
  EXPECT_EQ(s.usedBps, 450'000u);
}

TEST(LayerAllocator, SmallTileNeverGetsTopLayer) {
  const int cap = maxLayerForTile(320, 180, kHeights);
  EXPECT_EQ(cap, 0);
  std::vector<LayerRequest> in{camera(PriorityClass::kScreenShare, cap)};
  std::vector<int> out(1);
  allocateLayers(50'000'000, 0, in, out);
  EXPECT_EQ(out[0], 0);
}

TEST(LayerAllocator, MaxLayerForTilePicksTheLowestLayerNotUpscaled) {
  EXPECT_EQ(maxLayerForTile(320, 180, kHeights), 0);
  EXPECT_EQ(maxLayerForTile(400, 200, kHeights), 1);
  EXPECT_EQ(maxLayerForTile(640, 360, kHeights), 1);
  EXPECT_EQ(maxLayerForTile(1280, 720, kHeights), 2);
  EXPECT_EQ(maxLayerForTile(3840, 2160, kHeights), 2);  // nothing taller: the top layer
  EXPECT_EQ(maxLayerForTile(0, 0, kHeights), -1);       // hidden tile
  EXPECT_EQ(maxLayerForTile(320, 180, {}), -1);
}

TEST(LayerAllocator, InactiveLayersAreSkipped) {
  LayerRequest r = camera(PriorityClass::kOther);
  r.layerBps[0] = 0;  // the publisher stopped sending 180p
  r.layerBps[1] = 0;  // and 360p
  std::vector<LayerRequest> in{r};
  std::vector<int> out(1);
  allocateLayers(5'000'000, 0, in, out);
  EXPECT_EQ(out[0], 2);

  LayerRequest gap = camera(PriorityClass::kOther);
  gap.layerBps[1] = 0;  // 360p inactive: upgrading from 180p goes straight to 720p
  in = {gap};
  allocateLayers(1'700'000, 0, in, out);
  EXPECT_EQ(out[0], 2);
  allocateLayers(1'000'000, 0, in, out);
  EXPECT_EQ(out[0], 0);
}

TEST(LayerAllocator, HiddenTileAndNoActiveLayerGetNothing) {
  LayerRequest hidden = camera(PriorityClass::kScreenShare, -1);
  LayerRequest silent = camera(PriorityClass::kOther);
  silent.layerBps = {0, 0, 0, 0};
  std::vector<LayerRequest> in{hidden, silent};
  std::vector<int> out{7, 7};
  const AllocationSummary s = allocateLayers(10'000'000, 0, in, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], -1);
  EXPECT_EQ(s.usedBps, 0u);
  EXPECT_EQ(s.paused, 0u);
}

TEST(LayerAllocator, ExpensiveHigherPriorityDoesNotStarveCheapTiles) {
  LayerRequest screen;
  screen.priority = PriorityClass::kScreenShare;
  screen.layerBps = {1'200'000, 0, 0, 0};
  std::vector<LayerRequest> in{screen, camera(PriorityClass::kOther)};
  std::vector<int> out(2);
  allocateLayers(1'000'000, 0, in, out);
  EXPECT_EQ(out[0], -1);
  EXPECT_EQ(out[1], 1);  // 150k, then upgraded to 500k within the 1M
}

TEST(LayerAllocator, ShortOutputSpanIsRespected) {
  std::vector<LayerRequest> in{camera(PriorityClass::kOther), camera(PriorityClass::kOther)};
  std::array<int, 1> out{};
  const AllocationSummary s = allocateLayers(10'000'000, 0, in, out);
  EXPECT_EQ(out[0], 2);
  EXPECT_EQ(s.usedBps, 1'500'000u);
}

}  // namespace
}  // namespace treff::bwe
