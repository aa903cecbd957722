#include "sdp/parser.hpp"

#include <string>
#include <utility>

#include "sdp/attribute_parsers.hpp"
#include "sdp/text_scan.hpp"

namespace treff::sdp {
namespace {

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/", at most 256 characters.
bool isIceString(std::string_view text) {
  if (text.empty() || text.size() > 256) return false;
  for (char c : text) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '+' && c != '/') return false;
  }
  return true;
}

MediaKind kindOf(std::string_view media) {
  if (media == "audio") return MediaKind::Audio;
  if (media == "video") return MediaKind::Video;
  if (media == "application") return MediaKind::Application;
  return MediaKind::Other;
}

class Parser {
 public:
  explicit Parser(const ParseLimits& limits) : limits_(limits) {}

  Result<SessionDescription> run(std::string_view text) {
    if (text.size() > limits_.maxBytes) {
      return Error{"SDP of " + std::to_string(text.size()) + " bytes exceeds the limit of " +
                   std::to_string(limits_.maxBytes)};
    }
    size_t lineNumber = 0;
    size_t start = 0;
    bool seenVersion = false;
    bool seenOrigin = false;
    while (start < text.size()) {
      size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      std::string_view line = text.substr(start, end - start);
      start = end + 1;
      ++lineNumber;
      if (lineNumber > limits_.maxLines) {
        return fail(lineNumber, "more than " + std::to_string(limits_.maxLines) + " lines");
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.empty()) continue;
      if (line.size() > limits_.maxLineLength) {
        return fail(lineNumber,
                    "line longer than " + std::to_string(limits_.maxLineLength) + " characters");
      }
      for (char c : line) {
        if (c == '\0' || c == '\r') return fail(lineNumber, "control character inside the line");
      }
      if (line.size() < 2 || line[1] != '=') return fail(lineNumber, "expected <type>=<value>");
      const char type = line[0];
      const std::string_view value = line.substr(2);
      if (!seenVersion) {
        if (type != 'v' || value != "0") return fail(lineNumber, "SDP must start with v=0");
        seenVersion = true;
        continue;
      }
      Status status = okStatus();
      switch (type) {
        case 'o':
          if (section_ != nullptr || seenOrigin) return fail(lineNumber, "misplaced o= line");
          seenOrigin = true;
          status = origin(value);
          break;
        case 's':
          if (section_ == nullptr) {
            const auto name = text::trim(value);
            description_.sessionName = name.empty() ? "-" : std::string(name);
          }
          break;
        case 'c':
          status = connection(value);
          break;
        case 'm':
          if (!seenOrigin) return fail(lineNumber, "m= line before o= line");
          status = mediaLine(value);
          break;
        case 'a':
          status = attribute(value);
          break;
        case 'v':
          return fail(lineNumber, "repeated v= line");
        default:
          // RFC 8866 §5: b=, t=, r=, z=, k=, i=, u=, e=, p= carry nothing WebRTC needs here.
          if (type < 'a' || type > 'z') return fail(lineNumber, "unknown line type");
          break;
      }
      if (!status) return fail(lineNumber, status.error());
    }
    if (!seenVersion) return Error{"empty SDP"};
    if (!seenOrigin) return Error{"SDP without o= line"};
    finishSection();
    return std::move(description_);
  }

 private:
  static Error fail(size_t lineNumber, const std::string& problem) {
    return Error{"line " + std::to_string(lineNumber) + ": " + problem};
  }

  template <typename T>
  static Status forward(const Result<T>& result) {
    return result ? okStatus() : Status(Error{result.error()});
  }

  // RFC 8866 §5.2: o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
  Status origin(std::string_view value) {
    const auto tokens = text::split(value, ' ');
    if (tokens.size() != 6) return Error{"o= line needs 6 fields"};
    const auto& id = tokens[1];
    if (id.size() > 32) return Error{"bad session id in o= line"};
    for (char c : id) {
      if (c < '0' || c > '9') return Error{"bad session id in o= line"};
    }
    const auto version = text::parseUnsigned(tokens[2], UINT64_MAX);
    if (!version) return Error{"bad session version in o= line"};
    Origin& o = description_.origin;
    o.username = std::string(tokens[0]);
    o.sessionId = std::string(id);
    o.sessionVersion = *version;
    o.netType = std::string(tokens[3]);
    o.addressType = std::string(tokens[4]);
    o.address = std::string(tokens[5]);
    return okStatus();
  }

  Status connection(std::string_view value) {
    const auto tokens = text::split(value, ' ');
    if (tokens.size() != 3) return Error{"c= line needs 3 fields"};
    if (section_ != nullptr) section_->connection = std::string(text::trim(value));
    return okStatus();
  }

  // RFC 8866 §5.14: m=<media> <port>[/<number of ports>] <proto> <fmt> ...
  Status mediaLine(std::string_view value) {
    finishSection();
    if (description_.media.size() >= limits_.maxMediaSections) {
      return Error{"more than " + std::to_string(limits_.maxMediaSections) + " m= sections"};
    }
    const auto tokens = text::split(value, ' ');
    if (tokens.size() < 4) return Error{"m= line needs media, port, proto and formats"};
    MediaSection section;
    section.media = std::string(tokens[0]);
    section.kind = kindOf(tokens[0]);
    if (!text::isToken(tokens[0])) return Error{"bad media type in m= line"};
    const auto portText = text::splitOnce(tokens[1], '/');
    const auto port = text::parseUnsigned(portText.first, 65535);
    if (!port) return Error{"bad port in m= line"};
    if (portText.found && !text::parseUnsigned(portText.second, 65535)) {
      return Error{"bad port count in m= line"};
    }
    section.port = static_cast<uint16_t>(*port);
    section.proto = std::string(tokens[2]);
    description_.media.push_back(std::move(section));
    section_ = &description_.media.back();
    for (size_t i = 3; i < tokens.size(); ++i) {
      if (section_->isRtp()) {
        auto pt = attr::payloadType(tokens[i]);
        if (!pt) return Error{pt.error() + " in m= line"};
        if (section_->findCodec(*pt) != nullptr) return Error{"duplicate payload type in m= line"};
        Codec codec;
        codec.payloadType = *pt;
        section_->codecs.push_back(std::move(codec));
      } else {
        section_->formats.emplace_back(tokens[i]);
      }
    }
    return okStatus();
  }

  Status attribute(std::string_view line) {
    const auto [name, value, hasValue] = text::splitOnce(line, ':');
    if (name.empty()) return Error{"empty attribute name"};
    if (section_ == nullptr) return sessionAttribute(name, value, hasValue);
    return mediaAttribute(name, value, hasValue);
  }

  Status iceCredential(std::string_view value, std::string& out, const char* what) {
    if (!isIceString(value)) return Error{std::string("bad ") + what};
    out = std::string(value);
    return okStatus();
  }

  // Attributes that may appear at session level and at media level with the same meaning.
  // Returns nullopt when `name` is not one of them.
  std::optional<Status> transportAttribute(std::string_view name, std::string_view value,
                                           std::string& ufrag, std::string& pwd,
                                           std::vector<std::string>& iceOptions,
                                           std::optional<Fingerprint>& fingerprint,
                                           std::optional<Setup>& setup, bool& allowMixed) {
    if (name == "ice-ufrag") return iceCredential(value, ufrag, "a=ice-ufrag");
    if (name == "ice-pwd") return iceCredential(value, pwd, "a=ice-pwd");
    if (name == "ice-options") {
      iceOptions.clear();
      for (auto option : text::split(value, ' ')) iceOptions.emplace_back(option);
      return okStatus();
    }
    if (name == "fingerprint") {
      auto parsed = attr::fingerprint(value);
      // RFC 8122 §5 allows several; the first is kept, as browsers write one.
      if (parsed && !fingerprint) fingerprint = *parsed;
      return forward(parsed);
    }
    if (name == "setup") {
      setup = parseSetup(value);
      if (!setup) return Status(Error{"bad a=setup"});
      return okStatus();
    }
    if (name == "extmap-allow-mixed") {
      allowMixed = true;
      return okStatus();
    }
    return std::nullopt;
  }

  Status sessionAttribute(std::string_view name, std::string_view value, bool hasValue) {
    SessionDescription& d = description_;
    if (auto handled = transportAttribute(name, value, d.iceUfrag, d.icePwd, d.iceOptions,
                                          d.fingerprint, d.setup, d.extmapAllowMixed)) {
      return *handled;
    }
    if (name == "group") {
      auto parsed = attr::group(value);
      if (parsed && parsed->semantics == "BUNDLE") d.bundleMids = parsed->mids;
      return forward(parsed);
    }
    if (name == "ice-lite") {
      d.iceLite = true;
    } else if (name == "msid-semantic") {
      d.msidSemantic = attr::msidSemantic(value);
    } else {
      d.otherAttributes.push_back({std::string(name), std::string(value), hasValue});
    }
    return okStatus();
  }

  Status mediaAttribute(std::string_view name, std::string_view value, bool hasValue) {
    MediaSection& m = *section_;
    if (auto handled = transportAttribute(name, value, m.iceUfrag, m.icePwd, m.iceOptions,
                                          m.fingerprint, m.setup, m.extmapAllowMixed)) {
      return *handled;
    }
    if (auto direction = parseDirection(name)) {
      m.direction = direction;
    } else if (name == "mid") {
      if (!text::isToken(value) || value.size() > 255) return Error{"bad a=mid"};
      m.mid = std::string(value);
    } else if (name == "rtcp-mux") {
      m.rtcpMux = true;
    } else if (name == "rtcp-rsize") {
      m.rtcpReducedSize = true;
    } else if (name == "bundle-only") {
      m.bundleOnly = true;
    } else if (name == "end-of-candidates") {
      m.endOfCandidates = true;
    } else if (name == "rtpmap") {
      auto parsed = attr::rtpmap(value);
      if (!parsed) return Error{parsed.error()};
      if (Codec* codec = m.findCodec(parsed->payloadType)) {
        codec->name = std::move(parsed->name);
        codec->clockRate = parsed->clockRate;
        codec->channels = parsed->channels;
      }
    } else if (name == "fmtp") {
      if (!m.isRtp()) {
        m.otherAttributes.push_back({std::string(name), std::string(value), hasValue});
        return okStatus();
      }
      auto parsed = attr::fmtp(value);
      if (!parsed) return Error{parsed.error()};
      if (Codec* codec = m.findCodec(parsed->payloadType)) {
        codec->fmtp = std::move(parsed->raw);
        codec->fmtpParameters = std::move(parsed->parameters);
      }
    } else if (name == "rtcp-fb") {
      auto parsed = attr::rtcpFb(value);
      if (!parsed) return Error{parsed.error()};
      if (!parsed->payloadType) {
        wildcardFeedback_.push_back(std::move(parsed->feedback));
      } else if (Codec* codec = m.findCodec(*parsed->payloadType)) {
        codec->rtcpFeedback.push_back(std::move(parsed->feedback));
      }
    } else if (name == "extmap") {
      auto parsed = attr::extmap(value);
      if (!parsed) return Error{parsed.error()};
      for (const Extmap& existing : m.extmaps) {
        if (existing.id == parsed->id) return Error{"duplicate extmap id"};
      }
      m.extmaps.push_back(std::move(*parsed));
    } else if (name == "rid") {
      auto parsed = attr::rid(value);
      if (!parsed) return Error{parsed.error()};
      m.rids.push_back(std::move(*parsed));
    } else if (name == "simulcast") {
      auto parsed = attr::simulcast(value);
      if (!parsed) return Error{parsed.error()};
      m.simulcast = std::move(*parsed);
    } else if (name == "ssrc") {
      auto parsed = attr::ssrc(value);
      if (!parsed) return Error{parsed.error()};
      m.ssrcs.push_back(std::move(*parsed));
    } else if (name == "ssrc-group") {
      auto parsed = attr::ssrcGroup(value);
      if (!parsed) return Error{parsed.error()};
      m.ssrcGroups.push_back(std::move(*parsed));
    } else if (name == "msid") {
      auto parsed = attr::msid(value);
      if (!parsed) return Error{parsed.error()};
      m.msids.push_back(std::move(*parsed));
    } else if (name == "candidate") {
      auto parsed = attr::candidate(value);
      if (!parsed) return Error{parsed.error()};
      m.candidates.push_back(std::move(*parsed));
    } else {
      m.otherAttributes.push_back({std::string(name), std::string(value), hasValue});
    }
    return okStatus();
  }

  // RFC 4585 §4.2: "a=rtcp-fb:* ..." applies to every payload type of the section.
  void finishSection() {
    if (section_ != nullptr) {
      for (const RtcpFeedback& feedback : wildcardFeedback_) {
        for (Codec& codec : section_->codecs) codec.rtcpFeedback.push_back(feedback);
      }
    }
    wildcardFeedback_.clear();
  }

  const ParseLimits& limits_;
  SessionDescription description_;
  MediaSection* section_ = nullptr;
  std::vector<RtcpFeedback> wildcardFeedback_;
};

}  // namespace

Result<SessionDescription> parse(std::string_view text, const ParseLimits& limits) {
  return Parser(limits).run(text);
}

}  // namespace treff::sdp
