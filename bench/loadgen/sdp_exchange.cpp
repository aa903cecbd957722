#include "sdp_exchange.hpp"

#include <strings.h>

#include <stdexcept>

#include "rtp/header_extensions.hpp"
#include "sdp/parser.hpp"
#include "sdp/remote_streams.hpp"
#include "sdp/session_description.hpp"
#include "sdp/writer.hpp"
#include "util/random.hpp"

namespace treff::loadgen {
namespace {

sdp::SessionDescription parseOrThrow(const std::string& text, const char* what) {
  auto parsed = sdp::parse(text);
  if (!parsed) throw std::runtime_error(std::string(what) + " is not valid SDP: " + parsed.error());
  return std::move(parsed.value());
}

sdp::Codec makeCodec(uint8_t pt, std::string name, uint32_t rate, uint16_t channels,
                     std::string fmtp, std::vector<sdp::RtcpFeedback> feedback) {
  sdp::Codec codec;
  codec.payloadType = pt;
  codec.name = std::move(name);
  codec.clockRate = rate;
  codec.channels = channels;
  codec.fmtp = std::move(fmtp);
  codec.rtcpFeedback = std::move(feedback);
  return codec;
}

sdp::Extmap makeExtmap(uint8_t id, rtp::ExtensionType type) {
  sdp::Extmap extmap;
  extmap.id = id;
  extmap.uri = std::string(rtp::uriOf(type));
  return extmap;
}

sdp::MediaSection baseSection(const LocalIdentity& local, std::string mid, sdp::MediaKind kind) {
  sdp::MediaSection m;
  m.kind = kind;
  m.media = kind == sdp::MediaKind::Audio ? "audio" : "video";
  m.connection = "IN IP4 0.0.0.0";
  m.mid = std::move(mid);
  m.iceUfrag = local.ufrag;
  m.icePwd = local.pwd;
  m.fingerprint = sdp::Fingerprint{"sha-256", local.fingerprint};
  m.setup = sdp::Setup::ActPass;
  m.rtcpMux = true;
  m.rtcpReducedSize = true;
  m.direction = sdp::Direction::SendOnly;
  return m;
}

void addSsrc(sdp::MediaSection& m, uint32_t ssrc, const LocalIdentity& local,
             const std::string& streamId, const std::string& trackId) {
  m.ssrcs.push_back({ssrc, "cname", local.cname});
  m.ssrcs.push_back({ssrc, "msid", streamId + " " + trackId});
}

// The candidate to check: a UDP one on preferredHost if there is one, else the first IPv4 UDP.
net::SocketAddress pickCandidate(const sdp::SessionDescription& d, const std::string& host) {
  std::optional<net::SocketAddress> fallback;
  for (const auto& m : d.media) {
    for (const auto& c : m.candidates) {
      if (c.component != 1 || (c.transport != "udp" && c.transport != "UDP")) continue;
      auto address = net::SocketAddress::fromString(c.address, c.port);
      if (!address) continue;
      if (c.address == host) return *address;
      if (!fallback && address->isV4()) fallback = address;
    }
    if (fallback) break;  // BUNDLE: the first section's candidates serve all
  }
  if (!fallback) throw std::runtime_error("the server's SDP has no usable UDP candidate");
  return *fallback;
}

RemoteEndpoint readEndpoint(const sdp::SessionDescription& d, const std::string& host) {
  if (d.media.empty()) throw std::runtime_error("the server's SDP has no media section");
  const sdp::MediaSection& first = d.media.front();
  RemoteEndpoint remote;
  remote.address = pickCandidate(d, host);
  remote.ufrag = d.iceUfragFor(first);
  remote.pwd = d.icePwdFor(first);
  const auto& fingerprint = d.fingerprintFor(first);
  if (remote.ufrag.empty() || remote.pwd.empty() || !fingerprint) {
    throw std::runtime_error("the server's SDP lacks ICE credentials or a DTLS fingerprint");
  }
  remote.fingerprintAlgorithm = fingerprint->algorithm;
  remote.fingerprint = fingerprint->value;
  const auto setup = d.setupFor(first).value_or(sdp::Setup::ActPass);
  // RFC 8842 §5: an answer's passive makes us (the offerer) the DTLS client, its active the
  // server. Answering an actpass or passive offer we take active (client); an active offer
  // leaves us the server role.
  remote.localRole = setup == sdp::Setup::Active ? dtls::Role::Server : dtls::Role::Client;
  return remote;
}

SendExtensionIds extensionIdsOf(const sdp::MediaSection& m) {
  SendExtensionIds ids;
  for (const auto& e : m.extmaps) {
    if (e.id == 0 || e.id > 14) continue;  // one-byte form only
    const auto id = static_cast<uint8_t>(e.id);
    switch (rtp::extensionTypeFromUri(e.uri)) {
      case rtp::ExtensionType::Mid:
        ids.mid = id;
        break;
      case rtp::ExtensionType::AbsSendTime:
        ids.absSendTime = id;
        break;
      case rtp::ExtensionType::TransportWideCc:
        ids.transportCc = id;
        break;
      case rtp::ExtensionType::AudioLevel:
        ids.audioLevel = id;
        break;
      default:
        break;
    }
  }
  return ids;
}

AcceptedTrack readAccepted(const sdp::MediaSection& m, const char* codecName) {
  AcceptedTrack track;
  if (m.port == 0 || m.effectiveDirection() == sdp::Direction::Inactive) return track;
  for (const auto& codec : m.codecs) {
    if (strcasecmp(codec.name.c_str(), codecName) == 0) {
      track.accepted = true;
      track.payloadType = codec.payloadType;
      break;
    }
  }
  track.extensions = extensionIdsOf(m);
  return track;
}

}  // namespace

std::string buildPublishOffer(const PublishOfferParams& params) {
  const LocalIdentity& local = params.local;
  sdp::SessionDescription d;
  d.origin.sessionId = std::to_string(util::randomU32());
  d.origin.sessionVersion = 2;
  d.extmapAllowMixed = true;
  const std::string streamId = util::randomIceString(16);
  d.msidSemantic = sdp::MsidSemantic{"WMS", {streamId}};

  sdp::MediaSection audio = baseSection(local, "0", sdp::MediaKind::Audio);
  audio.extmaps = {makeExtmap(kOfferAudioLevelId, rtp::ExtensionType::AudioLevel),
                   makeExtmap(kOfferAbsSendTimeId, rtp::ExtensionType::AbsSendTime),
                   makeExtmap(kOfferTransportCcId, rtp::ExtensionType::TransportWideCc),
                   makeExtmap(kOfferMidId, rtp::ExtensionType::Mid)};
  audio.codecs = {makeCodec(kOfferOpusPt, "opus", 48000, 2, "minptime=10;useinbandfec=1",
                            {{"transport-cc", ""}})};
  const std::string audioTrack = util::randomIceString(16);
  audio.msids = {{streamId, audioTrack}};
  addSsrc(audio, params.audioSsrc, local, streamId, audioTrack);
  d.media.push_back(std::move(audio));
  d.bundleMids = {"0"};

  if (params.video) {
    sdp::MediaSection video = baseSection(local, "1", sdp::MediaKind::Video);
    video.extmaps = {makeExtmap(kOfferAbsSendTimeId, rtp::ExtensionType::AbsSendTime),
                     makeExtmap(kOfferTransportCcId, rtp::ExtensionType::TransportWideCc),
                     makeExtmap(kOfferMidId, rtp::ExtensionType::Mid)};
    video.codecs = {makeCodec(kOfferVp8Pt, "VP8", 90000, 0, "",
                              {{"goog-remb", ""},
                               {"transport-cc", ""},
                               {"ccm", "fir"},
                               {"nack", ""},
                               {"nack", "pli"}}),
                    makeCodec(kOfferVp8RtxPt, "rtx", 90000, 0, "apt=96", {})};
    const std::string videoTrack = util::randomIceString(16);
    video.msids = {{streamId, videoTrack}};
    video.ssrcGroups = {{"FID", {params.videoSsrc, params.videoRtxSsrc}}};
    addSsrc(video, params.videoSsrc, local, streamId, videoTrack);
    addSsrc(video, params.videoRtxSsrc, local, streamId, videoTrack);
    d.media.push_back(std::move(video));
    d.bundleMids.push_back("1");
  }
  return sdp::write(d);
}

PublishAnswerInfo readPublishAnswer(const std::string& text, const std::string& preferredHost) {
  const sdp::SessionDescription d = parseOrThrow(text, "the publish answer");
  PublishAnswerInfo info;
  info.remote = readEndpoint(d, preferredHost);
  for (const auto& m : d.media) {
    if (m.mid == "0") info.audio = readAccepted(m, "opus");
    if (m.mid == "1") info.video = readAccepted(m, "VP8");
  }
  return info;
}

SubscribeOfferInfo answerSubscribeOffer(const std::string& offerSdp, const LocalIdentity& local,
                                        const std::string& preferredHost) {
  sdp::SessionDescription d = parseOrThrow(offerSdp, "the subscribe offer");
  SubscribeOfferInfo info;
  info.remote = readEndpoint(d, preferredHost);
  const sdp::Setup ourSetup =
      info.remote.localRole == dtls::Role::Server ? sdp::Setup::Passive : sdp::Setup::Active;

  for (auto& m : d.media) {
    if (m.port != 0 && m.effectiveDirection() == sdp::Direction::SendOnly && m.isRtp()) {
      uint8_t rtxPt = 0;
      for (const auto& codec : m.codecs) {
        if (strcasecmp(codec.name.c_str(), "rtx") == 0) rtxPt = codec.payloadType;
      }
      for (const auto& stream : sdp::remoteStreamsOf(m)) {
        OfferedStream offered;
        offered.mid = m.mid;
        offered.video = m.kind == sdp::MediaKind::Video;
        offered.ssrc = stream.ssrc;
        offered.rtxSsrc = stream.rtxSsrc.value_or(0);
        offered.rtxPayloadType = rtxPt;
        info.streams.push_back(offered);
      }
      if (!info.transportCcId) info.transportCcId = extensionIdsOf(m).transportCc;
      if (!info.absSendTimeId) info.absSendTimeId = extensionIdsOf(m).absSendTime;
    }
    // The answer: the offer's codecs and extension ids, our credentials, no streams of ours.
    if (m.direction) m.direction = sdp::mirror(*m.direction);
    m.iceUfrag = local.ufrag;
    m.icePwd = local.pwd;
    m.iceOptions.clear();
    m.fingerprint = sdp::Fingerprint{"sha-256", local.fingerprint};
    m.setup = ourSetup;
    m.candidates.clear();
    m.endOfCandidates = false;
    m.ssrcs.clear();
    m.ssrcGroups.clear();
    m.msids.clear();
    m.otherAttributes.clear();
    m.simulcast.reset();
    m.rids.clear();
  }
  d.iceLite = false;
  d.fingerprint.reset();
  d.setup.reset();
  d.iceUfrag.clear();
  d.icePwd.clear();
  d.otherAttributes.clear();
  d.origin = sdp::Origin{};
  d.origin.sessionId = std::to_string(util::randomU32());
  d.msidSemantic = sdp::MsidSemantic{"WMS", {}};
  info.answerSdp = sdp::write(d);
  return info;
}

}  // namespace treff::loadgen
