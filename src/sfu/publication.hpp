// One incoming track of a publisher (microphone, camera or screen). Its layers are the simulcast
// encodings (rid q/h/f), or one layer without simulcast. A single VP9 or AV1 stream that carries
// spatial layers (SVC) is "scalable": subscriptions then choose between its spatial layers the
// way they choose between simulcast encodings ("selectable layers" below are either). Each layer
// keeps what forwarding and repair need: receive statistics for RTCP, the retransmission ring of
// received buffers, the NACK generator for upstream losses, keyframe times, and the last sender
// report.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "rtp/keyframe_request_throttle.hpp"
#include "rtp/nack_generator.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/retransmission_ring.hpp"
#include "sfu/room_specs.hpp"
#include "sfu/svc_layer.hpp"

namespace treff::rtp {
class RtpPacket;
struct FrameDependencyStructure;
}  // namespace treff::rtp

namespace treff::sfu {

class Publication {
 public:
  struct Layer {
    std::string rid;
    uint32_t ssrc = 0;  // learned from the first packet
    std::unique_ptr<rtp::ReceiveStreamStats> stats;
    std::unique_ptr<rtp::RetransmissionRing> ring;  // video only
    std::unique_ptr<rtp::NackGenerator> nacks;      // video only
    uint64_t lastPacketUs = 0;
    uint64_t lastKeyframeUs = 0;
    // The frame size the last key frame announced (VP8), 0 while unknown.
    uint16_t width = 0;
    uint16_t height = 0;
    // Receive rate: bytes since the last measurement, and the smoothed rate. The rate is kept
    // while the layer is paused, so the allocator knows what asking for it again would cost.
    uint64_t bytesSinceMeasure = 0;
    uint64_t bitrateBps = 0;
    // The publisher's last sender report for this layer (RFC 3550 §6.4.1).
    uint64_t srNtp = 0;
    uint32_t srRtpTimestamp = 0;
    uint64_t srArrivalUs = 0;
  };

  // A spatial layer of a scalable stream: what the allocator needs to know of it.
  struct SpatialLayer {
    uint64_t lastPacketUs = 0;
    uint64_t bytesSinceMeasure = 0;
    uint64_t bitrateBps = 0;  // this layer's own rate (forwarding it costs those below too)
    uint16_t width = 0;       // from the key frames' scalability structure, 0 while unknown
    uint16_t height = 0;
  };
  static constexpr size_t kMaxSpatialLayers = 4;

  Publication(std::string publisher, const PublicationSpec& spec,
              const rtp::ExtensionIdMap& extensions);
  ~Publication();

  const std::string& publisher() const { return publisher_; }
  const std::string& mid() const { return spec_.mid; }
  Source source() const { return spec_.source; }
  bool video() const { return spec_.source != Source::Microphone; }
  uint32_t clockRate() const { return clockRate_; }
  const PublicationSpec& spec() const { return spec_; }
  // The header extension ids of the publisher's packets.
  const rtp::ExtensionIdMap& extensions() const { return extensions_; }
  void setExtensions(const rtp::ExtensionIdMap& ids) { extensions_ = ids; }

  size_t layerCount() const { return layers_.size(); }
  Layer& layer(size_t i) { return layers_[i]; }
  const Layer& layer(size_t i) const { return layers_[i]; }
  // The layer of a rid (0 without simulcast); -1 for an unknown rid.
  int layerOf(std::string_view rid) const;
  int layerOfSsrc(uint32_t ssrc) const;
  // SVC: more than one spatial layer seen in the one stream of a VP9 or AV1 publication.
  bool scalable() const { return spatialLayerCount_ > 1; }
  // Reads where a packet of a single-stream video publication sits (the VP9 payload
  // descriptor's layer indices, or the AV1 dependency descriptor against the last structure a
  // key frame carried) and counts it for its spatial layer. A packet of another codec makes the
  // publication one layer again.
  SvcLayer classify(const rtp::RtpPacket& packet, rtp::VideoCodec codec, uint64_t nowUs);

  // What subscriptions choose between: the simulcast encodings, or a scalable stream's spatial
  // layers (lowest first either way).
  size_t selectableLayerCount() const { return scalable() ? spatialLayerCount_ : layers_.size(); }
  // The highest selectable layer that carried packets in the last `windowUs`; -1 if none.
  int highestActiveLayer(uint64_t nowUs, uint64_t windowUs) const;
  // The same among layers 0..cap.
  int highestActiveLayerAtMost(int cap, uint64_t nowUs, uint64_t windowUs) const;
  int lowestActiveLayer(uint64_t nowUs, uint64_t windowUs) const;
  // What forwarding a selectable layer costs: its measured rate (for a spatial layer, with the
  // layers below it, which it needs); a layer that sends but has no rate yet gets a typical one
  // for its place in the ladder; a layer never seen costs 0 (not available).
  uint64_t layerCostBps(size_t layer) const;
  // Folds the bytes received since the last call into each layer's bitrate.
  void measureBitrates(uint64_t nowUs);
  // Each selectable layer's frame height: announced by its key frames, else assumed from the
  // usual ladder (each layer half the size of the next, the top one 720 rows).
  uint32_t layerHeight(size_t layer) const;
  // The highest layer any subscription asks the publisher to send; layers above it may be
  // paused at the source. -1 while nobody needs the track.
  int neededLayer() const { return neededLayer_; }
  // Raises the needed layer at once, lowers it only after a few rounds that all wanted less
  // (a subscriber's estimate wobbles); true when neededLayer() changed.
  bool updateNeededLayer(int want);

  // The publisher's codec for a payload type, or nullptr (RTX payload types included: then
  // *isRtx is set and the codec is the one it repairs).
  const CodecSpec* codecOf(uint8_t payloadType, bool* isRtx) const;

  rtp::KeyframeRequestThrottle& keyframeRequests() { return keyframeRequests_; }
  // The layer the last keyframe request was for (a throttled request goes out for it later).
  void requestLayer(int layer) { requestedLayer_ = layer; }
  int requestedLayer() const { return requestedLayer_; }
  // A muted track is not forwarded: muting holds even if the client keeps sending.
  bool muted() const { return muted_; }
  void setMuted(bool muted) { muted_ = muted; }

 private:
  std::string publisher_;
  PublicationSpec spec_;
  rtp::ExtensionIdMap extensions_;
  uint32_t clockRate_;
  std::vector<Layer> layers_;
  rtp::KeyframeRequestThrottle keyframeRequests_;
  int requestedLayer_ = 0;
  int neededLayer_ = -1;
  int lowerRounds_ = 0;
  size_t spatialLayerCount_ = 1;
  std::array<SpatialLayer, kMaxSpatialLayers> spatial_{};
  // AV1: the frame dependency structure in force (allocated when the codecs include AV1).
  std::unique_ptr<rtp::FrameDependencyStructure> dependencyStructure_;
  uint64_t lastMeasureUs_ = 0;
  bool muted_ = false;
};

}  // namespace treff::sfu
