#include "sfu/publication.hpp"

#include <strings.h>

#include <algorithm>

namespace treff::sfu {

Publication::Publication(std::string publisher, const PublicationSpec& spec,
                         const rtp::ExtensionIdMap& extensions)
    : publisher_(std::move(publisher)), spec_(spec), extensions_(extensions) {
  for (auto& codec : spec_.codecs) codec.video = rtp::videoCodecOf(codec.name);
  clockRate_ = spec.codecs.empty() ? (video() ? 90000 : 48000) : spec.codecs.front().clockRate;
  size_t count = spec.rids.empty() ? 1 : spec.rids.size();
  layers_.resize(count);
  for (size_t i = 0; i < count; ++i) {
    Layer& layer = layers_[i];
    if (!spec.rids.empty()) layer.rid = spec.rids[i];
    if (video()) {
      layer.ring = std::make_unique<rtp::RetransmissionRing>();
      layer.nacks = std::make_unique<rtp::NackGenerator>();
    }
  }
  // Without simulcast the SDP may name the SSRC up front.
  if (count == 1 && !spec.ssrcs.empty()) layers_[0].ssrc = spec.ssrcs.front().first;
}

int Publication::layerOf(std::string_view rid) const {
  if (spec_.rids.empty()) return 0;
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].rid == rid) return static_cast<int>(i);
  }
  return -1;
}

int Publication::layerOfSsrc(uint32_t ssrc) const {
  for (size_t i = 0; i < layers_.size(); ++i) {
    if (layers_[i].ssrc == ssrc && ssrc != 0) return static_cast<int>(i);
  }
  return -1;
}

int Publication::highestActiveLayer(uint64_t nowUs, uint64_t windowUs) const {
  return highestActiveLayerAtMost(static_cast<int>(layers_.size()) - 1, nowUs, windowUs);
}

int Publication::highestActiveLayerAtMost(int cap, uint64_t nowUs, uint64_t windowUs) const {
  // Simulcast encodings are offered lowest first (q, h, f), as browsers order them.
  const int top = std::min(cap, static_cast<int>(layers_.size()) - 1);
  for (int i = top; i >= 0; --i) {
    const Layer& layer = layers_[i];
    if (layer.lastPacketUs && nowUs - layer.lastPacketUs < windowUs) return i;
  }
  return -1;
}

void Publication::measureBitrates(uint64_t nowUs) {
  if (lastMeasureUs_ == 0 || nowUs <= lastMeasureUs_) {
    lastMeasureUs_ = nowUs;
    for (auto& l : layers_) l.bytesSinceMeasure = 0;
    return;
  }
  const uint64_t elapsedUs = nowUs - lastMeasureUs_;
  lastMeasureUs_ = nowUs;
  for (auto& l : layers_) {
    const uint64_t bps = l.bytesSinceMeasure * 8 * 1'000'000 / elapsedUs;
    l.bytesSinceMeasure = 0;
    // A layer that went quiet keeps its last rate (see Layer::bitrateBps).
    if (bps == 0) continue;
    l.bitrateBps = l.bitrateBps == 0 ? bps : (l.bitrateBps * 3 + bps) / 4;
  }
}

bool Publication::updateNeededLayer(int want) {
  constexpr int kRoundsBeforeLowering = 3;
  if (want >= neededLayer_) {
    lowerRounds_ = 0;
    if (want == neededLayer_) return false;
    neededLayer_ = want;
    return true;
  }
  if (++lowerRounds_ < kRoundsBeforeLowering) return false;
  lowerRounds_ = 0;
  neededLayer_ = want;
  return true;
}

uint32_t Publication::layerHeight(size_t layer) const {
  if (layer < layers_.size() && layers_[layer].height) return layers_[layer].height;
  const size_t stepsDown = layers_.size() - 1 - layer;
  return 720u >> stepsDown;
}

const CodecSpec* Publication::codecOf(uint8_t payloadType, bool* isRtx) const {
  *isRtx = false;
  for (const auto& c : spec_.codecs) {
    if (c.payloadType == payloadType) return &c;
    if (c.rtxPayloadType && *c.rtxPayloadType == payloadType) {
      *isRtx = true;
      return &c;
    }
  }
  return nullptr;
}

}  // namespace treff::sfu
