#include "bwe/layer_allocator.hpp"

#include <algorithm>

namespace treff::bwe {

namespace {

constexpr int kPriorityClasses = 4;

int lastLayer(const LayerRequest& r) {
  return std::min(r.maxLayer, static_cast<int>(kMaxLayers) - 1);
}

// The cheapest active layer within the tile's cap, else the cheapest active one at all.
int lowestLayer(const LayerRequest& r) {
  if (r.maxLayer < 0) return -1;
  for (int l = 0; l <= lastLayer(r); ++l) {
    if (r.layerBps[l] > 0) return l;
  }
  for (int l = 0; l < static_cast<int>(kMaxLayers); ++l) {
    if (r.layerBps[l] > 0) return l;
  }
  return -1;
}

// Calls visit(index) for the requests in priority order, caller order within a class.
template <typename Visit>
void inPriorityOrder(std::span<const LayerRequest> requests, Visit&& visit) {
  for (int p = 0; p < kPriorityClasses; ++p) {
    for (size_t i = 0; i < requests.size(); ++i) {
      const int cls = std::min(static_cast<int>(requests[i].priority), kPriorityClasses - 1);
      if (cls == p) visit(i);
    }
  }
}

}  // namespace

AllocationSummary allocateLayers(uint64_t availableBps, uint64_t audioBps,
                                 std::span<const LayerRequest> requests, std::span<int> chosen) {
  AllocationSummary summary;
  const size_t n = std::min(requests.size(), chosen.size());
  requests = requests.first(n);
  std::fill(chosen.begin(), chosen.begin() + static_cast<std::ptrdiff_t>(n), -1);
  uint64_t budget = availableBps > audioBps ? availableBps - audioBps : 0;
  summary.videoBudgetBps = budget;

  // Every visible subscription its cheapest layer, highest priority first.
  inPriorityOrder(requests, [&](size_t i) {
    const int layer = lowestLayer(requests[i]);
    if (layer < 0) return;
    const uint64_t cost = requests[i].layerBps[layer];
    if (cost <= budget) {
      chosen[i] = layer;
      budget -= cost;
    } else {
      ++summary.paused;
    }
  });

  // Upgrades, highest priority first, one layer at a time up to the tile's cap. Inactive layers
  // are stepped over; a step that does not fit ends this subscription's upgrades.
  inPriorityOrder(requests, [&](size_t i) {
    const LayerRequest& r = requests[i];
    if (chosen[i] < 0) return;
    for (int next = chosen[i] + 1; next <= lastLayer(r); ++next) {
      if (r.layerBps[next] == 0) continue;
      const uint64_t current = r.layerBps[chosen[i]];
      const uint64_t extra = r.layerBps[next] > current ? r.layerBps[next] - current : 0;
      if (extra > budget) break;
      budget -= extra;
      chosen[i] = next;
    }
  });

  for (size_t i = 0; i < n; ++i) {
    if (chosen[i] >= 0) summary.usedBps += requests[i].layerBps[chosen[i]];
  }
  return summary;
}

int maxLayerForTile(uint32_t width, uint32_t height, std::span<const uint32_t> layerHeights) {
  if (width == 0 || height == 0 || layerHeights.empty()) return -1;
  for (size_t l = 0; l < layerHeights.size(); ++l) {
    if (layerHeights[l] >= height) return static_cast<int>(l);
  }
  return static_cast<int>(layerHeights.size()) - 1;
}

}  // namespace treff::bwe
