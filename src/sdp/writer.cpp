#include "sdp/writer.hpp"

#include <string_view>

namespace treff::sdp {
namespace {

class Writer {
 public:
  std::string finish() { return std::move(out_); }

  void line(char type, std::string_view value) {
    out_ += type;
    out_ += '=';
    out_ += value;
    out_ += "\r\n";
  }

  void attribute(std::string_view name) { line('a', name); }

  void attribute(std::string_view name, std::string_view value) {
    out_ += "a=";
    out_ += name;
    out_ += ':';
    out_ += value;
    out_ += "\r\n";
  }

  void session(const SessionDescription& d) {
    line('v', "0");
    const Origin& o = d.origin;
    line('o', o.username + ' ' + o.sessionId + ' ' + std::to_string(o.sessionVersion) + ' ' +
                  o.netType + ' ' + o.addressType + ' ' + o.address);
    line('s', d.sessionName.empty() ? std::string_view("-") : std::string_view(d.sessionName));
    line('t', "0 0");
    if (d.iceLite) attribute("ice-lite");
    transport(d.iceUfrag, d.icePwd, d.iceOptions, d.fingerprint, d.setup);
    if (!d.bundleMids.empty()) {
      std::string value = "BUNDLE";
      for (const std::string& mid : d.bundleMids) value += ' ' + mid;
      attribute("group", value);
    }
    if (d.extmapAllowMixed) attribute("extmap-allow-mixed");
    if (d.msidSemantic) {
      // Chromium writes "msid-semantic: WMS"; the space is what browsers expect to see.
      std::string value = ' ' + d.msidSemantic->semantic;
      for (const std::string& id : d.msidSemantic->ids) value += ' ' + id;
      attribute("msid-semantic", value);
    }
    others(d.otherAttributes);
  }

  void transport(const std::string& ufrag, const std::string& pwd,
                 const std::vector<std::string>& iceOptions,
                 const std::optional<Fingerprint>& fingerprint, const std::optional<Setup>& setup) {
    if (!ufrag.empty()) attribute("ice-ufrag", ufrag);
    if (!pwd.empty()) attribute("ice-pwd", pwd);
    if (!iceOptions.empty()) attribute("ice-options", joined(iceOptions, ' '));
    if (fingerprint) attribute("fingerprint", fingerprint->algorithm + ' ' + fingerprint->value);
    if (setup) attribute("setup", toString(*setup));
  }

  void media(const MediaSection& m) {
    std::string mline = m.media.empty() ? std::string(toString(m.kind)) : m.media;
    mline += ' ' + std::to_string(m.port) + ' ' + m.proto;
    if (m.isRtp()) {
      for (const Codec& codec : m.codecs) mline += ' ' + std::to_string(codec.payloadType);
    } else {
      for (const std::string& format : m.formats) mline += ' ' + format;
    }
    line('m', mline);
    line('c', m.connection.empty() ? std::string_view("IN IP4 0.0.0.0")
                                   : std::string_view(m.connection));
    transport(m.iceUfrag, m.icePwd, m.iceOptions, m.fingerprint, m.setup);
    if (!m.mid.empty()) attribute("mid", m.mid);
    if (m.bundleOnly) attribute("bundle-only");
    for (const Extmap& extmap : m.extmaps) {
      std::string value = std::to_string(extmap.id);
      if (extmap.direction) value += '/' + std::string(toString(*extmap.direction));
      value += ' ' + extmap.uri;
      if (!extmap.attributes.empty()) value += ' ' + extmap.attributes;
      attribute("extmap", value);
    }
    if (m.extmapAllowMixed) attribute("extmap-allow-mixed");
    if (m.direction) attribute(toString(*m.direction));
    for (const Msid& msid : m.msids) {
      attribute("msid", msid.trackId.empty() ? msid.streamId : msid.streamId + ' ' + msid.trackId);
    }
    if (m.rtcpMux) attribute("rtcp-mux");
    if (m.rtcpReducedSize) attribute("rtcp-rsize");
    if (m.isRtp()) {
      for (const Codec& codec : m.codecs) this->codec(codec);
    }
    for (const Rid& rid : m.rids) {
      std::string value = rid.id + ' ' + std::string(toString(rid.direction));
      if (!rid.params.empty()) value += ' ' + rid.params;
      attribute("rid", value);
    }
    if (m.simulcast) simulcast(*m.simulcast);
    for (const SsrcGroup& group : m.ssrcGroups) {
      std::string value = group.semantics;
      for (uint32_t ssrc : group.ssrcs) value += ' ' + std::to_string(ssrc);
      attribute("ssrc-group", value);
    }
    for (const SsrcAttribute& ssrc : m.ssrcs) {
      std::string value = std::to_string(ssrc.ssrc) + ' ' + ssrc.attribute;
      if (!ssrc.value.empty()) value += ':' + ssrc.value;
      attribute("ssrc", value);
    }
    for (const Candidate& candidate : m.candidates) this->candidate(candidate);
    if (m.endOfCandidates) attribute("end-of-candidates");
    others(m.otherAttributes);
  }

 private:
  static std::string joined(const std::vector<std::string>& items, char separator) {
    std::string value;
    for (const std::string& item : items) {
      if (!value.empty()) value += separator;
      value += item;
    }
    return value;
  }

  void codec(const Codec& codec) {
    const std::string pt = std::to_string(codec.payloadType);
    if (!codec.name.empty()) {
      std::string value = pt + ' ' + codec.name + '/' + std::to_string(codec.clockRate);
      if (codec.channels != 0) value += '/' + std::to_string(codec.channels);
      attribute("rtpmap", value);
    }
    for (const RtcpFeedback& feedback : codec.rtcpFeedback) {
      std::string value = pt + ' ' + feedback.type;
      if (!feedback.parameter.empty()) value += ' ' + feedback.parameter;
      attribute("rtcp-fb", value);
    }
    if (!codec.fmtp.empty()) attribute("fmtp", pt + ' ' + codec.fmtp);
  }

  static std::string streams(const std::vector<SimulcastAlternatives>& list) {
    std::string value;
    for (const SimulcastAlternatives& alternatives : list) {
      if (!value.empty()) value += ';';
      bool first = true;
      for (const SimulcastStream& stream : alternatives) {
        if (!first) value += ',';
        first = false;
        if (stream.paused) value += '~';
        value += stream.rid;
      }
    }
    return value;
  }

  void simulcast(const Simulcast& simulcast) {
    std::string value;
    if (!simulcast.send.empty()) value = "send " + streams(simulcast.send);
    if (!simulcast.recv.empty()) {
      if (!value.empty()) value += ' ';
      value += "recv " + streams(simulcast.recv);
    }
    if (!value.empty()) attribute("simulcast", value);
  }

  void candidate(const Candidate& c) {
    std::string value = c.foundation + ' ' + std::to_string(c.component) + ' ' + c.transport + ' ' +
                        std::to_string(c.priority) + ' ' + c.address + ' ' +
                        std::to_string(c.port) + " typ " + c.type;
    if (!c.relatedAddress.empty()) value += " raddr " + c.relatedAddress;
    if (c.relatedPort) value += " rport " + std::to_string(*c.relatedPort);
    if (!c.tcpType.empty()) value += " tcptype " + c.tcpType;
    for (const auto& [name, extension] : c.extensions) value += ' ' + name + ' ' + extension;
    attribute("candidate", value);
  }

  void others(const std::vector<Attribute>& attributes) {
    for (const Attribute& a : attributes) {
      if (a.hasValue) {
        attribute(a.name, a.value);
      } else {
        attribute(a.name);
      }
    }
  }

  std::string out_;
};

}  // namespace

std::string write(const SessionDescription& description) {
  Writer writer;
  writer.session(description);
  for (const MediaSection& section : description.media) writer.media(section);
  return writer.finish();
}

}  // namespace treff::sdp
