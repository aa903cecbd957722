// Typed model of the WebRTC subset of SDP (RFC 8866, JSEP RFC 8829).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treff::sdp {

enum class MediaKind : uint8_t { Audio, Video, Application, Other };
enum class Direction : uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };
// RFC 8842 §5: a=setup roles.
enum class Setup : uint8_t { ActPass, Active, Passive, HoldConn };
// RFC 8851 §4: a=rid direction.
enum class RidDirection : uint8_t { Send, Recv };

std::string_view toString(MediaKind kind);
std::string_view toString(Direction direction);
std::string_view toString(Setup setup);
std::string_view toString(RidDirection direction);
std::optional<Direction> parseDirection(std::string_view text);
std::optional<Setup> parseSetup(std::string_view text);

// The direction the other side uses for the same stream (sendonly <-> recvonly).
Direction mirror(Direction direction);
bool sends(Direction direction);
bool receives(Direction direction);

struct Origin {
  std::string username = "-";
  std::string sessionId = "0";  // decimal digits, up to 64 bits in practice
  uint64_t sessionVersion = 0;
  std::string netType = "IN";
  std::string addressType = "IP4";
  std::string address = "127.0.0.1";
};

// RFC 8122 §5: a=fingerprint:<hash-function> <hex pairs separated by ':'>.
struct Fingerprint {
  std::string algorithm;  // lower case as received, e.g. "sha-256"
  std::string value;      // "AB:CD:...", as received
};

struct RtcpFeedback {
  std::string type;       // "nack", "ccm", "transport-cc", "goog-remb"
  std::string parameter;  // "pli", "fir" or empty
  bool operator==(const RtcpFeedback&) const = default;
};

struct Codec {
  uint8_t payloadType = 0;
  std::string name;  // as written ("VP8", "opus", "rtx")
  uint32_t clockRate = 0;
  uint16_t channels = 0;  // 0: not written (RFC 8866 §6.6 default of one channel)
  std::string fmtp;       // the a=fmtp value after the payload type, verbatim
  // fmtp split on ';' into key=value; a piece without '=' ("0-15", "111/111") is a key with an
  // empty value.
  std::map<std::string, std::string> fmtpParameters;
  std::vector<RtcpFeedback> rtcpFeedback;

  std::optional<std::string_view> fmtpParameter(std::string_view key) const;
};

// RFC 8285 §8: a=extmap:<id>[/<direction>] <uri> [<attributes>].
struct Extmap {
  uint16_t id = 0;
  std::string uri;
  std::optional<Direction> direction;
  std::string attributes;
};

// RFC 8851 §4: a=rid:<id> <send|recv> [<params>].
struct Rid {
  std::string id;
  RidDirection direction = RidDirection::Send;
  std::string params;  // verbatim, e.g. "pt=96;max-width=1280"
};

// RFC 8853 §5.1: one rid of a simulcast stream; '~' marks it paused.
struct SimulcastStream {
  std::string rid;
  bool paused = false;
};
using SimulcastAlternatives = std::vector<SimulcastStream>;  // ',' separated choices
struct Simulcast {
  std::vector<SimulcastAlternatives> send;  // ';' separated streams
  std::vector<SimulcastAlternatives> recv;
};

// RFC 5576 §4.1 and §4.2.
struct SsrcAttribute {
  uint32_t ssrc = 0;
  std::string attribute;  // "cname", "msid", ...
  std::string value;      // empty when the attribute has no value
};
struct SsrcGroup {
  std::string semantics;  // "FID", "SIM", "FEC-FR"
  std::vector<uint32_t> ssrcs;
};

// RFC 8830 §2: a=msid:<stream id> [<track id>].
struct Msid {
  std::string streamId;
  std::string trackId;
};

// RFC 8839 §5.1 candidate-attribute (without the "candidate:" prefix).
struct Candidate {
  std::string foundation;
  uint16_t component = 1;
  std::string transport = "udp";  // "udp" or "tcp" (case as written)
  uint32_t priority = 0;
  std::string address;  // IP literal or an mDNS name
  uint16_t port = 0;
  std::string type = "host";
  std::string relatedAddress;
  std::optional<uint16_t> relatedPort;
  std::string tcpType;  // RFC 6544: "active", "passive", "so"
  std::vector<std::pair<std::string, std::string>> extensions;  // generation, ufrag, ...
};

// An attribute this model has no field for, kept so nothing is silently lost.
struct Attribute {
  std::string name;
  std::string value;
  bool hasValue = false;
};

struct MediaSection {
  MediaKind kind = MediaKind::Audio;
  std::string media = "audio";  // the m= media token as written
  uint16_t port = 9;
  std::string proto = "UDP/TLS/RTP/SAVPF";
  // The m= <fmt> list of a non-RTP section ("webrtc-datachannel"); for RTP sections the
  // payload types are the codecs' and this stays empty.
  std::vector<std::string> formats;
  std::string connection;  // c= value, e.g. "IN IP4 0.0.0.0"; empty when absent
  std::string mid;
  std::optional<Direction> direction;  // absent: sendrecv (RFC 8866 §6.7)
  std::string iceUfrag;
  std::string icePwd;
  std::vector<std::string> iceOptions;
  std::optional<Fingerprint> fingerprint;
  std::optional<Setup> setup;
  bool rtcpMux = false;
  bool rtcpReducedSize = false;
  bool extmapAllowMixed = false;
  bool endOfCandidates = false;
  bool bundleOnly = false;    // RFC 8843 §6: port 0 in an offer, yet part of the BUNDLE group
  std::vector<Codec> codecs;  // in m= line order
  std::vector<Extmap> extmaps;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;
  std::vector<SsrcAttribute> ssrcs;
  std::vector<SsrcGroup> ssrcGroups;
  std::vector<Msid> msids;
  std::vector<Candidate> candidates;
  std::vector<Attribute> otherAttributes;

  bool isRtp() const;
  Direction effectiveDirection() const { return direction.value_or(Direction::SendRecv); }
  const Codec* findCodec(uint8_t payloadType) const;
  Codec* findCodec(uint8_t payloadType);
};

// RFC 8830 §3 (as browsers still write it): a=msid-semantic: WMS [ids].
struct MsidSemantic {
  std::string semantic = "WMS";
  std::vector<std::string> ids;
};

struct SessionDescription {
  Origin origin;
  std::string sessionName = "-";
  std::vector<std::string> bundleMids;  // a=group:BUNDLE; empty when absent
  bool iceLite = false;
  std::vector<std::string> iceOptions;
  std::optional<MsidSemantic> msidSemantic;
  bool extmapAllowMixed = false;
  // Session-level values, which media-level ones override (RFC 8839 §5.4, RFC 8122 §5).
  std::optional<Fingerprint> fingerprint;
  std::optional<Setup> setup;
  std::string iceUfrag;
  std::string icePwd;
  std::vector<Attribute> otherAttributes;
  std::vector<MediaSection> media;

  // The media-level value if present, else the session-level one.
  const std::string& iceUfragFor(const MediaSection& section) const;
  const std::string& icePwdFor(const MediaSection& section) const;
  const std::optional<Fingerprint>& fingerprintFor(const MediaSection& section) const;
  std::optional<Setup> setupFor(const MediaSection& section) const;
  bool isBundled(std::string_view mid) const;
};

}  // namespace treff::sdp
