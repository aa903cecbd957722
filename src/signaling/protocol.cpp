#include "signaling/protocol.hpp"

#include <nlohmann/json.hpp>

namespace treff::signaling {
namespace {

using Json = nlohmann::json;

ProtocolError badMessage(std::string message) { return {"bad-message", std::move(message)}; }

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
    auto sdp = requiredString(message, "sdp", kMaxSdpBytes);
    if (auto* error = std::get_if<ProtocolError>(&sdp)) return *error;
    std::string text = std::move(std::get<std::string>(sdp));
    if (name == "echo.offer") return ClientMessage{EchoOffer{std::move(text)}};
    return ClientMessage{EchoRestart{std::move(text)}};
  }
  return ProtocolError{"unknown-type", "unknown message type '" + name + "'"};
}

std::string encodeEchoAnswer(std::string_view sdp) {
  return Json{{"type", "echo.answer"}, {"version", kProtocolVersion}, {"sdp", sdp}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string encodeError(std::string_view code, std::string_view message) {
  return Json{{"type", "error"}, {"code", code}, {"message", message}}.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace treff::signaling
