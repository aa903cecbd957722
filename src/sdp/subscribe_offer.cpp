#include "sdp/subscribe_offer.hpp"

#include "sdp/local_streams.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sdp/attribute_parsers.hpp"
#include "sdp/header_extensions.hpp"
#include "sdp/text_scan.hpp"
#include "util/random.hpp"

namespace treff::sdp {
namespace {

using text::equalsIgnoreCase;

// The server's fixed video payload types (see the table in subscribe_offer.hpp).
struct VideoCodecEntry {
  std::string_view name;
  uint8_t payloadType;
  uint8_t rtxPayloadType;
  std::string_view fmtp;
};
constexpr VideoCodecEntry kVideoCodecs[] = {
    {"VP8", subscribe::kVp8PayloadType, subscribe::kVp8RtxPayloadType, ""},
    {"VP9", subscribe::kVp9PayloadType, subscribe::kVp9RtxPayloadType, "profile-id=0"},
    {"H264", subscribe::kH264PayloadType, subscribe::kH264RtxPayloadType,
     "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"},
    // AV1 RTP payload format: without fmtp, profile 0, level-idx 5 and tier 0 apply.
    {"AV1", subscribe::kAv1PayloadType, subscribe::kAv1RtxPayloadType, ""},
};

// Server-written header extensions, with the fixed ids, in id order.
struct ExtensionEntry {
  uint8_t id;
  std::string_view uri;
  bool audio;
  bool video;
};
constexpr ExtensionEntry kExtensions[] = {
    {subscribe::kAudioLevelExtensionId, uri::kAudioLevel, true, false},
    {subscribe::kAbsSendTimeExtensionId, uri::kAbsSendTime, true, true},
    {subscribe::kTransportWideCcExtensionId, uri::kTransportWideCc, true, true},
    {subscribe::kMidExtensionId, uri::kMid, true, true},
    {subscribe::kPlayoutDelayExtensionId, uri::kPlayoutDelay, false, true},
    {subscribe::kDependencyDescriptorExtensionId, uri::kDependencyDescriptor, false, true},
    {subscribe::kVideoOrientationExtensionId, uri::kVideoOrientation, false, true},
};

// RFC 8839 §5.4: ice-ufrag is 4 to 256 ice-chars, ice-pwd 22 to 256.
bool isIceString(std::string_view value, size_t minimum) {
  if (value.size() < minimum || value.size() > 256) return false;
  return std::all_of(value.begin(), value.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '+' ||
           c == '/';
  });
}

Codec makeCodec(uint8_t payloadType, std::string_view name, uint32_t clockRate, uint16_t channels,
                std::string fmtp, std::vector<RtcpFeedback> feedback) {
  Codec codec;
  codec.payloadType = payloadType;
  codec.name = std::string(name);
  codec.clockRate = clockRate;
  codec.channels = channels;
  codec.fmtp = std::move(fmtp);
  codec.fmtpParameters = attr::fmtpParameters(codec.fmtp);
  codec.rtcpFeedback = std::move(feedback);
  return codec;
}

// RFC 7587 §6.1 and §7: what the server sends is Opus at 48 kHz, with in-band FEC.
std::vector<Codec> audioCodecs(bool stereo) {
  std::string fmtp = "minptime=10;useinbandfec=1";
  if (stereo) fmtp += ";stereo=1;sprop-stereo=1";
  return {makeCodec(subscribe::kOpusPayloadType, "opus", 48000, 2, std::move(fmtp),
                    {{"transport-cc", ""}})};
}

// Each media codec followed by its RTX (RFC 4588 §8.6), in the caller's preference order.
std::vector<Codec> videoCodecs(const std::vector<std::string>& names) {
  const std::vector<RtcpFeedback> feedback = {
      {"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
  std::vector<Codec> codecs;
  for (const std::string& name : names) {
    const auto* entry =
        std::find_if(std::begin(kVideoCodecs), std::end(kVideoCodecs),
                     [&](const VideoCodecEntry& e) { return equalsIgnoreCase(e.name, name); });
    if (entry == std::end(kVideoCodecs)) {
      throw std::invalid_argument("subscribe offer: unknown video codec '" + name +
                                  "' (known: VP8, VP9, H264, AV1)");
    }
    const bool listed = std::any_of(codecs.begin(), codecs.end(), [&](const Codec& c) {
      return c.payloadType == entry->payloadType;
    });
    if (listed) continue;
    codecs.push_back(
        makeCodec(entry->payloadType, entry->name, 90000, 0, std::string(entry->fmtp), feedback));
    codecs.push_back(makeCodec(entry->rtxPayloadType, "rtx", 90000, 0,
                               "apt=" + std::to_string(entry->payloadType), {}));
  }
  return codecs;
}

std::vector<Extmap> extensionsFor(MediaKind kind) {
  std::vector<Extmap> extmaps;
  for (const ExtensionEntry& entry : kExtensions) {
    if (kind == MediaKind::Audio ? entry.audio : entry.video) {
      extmaps.push_back(Extmap{entry.id, std::string(entry.uri), std::nullopt, {}});
    }
  }
  return extmaps;
}

// RFC 8830 §2: msid-id and msid-appdata are 1 to 64 token-chars.
bool isMsidToken(std::string_view value) { return value.size() <= 64 && text::isToken(value); }

void checkParameters(const SubscribeOfferParameters& p) {
  auto fail = [](const std::string& problem) {
    throw std::invalid_argument("subscribe offer: " + problem);
  };
  if (!isIceString(p.iceUfrag, 4)) fail("ICE ufrag must be 4-256 ice-chars (RFC 8839 §5.4)");
  if (!isIceString(p.icePwd, 22)) fail("ICE password must be 22-256 ice-chars (RFC 8839 §5.4)");
  if (p.fingerprint.algorithm.empty() || p.fingerprint.value.empty()) {
    fail("the DTLS fingerprint must be set");
  }
  std::set<std::string> mids;
  std::set<uint32_t> ssrcs;
  bool audio = false;
  bool video = false;
  for (const SubscribeSlot& slot : p.slots) {
    // The mid travels in the RTP MID header extension, at most 16 bytes (RFC 8285 §4.2).
    if (slot.mid.empty() || slot.mid.size() > 16 || !text::isToken(slot.mid)) {
      fail("mid '" + slot.mid + "' must be 1-16 token characters");
    }
    if (!mids.insert(slot.mid).second) fail("mid " + slot.mid + " is used twice");
    if (slot.kind != MediaKind::Audio && slot.kind != MediaKind::Video) {
      fail("mid " + slot.mid + " must be audio or video");
    }
    (slot.kind == MediaKind::Audio ? audio : video) = true;
    if (!slot.active) continue;
    const LocalSender& s = slot.sender;
    if (!s.mid.empty() && s.mid != slot.mid) {
      fail("mid " + slot.mid + " has a sender for mid " + s.mid);
    }
    if (s.ssrc == 0) fail("active mid " + slot.mid + " has no SSRC");
    if (s.cname.empty() || !text::isToken(s.cname)) {
      fail("active mid " + slot.mid + " needs a cname of token characters");
    }
    if (!isMsidToken(s.streamId) || (!s.trackId.empty() && !isMsidToken(s.trackId))) {
      fail("active mid " + slot.mid + " needs a streamId (and trackId) of 1-64 token characters");
    }
    const bool withRtx = slot.kind == MediaKind::Video && s.rtxSsrc != 0;
    // RFC 5576 / RFC 8843 §9.1: an SSRC identifies one stream across the whole BUNDLE group.
    if (!ssrcs.insert(s.ssrc).second || (withRtx && !ssrcs.insert(s.rtxSsrc).second)) {
      fail("active mid " + slot.mid + " reuses an SSRC of another stream");
    }
  }
  if (audio && !p.codecs.opus) fail("audio slots need Opus, which the preferences exclude");
  if (video && p.codecs.video.empty()) fail("video slots need at least one video codec");
}

MediaSection offerSection(const SubscribeOfferParameters& p, const SubscribeSlot& slot,
                          const std::vector<Codec>& video) {
  MediaSection m;
  m.kind = slot.kind;
  m.media = std::string(toString(slot.kind));
  m.port = 9;  // JSEP §5.2.1: candidates are in a=candidate lines
  m.proto = "UDP/TLS/RTP/SAVPF";
  m.connection = "IN IP4 0.0.0.0";
  m.mid = slot.mid;
  m.iceUfrag = p.iceUfrag;
  m.icePwd = p.icePwd;
  m.fingerprint = p.fingerprint;
  m.setup = Setup::ActPass;  // RFC 5763 §5: an offer lets the answerer choose its DTLS role
  m.rtcpMux = true;
  m.rtcpReducedSize = true;
  m.extmaps = extensionsFor(slot.kind);
  m.codecs = slot.kind == MediaKind::Audio ? audioCodecs(slot.stereo) : video;
  m.direction = slot.active ? Direction::SendOnly : Direction::Inactive;
  if (slot.active) announceSender(slot.sender, slot.kind == MediaKind::Video, m);
  addHostCandidates(p.candidates, m);
  m.endOfCandidates = true;  // RFC 8838 §8.2: a lite agent gathers nothing later
  return m;
}

// ---- Checking the browser's answer ----

std::string describe(const MediaSection& offered, size_t index) {
  return "answer m-section " + std::to_string(index) + " (mid " + offered.mid + ")";
}

// RFC 3264 §6.1: a sendonly stream is answered recvonly or inactive, an inactive one inactive.
bool allowedAnswerDirection(Direction offered, Direction answered) {
  if (answered == Direction::Inactive) return true;
  return offered == Direction::SendOnly && answered == Direction::RecvOnly;
}

// The feedback both sides listed for a payload type, in the answer's order.
std::vector<RtcpFeedback> commonFeedback(const Codec& offered, const Codec& answered) {
  std::vector<RtcpFeedback> common;
  for (const RtcpFeedback& fb : answered.rtcpFeedback) {
    const bool ours = std::find(offered.rtcpFeedback.begin(), offered.rtcpFeedback.end(), fb) !=
                      offered.rtcpFeedback.end();
    const bool listed = std::find(common.begin(), common.end(), fb) != common.end();
    if (ours && !listed) common.push_back(fb);
  }
  return common;
}

std::optional<uint8_t> aptOf(const Codec& rtx) {
  const auto apt = rtx.fmtpParameter("apt");
  if (!apt) return std::nullopt;
  const auto value = text::parseUnsigned(*apt, 127);
  if (!value) return std::nullopt;
  return static_cast<uint8_t>(*value);
}

// JSEP §5.3.1: the answer uses the offer's payload type numbers, for a subset of its codecs.
// The answer's RTX is kept only with the media codec it repairs.
std::optional<std::string> keptCodecs(const MediaSection& offered, const MediaSection& answered,
                                      SubscribeMediaAnswer& out) {
  std::set<uint8_t> answeredTypes;
  for (const Codec& codec : answered.codecs) {
    const Codec* ours = offered.findCodec(codec.payloadType);
    if (ours == nullptr) {
      return "answers payload type " + std::to_string(codec.payloadType) +
             ", which the offer does not have";
    }
    if (!equalsIgnoreCase(codec.name, ours->name) || codec.clockRate != ours->clockRate) {
      return "answers payload type " + std::to_string(codec.payloadType) + " as " +
             (codec.name.empty() ? std::string("(no rtpmap)") : codec.name) + "/" +
             std::to_string(codec.clockRate) + ", offered as " + ours->name + "/" +
             std::to_string(ours->clockRate);
    }
    answeredTypes.insert(codec.payloadType);
  }
  for (const Codec& codec : answered.codecs) {
    if (equalsIgnoreCase(codec.name, "rtx")) continue;
    const Codec& ours = *offered.findCodec(codec.payloadType);
    NegotiatedCodec kept{codec.payloadType, ours.name,  ours.clockRate,
                         ours.channels,     codec.fmtp, commonFeedback(ours, codec),
                         std::nullopt};
    for (const Codec& rtx : offered.codecs) {
      if (!equalsIgnoreCase(rtx.name, "rtx") || aptOf(rtx) != codec.payloadType) continue;
      if (answeredTypes.count(rtx.payloadType) == 0) continue;
      kept.rtxPayloadType = rtx.payloadType;
      out.rtxToApt[rtx.payloadType] = codec.payloadType;
    }
    out.codecs.push_back(std::move(kept));
  }
  if (out.codecs.empty()) return std::string("is accepted but keeps no media codec");
  return std::nullopt;
}

// RFC 8285 §5-6: the extensions the answer kept, and which the browser will read. An id must
// name one URI across the BUNDLE group, since all its m-sections share one RTP session.
std::optional<std::string> keptExtensions(const MediaSection& offered, const MediaSection& answered,
                                          std::map<uint16_t, std::string>& urisById,
                                          SubscribeMediaAnswer& out) {
  for (const Extmap& extmap : answered.extmaps) {
    const bool ours = std::any_of(offered.extmaps.begin(), offered.extmaps.end(),
                                  [&](const Extmap& e) { return e.uri == extmap.uri; });
    if (!ours) continue;  // not offered: the server never writes it
    if (extmap.direction && !receives(*extmap.direction)) continue;
    if (extmap.id < 1 || extmap.id > 14) {
      return "maps " + extmap.uri + " to id " + std::to_string(extmap.id) +
             "; only the one-byte ids 1-14 were offered (RFC 8285 §4.2)";
    }
    const auto [it, inserted] = urisById.emplace(extmap.id, extmap.uri);
    if (!inserted && it->second != extmap.uri) {
      return "maps id " + std::to_string(extmap.id) + " to " + extmap.uri +
             ", which the BUNDLE group already uses for " + it->second;
    }
    if (out.extensionIds.count(extmap.uri) != 0) {
      return "maps " + extmap.uri + " twice";
    }
    out.extensionIds[extmap.uri] = static_cast<uint8_t>(extmap.id);
  }
  return std::nullopt;
}

// The transport an accepted bundled m-section describes; all of them share the tagged one's.
std::optional<std::string> transportProblem(const SessionDescription& answer,
                                            const MediaSection& answered) {
  if (!answered.rtcpMux) return "has no a=rtcp-mux, which the offer requires (RFC 8843 §9.1)";
  const auto& fingerprint = answer.fingerprintFor(answered);
  if (!fingerprint || fingerprint->algorithm.empty() || fingerprint->value.empty()) {
    return "has no a=fingerprint: DTLS-SRTP is required (RFC 8827 §6.5)";
  }
  if (answer.iceUfragFor(answered).empty() || answer.icePwdFor(answered).empty()) {
    return "has no a=ice-ufrag/a=ice-pwd";
  }
  // RFC 4145 §4.1: a missing a=setup means active.
  const Setup setup = answer.setupFor(answered).value_or(Setup::Active);
  if (setup == Setup::ActPass) {
    return "answers a=setup:actpass, which only an offer may use (RFC 5763 §5)";
  }
  if (setup == Setup::HoldConn) return "answers a=setup:holdconn: no DTLS connection";
  return std::nullopt;
}

std::optional<std::string> checkSection(const SessionDescription& answer,
                                        const MediaSection& offered, const MediaSection& answered,
                                        std::map<uint16_t, std::string>& urisById,
                                        SubscribeMediaAnswer& out) {
  if (answered.media != offered.media) {
    return "is " + answered.media + " where the offer has " + offered.media;
  }
  // JSEP §5.3.1: a rejected m-section may omit its mid; any other keeps the offer's.
  if (answered.mid != offered.mid && (answered.port != 0 || !answered.mid.empty())) {
    return "has mid '" + answered.mid + "' where the offer has '" + offered.mid + "'";
  }
  if (answered.proto != offered.proto) {
    return "uses " + answered.proto + " where the offer has " + offered.proto;
  }
  out.mid = offered.mid;
  out.kind = offered.kind;
  out.accepted = answered.port != 0;
  if (!out.accepted) return std::nullopt;  // RFC 3264 §6: rejected, nothing else counts
  const Direction direction = answered.effectiveDirection();
  if (!allowedAnswerDirection(offered.effectiveDirection(), direction)) {
    return "answers " + std::string(toString(direction)) + " to " +
           std::string(toString(offered.effectiveDirection())) +
           "; RFC 3264 §6.1 allows only recvonly or inactive here";
  }
  out.direction = direction;
  if (!answer.isBundled(offered.mid)) {
    return "is accepted but not in the answer's BUNDLE group (RFC 8843 §7.3)";
  }
  if (auto problem = transportProblem(answer, answered)) return problem;
  if (auto problem = keptCodecs(offered, answered, out)) return problem;
  if (auto problem = keptExtensions(offered, answered, urisById, out)) return problem;
  out.rtcpReducedSize = answered.rtcpReducedSize;
  return std::nullopt;
}

// RFC 8843 §7.3.1: the answer's group names offered, accepted m-sections, each once.
std::optional<std::string> bundleProblem(const SessionDescription& offer,
                                         const SessionDescription& answer,
                                         const std::vector<SubscribeMediaAnswer>& media) {
  std::set<std::string> seen;
  for (const std::string& mid : answer.bundleMids) {
    if (!seen.insert(mid).second) return "the answer's BUNDLE group names mid " + mid + " twice";
    if (!offer.isBundled(mid)) {
      return "the answer's BUNDLE group names mid " + mid + ", which the offer does not bundle";
    }
    for (const SubscribeMediaAnswer& m : media) {
      if (m.mid == mid && !m.accepted) {
        return "the answer's BUNDLE group names mid " + mid + ", which the answer rejects";
      }
    }
  }
  return std::nullopt;
}

}  // namespace

SessionDescription buildSubscribeOffer(const SubscribeOfferParameters& parameters) {
  checkParameters(parameters);
  SessionDescription d;
  // RFC 8829 §5.2.1: a 64-bit session id with the top bit clear, kept for the connection's life.
  const uint64_t sessionId =
      parameters.sessionId != 0 ? parameters.sessionId : (util::randomU64() >> 1) | 1;
  d.origin.sessionId = std::to_string(sessionId);
  d.origin.sessionVersion = parameters.sessionVersion;
  d.origin.address = "0.0.0.0";
  d.iceLite = true;
  // RFC 8285 §6: two-byte header extensions may be mixed in. An AV1 key frame's dependency
  // descriptor (its frame dependency structure) is longer than a one-byte element holds.
  d.extmapAllowMixed = true;
  d.msidSemantic = MsidSemantic{"WMS", {"*"}};
  const bool anyVideo =
      std::any_of(parameters.slots.begin(), parameters.slots.end(),
                  [](const SubscribeSlot& s) { return s.kind == MediaKind::Video; });
  const std::vector<Codec> video =
      anyVideo ? videoCodecs(parameters.codecs.video) : std::vector<Codec>{};
  for (const SubscribeSlot& slot : parameters.slots) {
    // Inactive m-sections stay bundled: they keep the transport and can carry a track again.
    d.bundleMids.push_back(slot.mid);
    d.media.push_back(offerSection(parameters, slot, video));
  }
  return d;
}

Result<SubscribeAnswer> applySubscribeAnswer(const SessionDescription& offer,
                                             const SessionDescription& answer) {
  if (answer.media.size() != offer.media.size()) {
    return Error{"the answer has " + std::to_string(answer.media.size()) +
                 " m-sections, the offer " + std::to_string(offer.media.size()) +
                 " (JSEP §5.3.1: one per offered m-section, in order)"};
  }
  SubscribeAnswer result;
  std::map<uint16_t, std::string> urisById;
  for (size_t index = 0; index < offer.media.size(); ++index) {
    SubscribeMediaAnswer out;
    if (auto problem =
            checkSection(answer, offer.media[index], answer.media[index], urisById, out)) {
      return Error{describe(offer.media[index], index) + " " + *problem};
    }
    result.media.push_back(std::move(out));
  }
  if (auto problem = bundleProblem(offer, answer, result.media)) return Error{*problem};
  if (answer.bundleMids.empty()) return result;  // nothing accepted: no transport
  // RFC 8843 §7.3.1: the first mid of the answer's group is the answerer-tagged m-section,
  // whose transport the whole group uses.
  const std::string& tag = answer.bundleMids.front();
  for (size_t index = 0; index < offer.media.size(); ++index) {
    if (offer.media[index].mid != tag) continue;
    const MediaSection& tagged = answer.media[index];
    result.remoteIceUfrag = answer.iceUfragFor(tagged);
    result.remoteIcePwd = answer.icePwdFor(tagged);
    result.remoteFingerprint = *answer.fingerprintFor(tagged);
    result.remoteSetup = answer.setupFor(tagged).value_or(Setup::Active);
  }
  return result;
}

}  // namespace treff::sdp
