#include "signaling/protocol.hpp"

#include <strings.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include <set>

namespace treff::signaling {
namespace {

using Json = nlohmann::json;

ProtocolError badMessage(std::string message) { return {"bad-message", std::move(message)}; }

std::string dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

// Characters, not bytes: the limits people see are in characters. Invalid UTF-8 was already
// refused by the JSON parser.
size_t utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xc0) != 0x80;
  return n;
}

bool hasControlCharacters(std::string_view s, bool allowNewlines) {
  for (unsigned char c : s) {
    if (c == 0x7f || (c < 0x20 && !(allowNewlines && (c == '\n' || c == '\t')))) return true;
  }
  return false;
}

// Strict UTF-8 (RFC 3629): no overlong forms, surrogates or values above U+10FFFF.
bool validUtf8(std::string_view s) {
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n;  // continuation bytes
    uint32_t cp;
    if (c < 0x80) {
      n = 0;
      cp = c;
    } else if ((c >> 5) == 6) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c >> 4) == 14) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c >> 3) == 30) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (size_t k = 1; k <= n; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 2) return false;
      cp = cp << 6 | (cc & 0x3f);
    }
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::variant<std::string, ProtocolError> requiredString(const Json& object, const char* key,
                                                        size_t maxBytes) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_string()) {
    return badMessage(std::string("field '") + key + "' must be a string");
  }
  const auto& s = it->get_ref<const std::string&>();
  if (s.size() > maxBytes) {
    return badMessage(std::string("field '") + key + "' is longer than " +
                      std::to_string(maxBytes) + " bytes");
  }
  return s;
}

}  // namespace

std::optional<std::string> canonicalVideoCodec(std::string_view name) {
  for (const char* known : {"VP8", "VP9", "H264", "AV1"}) {
    if (name.size() == std::strlen(known) && strncasecmp(name.data(), known, name.size()) == 0)
      return std::string(known);
  }
  return std::nullopt;
}

namespace {

std::optional<TrackSource> sourceFromString(std::string_view s) {
  if (s == "microphone") return TrackSource::Microphone;
  if (s == "camera") return TrackSource::Camera;
  if (s == "screen") return TrackSource::Screen;
  return std::nullopt;
}

#define TREFF_TAKE_STRING(var, object, key, max)                    \
  auto var##Field = requiredString(object, key, max);               \
  if (auto* e = std::get_if<ProtocolError>(&var##Field)) return *e; \
  std::string var = std::move(std::get<std::string>(var##Field))

std::variant<ClientMessage, ProtocolError> parseJoin(const Json& m) {
  TREFF_TAKE_STRING(meeting, m, "meeting", kMaxMeetingNameBytes);
  if (!isValidMeetingName(meeting)) {
    return ProtocolError{"bad-meeting",
                         "a meeting name has 1 to 64 letters, digits, '-', '_' or '.'"};
  }
  TREFF_TAKE_STRING(rawName, m, "name", kMaxDisplayNameChars * 4);
  std::string name(trim(rawName));
  if (name.empty() || utf8Length(name) > kMaxDisplayNameChars ||
      hasControlCharacters(name, false)) {
    return ProtocolError{"bad-name", "a display name has 1 to 64 characters"};
  }
  Join join{std::move(meeting), std::move(name), std::nullopt, {}};
  auto resume = m.find("resume");
  if (resume != m.end() && !resume->is_null()) {
    if (!resume->is_object()) return badMessage("field 'resume' must be an object");
    TREFF_TAKE_STRING(participant, *resume, "participant", 64);
    TREFF_TAKE_STRING(secret, *resume, "secret", 128);
    join.resume = Join::Resume{std::move(participant), std::move(secret)};
  }
  auto codecs = m.find("videoCodecs");
  if (codecs != m.end() && !codecs->is_null()) {
    if (!codecs->is_array() || codecs->size() > kMaxVideoCodecs) {
      return badMessage("field 'videoCodecs' must be an array of at most " +
                        std::to_string(kMaxVideoCodecs) + " codec names");
    }
    for (const auto& c : *codecs) {
      if (!c.is_string()) return badMessage("field 'videoCodecs' must hold strings");
      // Codecs this server does not forward are skipped: newer clients may know more.
      auto name = canonicalVideoCodec(c.get_ref<const std::string&>());
      if (name && std::find(join.videoCodecs.begin(), join.videoCodecs.end(), *name) ==
                      join.videoCodecs.end()) {
        join.videoCodecs.push_back(std::move(*name));
      }
    }
  }
  return ClientMessage{std::move(join)};
}

std::variant<ClientMessage, ProtocolError> parsePublish(const Json& m) {
  TREFF_TAKE_STRING(sdp, m, "sdp", kMaxSdpBytes);
  auto tracks = m.find("tracks");
  if (tracks == m.end() || !tracks->is_array())
    return badMessage("field 'tracks' must be an array");
  if (tracks->size() > kMaxPublishedTracks) {
    return badMessage("at most " + std::to_string(kMaxPublishedTracks) + " tracks");
  }
  Publish publish{std::move(sdp), {}};
  std::set<std::string> mids;
  std::set<TrackSource> sources;
  for (const auto& t : *tracks) {
    if (!t.is_object()) return badMessage("each track must be an object");
    TREFF_TAKE_STRING(mid, t, "mid", 32);
    TREFF_TAKE_STRING(sourceName, t, "source", 16);
    auto source = sourceFromString(sourceName);
    if (!source) return badMessage("track source must be microphone, camera or screen");
    if (mid.empty() || !mids.insert(mid).second) return badMessage("track mids must be distinct");
    if (!sources.insert(*source).second) return badMessage("one track per source");
    publish.tracks.push_back(PublishedTrack{std::move(mid), *source});
  }
  return ClientMessage{std::move(publish)};
}

std::variant<ClientMessage, ProtocolError> parseMute(const Json& m) {
  TREFF_TAKE_STRING(sourceName, m, "source", 16);
  auto source = sourceFromString(sourceName);
  if (!source || *source == TrackSource::Screen) {
    return badMessage("mute source must be microphone or camera");
  }
  auto muted = m.find("muted");
  if (muted == m.end() || !muted->is_boolean())
    return badMessage("field 'muted' must be true or false");
  return ClientMessage{Mute{*source, muted->get<bool>()}};
}

std::variant<ClientMessage, ProtocolError> parseView(const Json& m) {
  View view;
  auto tiles = m.find("tiles");
  if (tiles == m.end() || !tiles->is_array()) return badMessage("field 'tiles' must be an array");
  if (tiles->size() > kMaxViewTiles) {
    return badMessage("at most " + std::to_string(kMaxViewTiles) + " tiles");
  }
  for (const auto& t : *tiles) {
    if (!t.is_object()) return badMessage("each tile must be an object");
    TREFF_TAKE_STRING(participant, t, "participant", 64);
    TREFF_TAKE_STRING(sourceName, t, "source", 16);
    auto source = sourceFromString(sourceName);
    if (!source || *source == TrackSource::Microphone) {
      return badMessage("tile source must be camera or screen");
    }
    auto width = t.find("width");
    auto height = t.find("height");
    auto pixels = [](const Json& v) {
      return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() <= kMaxTilePixels;
    };
    if (width == t.end() || height == t.end() || !pixels(*width) || !pixels(*height)) {
      return badMessage("tile width and height must be integers from 0 to " +
                        std::to_string(kMaxTilePixels));
    }
    view.tiles.push_back(View::Tile{std::move(participant), *source, width->get<uint32_t>(),
                                    height->get<uint32_t>()});
  }
  auto pinned = m.find("pinned");
  if (pinned != m.end()) {
    if (!pinned->is_array() || pinned->size() > kMaxPinned) {
      return badMessage("field 'pinned' must be an array of at most " + std::to_string(kMaxPinned) +
                        " ids");
    }
    for (const auto& p : *pinned) {
      if (!p.is_string() || p.get_ref<const std::string&>().size() > 64) {
        return badMessage("each pinned entry must be a participant id");
      }
      view.pinned.push_back(p.get<std::string>());
    }
  }
  auto lastN = m.find("lastN");
  if (lastN != m.end()) {
    if (!lastN->is_number_integer() || lastN->get<int64_t>() < 0 || lastN->get<int64_t>() > 1000)
      return badMessage("field 'lastN' must be an integer from 0 to 1000");
    view.lastN = lastN->get<int>();
  }
  return ClientMessage{std::move(view)};
}

std::variant<ClientMessage, ProtocolError> parseChat(const Json& m) {
  TREFF_TAKE_STRING(text, m, "text", kMaxChatChars * 4);
  size_t length = utf8Length(text);
  if (trim(text).empty() || length > kMaxChatChars || hasControlCharacters(text, true)) {
    return badMessage("a chat message has 1 to 2000 characters");
  }
  return ClientMessage{Chat{std::move(text)}};
}

Json trackJson(const TrackInfo& t) {
  return Json{{"source", toString(t.source)}, {"kind", kindOf(t.source)}, {"muted", t.muted}};
}

Json participantJson(const ParticipantInfo& p) {
  Json tracks = Json::array();
  for (const auto& t : p.tracks) tracks.push_back(trackJson(t));
  return Json{{"id", p.id}, {"name", p.name}, {"reconnecting", p.reconnecting}, {"tracks", tracks}};
}

}  // namespace

std::optional<std::string> normalizeDisplayName(std::string_view raw) {
  std::string name(trim(raw));
  if (name.empty() || !validUtf8(name) || utf8Length(name) > kMaxDisplayNameChars ||
      hasControlCharacters(name, false)) {
    return std::nullopt;
  }
  return name;
}

std::string_view toString(TrackSource source) {
  switch (source) {
    case TrackSource::Microphone:
      return "microphone";
    case TrackSource::Camera:
      return "camera";
    case TrackSource::Screen:
      return "screen";
  }
  return "unknown";
}

std::string_view kindOf(TrackSource source) {
  return source == TrackSource::Microphone ? "audio" : "video";
}

bool isValidMeetingName(std::string_view name) {
  if (name.empty() || name.size() > kMaxMeetingNameBytes || name.front() == '.') return false;
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::variant<ClientMessage, ProtocolError> parseClientMessage(std::string_view text) {
  Json message;
  bool tooDeep = false;
  try {
    // The callback sees every nesting level first, so hostile depth is refused while parsing.
    message = Json::parse(text, [&](int depth, Json::parse_event_t, Json&) {
      if (depth > kMaxJsonDepth) {
        tooDeep = true;
        throw std::out_of_range("depth");
      }
      return true;
    });
  } catch (const std::exception&) {
    if (tooDeep) return ProtocolError{"bad-json", "the message nests too deeply"};
    return ProtocolError{"bad-json", "the message is not valid JSON"};
  }
  if (!message.is_object()) return badMessage("a message must be a JSON object");
  auto type = requiredString(message, "type", 64);
  if (auto* error = std::get_if<ProtocolError>(&type)) return *error;
  auto version = message.find("version");
  if (version != message.end() && (!version->is_number_integer() || *version != kProtocolVersion)) {
    return ProtocolError{"unsupported-version",
                         "this server speaks protocol version " + std::to_string(kProtocolVersion)};
  }
  const std::string& name = std::get<std::string>(type);
  if (name == "echo.offer" || name == "echo.restart") {
    TREFF_TAKE_STRING(sdp, message, "sdp", kMaxSdpBytes);
    if (name == "echo.offer") return ClientMessage{EchoOffer{std::move(sdp)}};
    return ClientMessage{EchoRestart{std::move(sdp)}};
  }
  if (name == "join") return parseJoin(message);
  if (name == "publish") return parsePublish(message);
  if (name == "subscribe.answer") {
    TREFF_TAKE_STRING(sdp, message, "sdp", kMaxSdpBytes);
    return ClientMessage{SubscribeAnswer{std::move(sdp)}};
  }
  if (name == "subscribe.restart") return ClientMessage{SubscribeRestart{}};
  if (name == "mute") return parseMute(message);
  if (name == "view") return parseView(message);
  if (name == "chat") return parseChat(message);
  if (name == "leave") return ClientMessage{Leave{}};
  return ProtocolError{"unknown-type", "unknown message type '" + name + "'"};
}

std::string encodeEchoAnswer(std::string_view sdp) {
  return dump(Json{{"type", "echo.answer"}, {"version", kProtocolVersion}, {"sdp", sdp}});
}

std::string encodeError(std::string_view code, std::string_view message, std::string_view request) {
  Json j{{"type", "error"}, {"code", code}, {"message", message}};
  if (!request.empty()) j["request"] = request;
  return dump(j);
}

std::string encodeJoined(const ParticipantInfo& self, std::string_view secret,
                         std::string_view meeting, bool resumed,
                         const std::vector<ParticipantInfo>& others, std::string_view videoCodec) {
  Json list = Json::array();
  for (const auto& p : others) list.push_back(participantJson(p));
  return dump(Json{{"type", "joined"},
                   {"participant", self.id},
                   {"name", self.name},
                   {"secret", secret},
                   {"meeting", meeting},
                   {"resumed", resumed},
                   {"videoCodec", videoCodec},
                   {"participants", list}});
}

std::string encodeVideoCodec(std::string_view videoCodec) {
  return dump(Json{{"type", "video-codec"}, {"videoCodec", videoCodec}});
}

std::string encodeDominantSpeaker(std::string_view participant) {
  return dump(Json{{"type", "dominant-speaker"}, {"participant", participant}});
}

std::string encodeForwarding(const std::vector<std::pair<std::string, TrackSource>>& paused) {
  Json list = Json::array();
  for (const auto& [participant, source] : paused) {
    list.push_back(Json{{"participant", participant}, {"source", toString(source)}});
  }
  return dump(Json{{"type", "forwarding"}, {"paused", std::move(list)}});
}

std::string encodeLayers(TrackSource source, const std::vector<bool>& active) {
  Json list = Json::array();
  for (bool a : active) list.push_back(a);
  return dump(Json{{"type", "layers"}, {"source", toString(source)}, {"active", std::move(list)}});
}

std::string encodeParticipantJoined(const ParticipantInfo& participant) {
  return dump(Json{{"type", "participant.joined"}, {"participant", participantJson(participant)}});
}

std::string encodeParticipantUpdated(const ParticipantInfo& participant) {
  return dump(Json{{"type", "participant.updated"}, {"participant", participantJson(participant)}});
}

std::string encodeParticipantLeft(std::string_view id) {
  return dump(Json{{"type", "participant.left"}, {"participant", id}});
}

std::string encodePublishAnswer(std::string_view sdp) {
  return dump(Json{{"type", "publish.answer"}, {"sdp", sdp}});
}

std::string encodeSubscribeOffer(std::string_view sdp, const std::vector<SubscribedTrack>& tracks) {
  Json list = Json::array();
  for (const auto& t : tracks) {
    list.push_back(Json{{"mid", t.mid},
                        {"participant", t.participant},
                        {"source", toString(t.source)},
                        {"kind", kindOf(t.source)}});
  }
  return dump(Json{{"type", "subscribe.offer"}, {"sdp", sdp}, {"tracks", list}});
}

std::string encodeChat(std::string_view from, std::string_view name, std::string_view text,
                       int64_t unixMs) {
  return dump(
      Json{{"type", "chat"}, {"from", from}, {"name", name}, {"text", text}, {"time", unixMs}});
}

}  // namespace treff::signaling
