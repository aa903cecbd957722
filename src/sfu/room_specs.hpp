// What the control plane tells a worker about a meeting's participants: plain values, made from
// the negotiated SDP on the control thread and moved into the worker with a posted task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ice/ice_lite_agent.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/video_keyframe.hpp"
#include "sfu/transport.hpp"

namespace treff::sfu {

enum class Source : uint8_t { Microphone, Camera, Screen };

struct CodecSpec {
  std::string name;  // "opus", "VP8", "VP9", "H264", "AV1" (case-insensitive match)
  uint32_t clockRate = 90000;
  uint8_t payloadType = 0;
  std::optional<uint8_t> rtxPayloadType;
  // The payload format, from the name: set by the Publication, read per packet.
  rtp::VideoCodec video = rtp::VideoCodec::Other;
};

// One incoming track of a publisher.
struct PublicationSpec {
  std::string mid;  // the publisher's m-section
  Source source = Source::Camera;
  std::vector<CodecSpec> codecs;  // the publisher's payload types
  std::vector<std::string> rids;  // simulcast encodings, as offered (empty: one encoding)
  std::vector<std::pair<uint32_t, uint32_t>> ssrcs;  // from a=ssrc: (ssrc, rtx ssrc or 0)
};

struct PublishSpec {
  ice::IceCredentials localIce;
  TransportRemote remote;
  std::vector<PublicationSpec> publications;
};

// One outgoing track to a subscriber.
struct SubscriptionSpec {
  std::string mid;  // the subscriber's m-section
  std::string publisher;
  Source source = Source::Camera;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;
  std::vector<CodecSpec> codecs;  // the subscriber's payload types, as its answer kept them
};

struct SubscribeSpec {
  ice::IceCredentials localIce;
  TransportRemote remote;  // extensions: the ids of the server's offer that the answer kept
  std::vector<SubscriptionSpec> subscriptions;
  std::string cname;
};

// One remote video tile a subscriber shows, in device pixels.
struct TileView {
  std::string publisher;
  Source source = Source::Camera;
  uint32_t width = 0;
  uint32_t height = 0;
};

// What a subscriber's screen shows. Until a client reports one, everything is visible.
struct ViewSpec {
  bool reported = false;
  std::vector<TileView> tiles;      // the visible tiles; other video tracks are paused
  std::vector<std::string> pinned;  // first served after screen shares and the speaker
  int lastN = -1;                   // the client's own cap on camera videos; -1: none
};

// Room-wide media settings, fixed when the room opens.
struct RoomConfig {
  // At most this many camera videos forwarded to each subscriber, chosen by pins and recent
  // speaking; -1: no limit.
  int lastN = -1;
  // In rooms of at least audioLoudestMinParticipants, only the audio of the most recent
  // speakers (the dominant one first) is forwarded, at most this many; 0: off.
  int audioLoudestN = 0;
  size_t audioLoudestMinParticipants = 0;
};

// What a room tells the control plane (from the worker thread).
struct RoomEvent {
  enum class Kind : uint8_t {
    MediaClosed,      // participant's transport closed for good
    DominantSpeaker,  // participant is the new dominant speaker
    Forwarding,       // the video tracks not forwarded to participant changed: `paused`
    PublisherLayers,  // participant's `source` track: layers 0..neededLayer are needed
  };
  Kind kind = Kind::MediaClosed;
  std::string participant;
  Source source = Source::Camera;
  int neededLayer = 0;
  size_t layerCount = 0;
  std::vector<std::pair<std::string, Source>> paused;
};

}  // namespace treff::sfu
