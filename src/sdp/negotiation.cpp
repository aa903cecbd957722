#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>

#include "sdp/answer.hpp"
#include "sdp/codec_selection.hpp"
#include "sdp/local_streams.hpp"
#include "sdp/remote_streams.hpp"
#include "util/random.hpp"

namespace treff::sdp {
namespace {

std::string describe(const MediaSection& section, size_t index) {
  std::string name = "m-section " + std::to_string(index);
  if (!section.mid.empty()) name += " (mid " + section.mid + ")";
  return name;
}

// RFC 5764 §8 / JSEP §5.1.2: media must be DTLS-SRTP ("UDP/TLS/RTP/SAVPF" as browsers write it).
bool isDtlsSrtpProfile(std::string_view proto) {
  return proto == "UDP/TLS/RTP/SAVPF" || proto == "UDP/TLS/RTP/SAVP" ||
         proto == "TCP/DTLS/RTP/SAVPF" || proto == "TCP/TLS/RTP/SAVPF";
}

// A transport-level requirement an accepted bundled section must meet; the whole offer fails
// otherwise, since its one transport could not be set up.
std::optional<std::string> transportProblem(const SessionDescription& offer,
                                            const MediaSection& section) {
  if (!offer.fingerprintFor(section)) {
    return "has no a=fingerprint: Treff requires DTLS-SRTP (RFC 8827 §6.5)";
  }
  if (!isDtlsSrtpProfile(section.proto)) {
    return "uses " + section.proto + " without DTLS-SRTP; UDP/TLS/RTP/SAVPF is required";
  }
  if (!section.rtcpMux) return "has no a=rtcp-mux, which Treff requires (RFC 8843 §9.1)";
  if (offer.iceUfragFor(section).empty() || offer.icePwdFor(section).empty()) {
    return "has no a=ice-ufrag/a=ice-pwd";
  }
  const Setup setup = offer.setupFor(section).value_or(Setup::Active);  // RFC 8842 §5.2
  if (setup == Setup::Passive || setup == Setup::HoldConn) {
    return "asks for a=setup:" + std::string(toString(setup)) +
           ", but Treff is always the DTLS server (it answers a=setup:passive)";
  }
  return std::nullopt;
}

Direction answerDirection(Direction offered, bool haveSender) {
  switch (offered) {
    case Direction::SendOnly:
      return Direction::RecvOnly;
    case Direction::RecvOnly:
      return haveSender ? Direction::SendOnly : Direction::Inactive;
    case Direction::SendRecv:
      return haveSender ? Direction::SendRecv : Direction::RecvOnly;
    case Direction::Inactive:
      break;
  }
  return Direction::Inactive;
}

const LocalSender* senderFor(const LocalParameters& local, const std::string& mid) {
  for (const LocalSender& sender : local.senders) {
    if (sender.mid == mid) return &sender;
  }
  return nullptr;
}

// JSEP §5.3.1: a rejected section keeps its media, proto and one format, with port 0.
MediaSection rejectedSection(const MediaSection& offered) {
  MediaSection section;
  section.kind = offered.kind;
  section.media = offered.media;
  section.port = 0;
  section.proto = offered.proto;
  section.formats = offered.formats;
  if (!offered.codecs.empty()) section.codecs.push_back(offered.codecs.front());
  for (Codec& codec : section.codecs) {
    codec.fmtp.clear();
    codec.fmtpParameters.clear();
    codec.rtcpFeedback.clear();
  }
  section.mid = offered.mid;
  if (offered.isRtp()) section.direction = Direction::Inactive;
  return section;
}

// RFC 8853 §5.3: the answerer receives the offer's send streams, naming the same rids, and
// declares each with a=rid:<id> recv (RFC 8851 §4.3).
void answerSimulcast(const MediaSection& offered, MediaSection& answer, NegotiatedMedia& out) {
  if (!offered.simulcast || offered.simulcast->send.empty()) return;
  std::unordered_set<std::string> sendRids;
  for (const Rid& rid : offered.rids) {
    if (rid.direction == RidDirection::Send) sendRids.insert(rid.id);
  }
  Simulcast simulcast;
  std::unordered_set<std::string> answered;
  for (const SimulcastAlternatives& alternatives : offered.simulcast->send) {
    SimulcastAlternatives kept;
    for (const SimulcastStream& stream : alternatives) {
      if (sendRids.count(stream.rid) == 0 || !answered.insert(stream.rid).second) continue;
      kept.push_back(stream);
      answer.rids.push_back(Rid{stream.rid, RidDirection::Recv, {}});
      out.remoteRids.push_back(stream.rid);
    }
    if (!kept.empty()) simulcast.recv.push_back(std::move(kept));
  }
  if (!simulcast.recv.empty()) answer.simulcast = std::move(simulcast);
}

struct SectionOutcome {
  MediaSection answer;
  NegotiatedMedia negotiated;
};

SectionOutcome answerSection(const MediaSection& offered, const LocalParameters& local) {
  SectionOutcome outcome;
  NegotiatedMedia& n = outcome.negotiated;
  n.mid = offered.mid;
  n.kind = offered.kind;
  CodecSelection selection = selectCodecs(offered, local.codecs);
  if (selection.answerCodecs.empty()) {
    n.rejectReason = "no codec Treff supports";
    outcome.answer = rejectedSection(offered);
    return outcome;
  }
  MediaSection& a = outcome.answer;
  a.kind = offered.kind;
  a.media = offered.media;
  a.port = 9;  // JSEP §5.3.1 with candidates in a=candidate lines
  a.proto = offered.proto;
  a.connection = "IN IP4 0.0.0.0";
  a.mid = offered.mid;
  a.iceUfrag = local.iceUfrag;
  a.icePwd = local.icePwd;
  a.fingerprint = local.fingerprint;
  a.setup = Setup::Passive;
  a.rtcpMux = true;
  a.rtcpReducedSize = offered.rtcpReducedSize;
  a.extmapAllowMixed = offered.extmapAllowMixed;
  a.codecs = std::move(selection.answerCodecs);
  for (const Extmap& extmap : offered.extmaps) {
    const bool supported = std::find(local.headerExtensions.begin(), local.headerExtensions.end(),
                                     extmap.uri) != local.headerExtensions.end();
    if (!supported || n.extensionIds.count(extmap.uri) != 0) continue;
    Extmap accepted{extmap.id, extmap.uri, std::nullopt, {}};
    if (extmap.direction) accepted.direction = mirror(*extmap.direction);
    a.extmaps.push_back(accepted);
    n.extensionIds[extmap.uri] = static_cast<uint8_t>(extmap.id);
  }
  const LocalSender* sender = senderFor(local, offered.mid);
  a.direction = answerDirection(offered.effectiveDirection(), sender != nullptr);
  if (receives(*a.direction)) answerSimulcast(offered, a, n);
  if (sends(*a.direction) && sender != nullptr) {
    announceSender(*sender, !selection.rtxToApt.empty(), a);
  }
  addHostCandidates(local.candidates, a);
  a.endOfCandidates = true;  // RFC 8838 §8.2: a lite agent gathers nothing later

  n.accepted = true;
  n.direction = *a.direction;
  n.codecs = std::move(selection.negotiated);
  n.rtxToApt = std::move(selection.rtxToApt);
  n.remoteStreams = remoteStreamsOf(offered);
  n.rtcpReducedSize = offered.rtcpReducedSize;
  return outcome;
}

std::string rejectionReason(const SessionDescription& offer, const MediaSection& section) {
  if (section.port == 0 && !section.bundleOnly) return "rejected by the offerer (port 0)";
  if (section.kind == MediaKind::Application) return "data channels are not supported yet";
  if (section.kind == MediaKind::Other) return "media type " + section.media + " not supported";
  if (!offer.isBundled(section.mid)) return "not in the BUNDLE group";
  return {};
}

uint64_t sessionIdFor(const LocalParameters& local) {
  // RFC 8829 §5.2.1: a 64-bit value with the top bit clear.
  return local.sessionId != 0 ? local.sessionId : (util::randomU64() >> 1) | 1;
}

}  // namespace

Result<Answer> negotiateAnswer(const SessionDescription& offer, const LocalParameters& local) {
  if (local.iceUfrag.empty() || local.icePwd.empty() || local.fingerprint.value.empty()) {
    return Error{"local ICE credentials and DTLS fingerprint must be set"};
  }
  if (offer.media.empty()) return Error{"offer has no m= sections"};
  if (offer.bundleMids.empty()) {
    return Error{"offer has no a=group:BUNDLE; Treff requires BUNDLE (RFC 8843)"};
  }
  Answer answer;
  SessionDescription& d = answer.description;
  d.origin.sessionId = std::to_string(sessionIdFor(local));
  d.origin.sessionVersion = local.sessionVersion;
  d.origin.address = "0.0.0.0";
  d.iceLite = true;
  d.extmapAllowMixed = offer.extmapAllowMixed;
  d.msidSemantic = MsidSemantic{};

  std::set<std::string> mids;
  std::string reasons;
  for (size_t index = 0; index < offer.media.size(); ++index) {
    const MediaSection& offered = offer.media[index];
    const std::string name = describe(offered, index);
    if (offered.isRtp() && (offered.port != 0 || offered.bundleOnly) && offered.mid.empty()) {
      return Error{"offer " + name + " has no a=mid (RFC 8843 §7.2)"};
    }
    if (!offered.mid.empty() && !mids.insert(offered.mid).second) {
      return Error{"offer has a duplicate mid " + offered.mid};
    }
    SectionOutcome outcome;
    std::string reason = rejectionReason(offer, offered);
    if (reason.empty()) {
      if (auto problem = transportProblem(offer, offered)) {
        return Error{"offer " + name + " " + *problem};
      }
      outcome = answerSection(offered, local);
      reason = outcome.negotiated.rejectReason;
    } else {
      outcome.answer = rejectedSection(offered);
      outcome.negotiated.mid = offered.mid;
      outcome.negotiated.kind = offered.kind;
      outcome.negotiated.rejectReason = reason;
    }
    if (!outcome.negotiated.accepted) reasons += "; " + name + ": " + reason;
    d.media.push_back(std::move(outcome.answer));
    answer.media.push_back(std::move(outcome.negotiated));
  }

  // RFC 8843 §7.3.1: the answer's BUNDLE group keeps the offer's order, the tag first.
  const MediaSection* tagged = nullptr;
  for (const std::string& mid : offer.bundleMids) {
    for (size_t index = 0; index < offer.media.size(); ++index) {
      if (offer.media[index].mid != mid || !answer.media[index].accepted) continue;
      d.bundleMids.push_back(mid);
      if (tagged == nullptr) tagged = &offer.media[index];
    }
  }
  if (tagged == nullptr) return Error{"offer has nothing Treff can use" + reasons};

  for (const LocalSender& sender : local.senders) {
    for (const NegotiatedMedia& media : answer.media) {
      if (media.mid != sender.mid || !sends(media.direction)) continue;
      auto& ids = d.msidSemantic->ids;
      if (std::find(ids.begin(), ids.end(), sender.streamId) == ids.end()) {
        ids.push_back(sender.streamId);
      }
    }
  }
  answer.remoteIceUfrag = offer.iceUfragFor(*tagged);
  answer.remoteIcePwd = offer.icePwdFor(*tagged);
  answer.remoteFingerprint = *offer.fingerprintFor(*tagged);
  answer.remoteSetup = offer.setupFor(*tagged).value_or(Setup::Active);
  return answer;
}

}  // namespace treff::sdp
