#include "sdp/attribute_parsers.hpp"

#include <string>

#include "sdp/text_scan.hpp"

namespace treff::sdp::attr {
namespace {

Error fail(std::string message) { return Error{std::move(message)}; }

std::string quoted(std::string_view text) {
  constexpr size_t kShown = 40;
  std::string shown(text.substr(0, kShown));
  if (text.size() > kShown) shown += "...";
  return "'" + shown + "'";
}

// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"), at most 255 characters (RFC 8852 §3.3
// leaves 255 bytes for the header extension value).
bool isRidId(std::string_view text) {
  if (text.empty() || text.size() > 255) return false;
  for (char c : text) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '-' && c != '_') return false;
  }
  return true;
}

bool isHexDigit(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Result<uint32_t> ssrcNumber(std::string_view text) {
  const auto value = text::parseUnsigned(text, UINT32_MAX);
  if (!value) return fail("bad SSRC " + quoted(text));
  return static_cast<uint32_t>(*value);
}

Status simulcastStreams(std::string_view text, std::vector<SimulcastAlternatives>& out) {
  for (std::string_view stream : text::split(text, ';')) {
    SimulcastAlternatives alternatives;
    for (std::string_view id : text::split(stream, ',')) {
      SimulcastStream entry;
      if (!id.empty() && id.front() == '~') {
        entry.paused = true;
        id.remove_prefix(1);
      }
      if (!isRidId(id)) return fail("bad rid " + quoted(id) + " in a=simulcast");
      entry.rid = std::string(id);
      alternatives.push_back(std::move(entry));
    }
    if (alternatives.empty()) return fail("empty stream in a=simulcast");
    out.push_back(std::move(alternatives));
  }
  if (out.empty()) return fail("a=simulcast without streams");
  return okStatus();
}

}  // namespace

Result<uint8_t> payloadType(std::string_view text) {
  const auto value = text::parseUnsigned(text, 127);
  if (!value) return fail("bad payload type " + quoted(text) + " (must be 0..127)");
  return static_cast<uint8_t>(*value);
}

// RFC 8866 §6.6: a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
Result<Rtpmap> rtpmap(std::string_view value) {
  const auto [ptText, encoding, hasEncoding] = text::splitOnce(value, ' ');
  if (!hasEncoding) return fail("a=rtpmap without encoding");
  auto pt = payloadType(ptText);
  if (!pt) return Error{pt.error()};
  const auto parts = text::split(text::trim(encoding), '/');
  if (parts.size() < 2 || parts.size() > 3)
    return fail("bad a=rtpmap encoding " + quoted(encoding));
  if (!text::isToken(parts[0])) return fail("bad encoding name " + quoted(parts[0]));
  const auto clock = text::parseUnsigned(parts[1], UINT32_MAX);
  if (!clock || *clock == 0) return fail("bad clock rate " + quoted(parts[1]));
  Rtpmap map;
  map.payloadType = *pt;
  map.name = std::string(parts[0]);
  map.clockRate = static_cast<uint32_t>(*clock);
  if (parts.size() == 3) {
    const auto channels = text::parseUnsigned(parts[2], 255);
    if (!channels || *channels == 0) return fail("bad channel count " + quoted(parts[2]));
    map.channels = static_cast<uint16_t>(*channels);
  }
  return map;
}

std::map<std::string, std::string> fmtpParameters(std::string_view raw) {
  std::map<std::string, std::string> parameters;
  for (std::string_view piece : text::split(raw, ';')) {
    piece = text::trim(piece);
    if (piece.empty()) continue;
    const auto [key, val, hasValue] = text::splitOnce(piece, '=');
    parameters[std::string(text::trim(key))] = std::string(hasValue ? text::trim(val) : "");
  }
  return parameters;
}

// RFC 8866 §6.15: a=fmtp:<format> <format specific parameters>
Result<Fmtp> fmtp(std::string_view value) {
  const auto [ptText, raw, hasRaw] = text::splitOnce(value, ' ');
  auto pt = payloadType(ptText);
  if (!pt) return Error{pt.error()};
  Fmtp result;
  result.payloadType = *pt;
  result.raw = std::string(text::trim(raw));
  if (!hasRaw || result.raw.empty()) return fail("a=fmtp without parameters");
  result.parameters = fmtpParameters(result.raw);
  return result;
}

// RFC 4585 §4.2: a=rtcp-fb:<pt or *> <type> [<parameter>]
Result<RtcpFb> rtcpFb(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() < 2) return fail("a=rtcp-fb without feedback type");
  RtcpFb result;
  if (tokens[0] != "*") {
    auto pt = payloadType(tokens[0]);
    if (!pt) return Error{pt.error()};
    result.payloadType = *pt;
  }
  result.feedback.type = std::string(tokens[1]);
  for (size_t i = 2; i < tokens.size(); ++i) {
    if (!result.feedback.parameter.empty()) result.feedback.parameter += ' ';
    result.feedback.parameter += tokens[i];
  }
  return result;
}

// RFC 8285 §8: a=extmap:<value>["/"<direction>] <URI> <extensionattributes>
Result<Extmap> extmap(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() < 2) return fail("a=extmap without URI");
  const auto [idText, directionText, hasDirection] = text::splitOnce(tokens[0], '/');
  // One-byte ids are 1..14, two-byte ids 1..255 (RFC 8285 §4.2, §4.3).
  const auto id = text::parseUnsigned(idText, 255);
  if (!id || *id == 0) return fail("bad extmap id " + quoted(idText) + " (must be 1..255)");
  Extmap result;
  result.id = static_cast<uint16_t>(*id);
  if (hasDirection) {
    result.direction = parseDirection(directionText);
    if (!result.direction) return fail("bad extmap direction " + quoted(directionText));
  }
  result.uri = std::string(tokens[1]);
  for (size_t i = 2; i < tokens.size(); ++i) {
    if (!result.attributes.empty()) result.attributes += ' ';
    result.attributes += tokens[i];
  }
  return result;
}

// RFC 8851 §10: a=rid:<rid-id> SP <send|recv> [SP rid-pt-param-list / rid-param-list]
Result<Rid> rid(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() < 2) return fail("a=rid without direction");
  if (!isRidId(tokens[0])) return fail("bad rid id " + quoted(tokens[0]));
  Rid result;
  result.id = std::string(tokens[0]);
  if (tokens[1] == "send") {
    result.direction = RidDirection::Send;
  } else if (tokens[1] == "recv") {
    result.direction = RidDirection::Recv;
  } else {
    return fail("bad rid direction " + quoted(tokens[1]));
  }
  for (size_t i = 2; i < tokens.size(); ++i) {
    if (!result.params.empty()) result.params += ' ';
    result.params += tokens[i];
  }
  return result;
}

// RFC 8853 §5.1: a=simulcast:<send|recv> <streams> [<recv|send> <streams>]
Result<Simulcast> simulcast(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() != 2 && tokens.size() != 4) return fail("bad a=simulcast " + quoted(value));
  Simulcast result;
  bool seenSend = false;
  bool seenRecv = false;
  for (size_t i = 0; i < tokens.size(); i += 2) {
    std::vector<SimulcastAlternatives>* list = nullptr;
    if (tokens[i] == "send" && !seenSend) {
      seenSend = true;
      list = &result.send;
    } else if (tokens[i] == "recv" && !seenRecv) {
      seenRecv = true;
      list = &result.recv;
    } else {
      return fail("bad a=simulcast direction " + quoted(tokens[i]));
    }
    auto parsed = simulcastStreams(tokens[i + 1], *list);
    if (!parsed) return Error{parsed.error()};
  }
  return result;
}

// RFC 5576 §4.1: a=ssrc:<ssrc-id> <attribute>[:<value>]
Result<SsrcAttribute> ssrc(std::string_view value) {
  const auto [idText, rest, hasRest] = text::splitOnce(value, ' ');
  auto id = ssrcNumber(idText);
  if (!id) return Error{id.error()};
  const auto [name, attributeValue, hasValue] = text::splitOnce(rest, ':');
  if (!hasRest || text::trim(name).empty()) return fail("a=ssrc without attribute");
  SsrcAttribute result;
  result.ssrc = *id;
  result.attribute = std::string(text::trim(name));
  if (hasValue) result.value = std::string(attributeValue);
  return result;
}

// RFC 5576 §4.2: a=ssrc-group:<semantics> <ssrc-id> ...
Result<SsrcGroup> ssrcGroup(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() < 2) return fail("a=ssrc-group without SSRCs");
  SsrcGroup result;
  result.semantics = std::string(tokens[0]);
  for (size_t i = 1; i < tokens.size(); ++i) {
    auto id = ssrcNumber(tokens[i]);
    if (!id) return Error{id.error()};
    result.ssrcs.push_back(*id);
  }
  return result;
}

Result<Msid> msid(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.empty() || tokens.size() > 2) return fail("bad a=msid " + quoted(value));
  Msid result;
  result.streamId = std::string(tokens[0]);
  if (tokens.size() == 2) result.trackId = std::string(tokens[1]);
  return result;
}

// RFC 8839 §5.1: <foundation> <component-id> <transport> <priority> <address> <port>
// typ <cand-type> [raddr <addr>] [rport <port>] *(<extension-att-name> <extension-att-value>)
Result<Candidate> candidate(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() < 8 || tokens[6] != "typ") return fail("bad a=candidate " + quoted(value));
  Candidate result;
  if (tokens[0].size() > 32) return fail("candidate foundation too long");
  result.foundation = std::string(tokens[0]);
  const auto component = text::parseUnsigned(tokens[1], 256);
  if (!component || *component == 0) return fail("bad candidate component " + quoted(tokens[1]));
  result.component = static_cast<uint16_t>(*component);
  result.transport = std::string(tokens[2]);
  const auto priority = text::parseUnsigned(tokens[3], UINT32_MAX);
  if (!priority) return fail("bad candidate priority " + quoted(tokens[3]));
  result.priority = static_cast<uint32_t>(*priority);
  result.address = std::string(tokens[4]);
  const auto port = text::parseUnsigned(tokens[5], 65535);
  if (!port) return fail("bad candidate port " + quoted(tokens[5]));
  result.port = static_cast<uint16_t>(*port);
  result.type = std::string(tokens[7]);
  if ((tokens.size() - 8) % 2 != 0) return fail("odd candidate extension list " + quoted(value));
  for (size_t i = 8; i + 1 < tokens.size(); i += 2) {
    const std::string_view name = tokens[i];
    const std::string_view val = tokens[i + 1];
    if (name == "raddr") {
      result.relatedAddress = std::string(val);
    } else if (name == "rport") {
      const auto relatedPort = text::parseUnsigned(val, 65535);
      if (!relatedPort) return fail("bad candidate rport " + quoted(val));
      result.relatedPort = static_cast<uint16_t>(*relatedPort);
    } else if (name == "tcptype") {
      result.tcpType = std::string(val);
    } else {
      result.extensions.emplace_back(std::string(name), std::string(val));
    }
  }
  return result;
}

// RFC 8122 §5: fingerprint-attribute = "fingerprint" ":" hash-func SP fingerprint
Result<Fingerprint> fingerprint(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.size() != 2) return fail("bad a=fingerprint " + quoted(value));
  const std::string_view hex = tokens[1];
  // Pairs of hex digits joined by ':' — "AB" or "AB:CD:...".
  if (hex.size() < 2 || (hex.size() + 1) % 3 != 0) return fail("bad fingerprint value");
  for (size_t i = 0; i < hex.size(); ++i) {
    const bool ok = (i % 3 == 2) ? hex[i] == ':' : isHexDigit(hex[i]);
    if (!ok) return fail("bad fingerprint value " + quoted(hex));
  }
  Fingerprint result;
  result.algorithm = std::string(tokens[0]);
  for (char& c : result.algorithm) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  result.value = std::string(hex);
  return result;
}

// RFC 5888 §5: a=group:<semantics> *(SP <identification-tag>)
Result<Group> group(std::string_view value) {
  const auto tokens = text::split(value, ' ');
  if (tokens.empty()) return fail("a=group without semantics");
  Group result;
  result.semantics = std::string(tokens[0]);
  for (size_t i = 1; i < tokens.size(); ++i) {
    if (!text::isToken(tokens[i])) return fail("bad mid " + quoted(tokens[i]) + " in a=group");
    result.mids.emplace_back(tokens[i]);
  }
  return result;
}

MsidSemantic msidSemantic(std::string_view value) {
  const auto tokens = text::split(text::trim(value), ' ');
  MsidSemantic result;
  if (tokens.empty()) return result;
  result.semantic = std::string(tokens[0]);
  for (size_t i = 1; i < tokens.size(); ++i) result.ids.emplace_back(tokens[i]);
  return result;
}

}  // namespace treff::sdp::attr
