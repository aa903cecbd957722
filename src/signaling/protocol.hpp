// The signaling protocol's messages, parsed once at the edge into typed structs (docs/protocol.md).
// Every message is a JSON object with a "type"; a malformed one yields a ProtocolError that the
// caller sends back as an "error" message, and the socket stays open.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace treff::signaling {

inline constexpr int kProtocolVersion = 1;

// Limits on what a client may send, enforced before anything else reads the message.
inline constexpr size_t kMaxSdpBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 8;
inline constexpr size_t kMaxMeetingNameBytes = 64;
inline constexpr size_t kMaxDisplayNameChars = 64;
inline constexpr size_t kMaxChatChars = 2000;
inline constexpr size_t kMaxPublishedTracks = 8;
inline constexpr size_t kMaxVideoCodecs = 16;
inline constexpr size_t kMaxViewTiles = 64;
inline constexpr size_t kMaxPinned = 16;
inline constexpr uint32_t kMaxTilePixels = 16384;  // per side, device pixels

// The video codecs a room can use, by their SDP names: "VP8", "VP9", "H264", "AV1". Returns the
// canonical spelling of a name (any case), or nullopt for another codec.
std::optional<std::string> canonicalVideoCodec(std::string_view name);

enum class TrackSource : uint8_t { Microphone, Camera, Screen };
std::string_view toString(TrackSource source);
// "audio" for the microphone, "video" otherwise.
std::string_view kindOf(TrackSource source);

// Client -> server: the echo test's offer.
struct EchoOffer {
  std::string sdp;
};

// Client -> server: an ICE-restart offer for the echo session of this socket.
struct EchoRestart {
  std::string sdp;
};

struct Join {
  std::string meeting;  // validated: 1..64 of [A-Za-z0-9-_.]
  std::string name;     // validated and trimmed: 1..64 characters, no control characters
  struct Resume {
    std::string participant;
    std::string secret;
  };
  std::optional<Resume> resume;
  // The video codecs this browser can both send and receive (canonical names, no repeats).
  // Empty when the client did not say: it is then assumed to handle VP8 only.
  std::vector<std::string> videoCodecs;
};

struct PublishedTrack {
  std::string mid;
  TrackSource source;
};

struct Publish {
  std::string sdp;
  std::vector<PublishedTrack> tracks;  // distinct mids, at most one per source
};

struct SubscribeAnswer {
  std::string sdp;
};

struct SubscribeRestart {};

struct Mute {
  TrackSource source;  // microphone or camera
  bool muted;
};

struct Chat {
  std::string text;  // 1..2000 characters
};

struct Leave {};

// Client -> server: what the client's screen shows, so the server forwards only that.
struct View {
  struct Tile {
    std::string participant;
    TrackSource source;  // camera or screen
    uint32_t width;      // device pixels
    uint32_t height;
  };
  std::vector<Tile> tiles;  // the visible remote video tiles
  std::vector<std::string> pinned;
  std::optional<int> lastN;  // 0..1000
};

using ClientMessage = std::variant<EchoOffer, EchoRestart, Join, Publish, SubscribeAnswer,
                                   SubscribeRestart, Mute, Chat, Leave, View>;

struct ProtocolError {
  std::string code;     // machine-readable: "bad-json", "bad-message", "unknown-type", ...
  std::string message;  // for people
};

std::variant<ClientMessage, ProtocolError> parseClientMessage(std::string_view text);

// A display name as people type it: trimmed; nullopt unless 1..64 characters of valid UTF-8
// without control characters.
std::optional<std::string> normalizeDisplayName(std::string_view name);

// Meeting names as the URL carries them: 1..64 of [A-Za-z0-9-_.], not starting with '.'.
bool isValidMeetingName(std::string_view name);

// Server -> client.
struct TrackInfo {
  TrackSource source;
  bool muted = false;
};

struct ParticipantInfo {
  std::string id;
  std::string name;
  bool reconnecting = false;
  std::vector<TrackInfo> tracks;
};

struct SubscribedTrack {
  std::string mid;
  std::string participant;
  TrackSource source;
};

std::string encodeEchoAnswer(std::string_view sdp);
std::string encodeError(std::string_view code, std::string_view message,
                        std::string_view request = {});
std::string encodeJoined(const ParticipantInfo& self, std::string_view secret,
                         std::string_view meeting, bool resumed,
                         const std::vector<ParticipantInfo>& others,
                         std::string_view videoCodec = "VP8");
// The room's video codec changed: publishers send their video in it from their next offer.
std::string encodeVideoCodec(std::string_view videoCodec);
std::string encodeParticipantJoined(const ParticipantInfo& participant);
std::string encodeParticipantUpdated(const ParticipantInfo& participant);
std::string encodeParticipantLeft(std::string_view id);
std::string encodePublishAnswer(std::string_view sdp);
std::string encodeSubscribeOffer(std::string_view sdp, const std::vector<SubscribedTrack>& tracks);
std::string encodeChat(std::string_view from, std::string_view name, std::string_view text,
                       int64_t unixMs);
std::string encodeDominantSpeaker(std::string_view participant);
// The video tracks the server does not forward to this client now (last-N, hidden tiles, too
// little bandwidth).
std::string encodeForwarding(const std::vector<std::pair<std::string, TrackSource>>& paused);
// To a publisher: which of its simulcast encodings (lowest first) anyone needs.
std::string encodeLayers(TrackSource source, const std::vector<bool>& active);

}  // namespace treff::signaling
