// Shares one subscriber's bandwidth estimate among its video subscriptions: audio first, then
// every subscription its lowest layer in priority order, then upgrades in priority order up to
// what each tile can show. A pure function over caller-owned spans; nothing is allocated.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace treff::bwe {

enum class PriorityClass : uint8_t {
  kScreenShare = 0,
  kDominantSpeaker = 1,
  kPinned = 2,
  kOther = 3
};

inline constexpr size_t kMaxLayers = 4;

struct LayerRequest {
  PriorityClass priority = PriorityClass::kOther;
  // Bitrate of each layer, lowest first; 0 marks a layer that is not being sent.
  std::array<uint64_t, kMaxLayers> layerBps{};
  // The highest layer the tile can use (see maxLayerForTile); -1: not visible, send nothing.
  int maxLayer = static_cast<int>(kMaxLayers) - 1;
};

struct AllocationSummary {
  uint64_t videoBudgetBps = 0;  // what was left after audio
  uint64_t usedBps = 0;         // video bitrate of the chosen layers
  size_t paused = 0;            // visible subscriptions that got nothing
};

// Writes each request's chosen layer (or -1, paused) to `chosen[i]`; `chosen` must be at least
// as long as `requests`. Within one priority class the caller's order counts (first wins).
// A subscription whose cheapest layer does not fit is paused and the next one is tried, so a
// cheap low-priority tile may still play when an expensive higher one cannot. If no active layer
// is within a tile's cap, its lowest active layer serves: a picture beats a black tile.
AllocationSummary allocateLayers(uint64_t availableBps, uint64_t audioBps,
                                 std::span<const LayerRequest> requests, std::span<int> chosen);

// The layer to use for a tile of `width` x `height` CSS pixels times the device pixel ratio:
// the lowest layer at least as tall as the tile (so nothing is upscaled), else the top one.
// `layerHeights` lowest first. -1 for an empty tile (not visible).
int maxLayerForTile(uint32_t width, uint32_t height, std::span<const uint32_t> layerHeights);

}  // namespace treff::bwe
