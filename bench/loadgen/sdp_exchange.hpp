// The SDP a browser would write for a load-test participant, and what we read back from the
// server's SDP: its ICE candidate and credentials, its DTLS fingerprint and role, the payload
// types and extension ids it accepted, and the streams it offers us. Control path only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "client_transport.hpp"
#include "media_source.hpp"

namespace treff::sdp {
struct SessionDescription;
}

namespace treff::loadgen {

// Our side of one peer connection.
struct LocalIdentity {
  std::string ufrag;
  std::string pwd;
  std::string fingerprint;  // sha-256 of our certificate
  std::string cname;
};

// Extension ids of the publish offer, as Chromium numbers them.
inline constexpr uint8_t kOfferAudioLevelId = 1;
inline constexpr uint8_t kOfferAbsSendTimeId = 2;
inline constexpr uint8_t kOfferTransportCcId = 3;
inline constexpr uint8_t kOfferMidId = 4;
inline constexpr uint8_t kOfferOpusPt = 111;
inline constexpr uint8_t kOfferVp8Pt = 96;
inline constexpr uint8_t kOfferVp8RtxPt = 97;

struct PublishOfferParams {
  LocalIdentity local;
  uint32_t audioSsrc = 0;
  uint32_t videoSsrc = 0;
  uint32_t videoRtxSsrc = 0;
  bool video = true;
};

// mid "0" is audio, mid "1" video (absent with video = false): sendonly, BUNDLE, rtcp-mux,
// a=setup:actpass, a=ssrc lines with cname and msid.
std::string buildPublishOffer(const PublishOfferParams& params);

// What the publish answer accepted for one of our tracks.
struct AcceptedTrack {
  bool accepted = false;
  uint8_t payloadType = 0;
  SendExtensionIds extensions;
};

struct PublishAnswerInfo {
  RemoteEndpoint remote;
  AcceptedTrack audio;
  AcceptedTrack video;
};

// Throws std::runtime_error naming what is missing. `preferredHost` picks among the server's
// candidates (the host of --url); otherwise the first IPv4 UDP candidate.
PublishAnswerInfo readPublishAnswer(const std::string& sdp, const std::string& preferredHost);

// One stream the server sends us on the subscribe connection.
struct OfferedStream {
  std::string mid;
  bool video = false;
  uint32_t ssrc = 0;
  uint32_t rtxSsrc = 0;  // 0: none
  uint8_t rtxPayloadType = 0;
};

struct SubscribeOfferInfo {
  RemoteEndpoint remote;  // localRole from the offer's a=setup
  std::vector<OfferedStream> streams;
  std::string answerSdp;  // our answer: recvonly, the offer's codecs and extension ids
  uint8_t transportCcId = 0;
  uint8_t absSendTimeId = 0;
};

SubscribeOfferInfo answerSubscribeOffer(const std::string& offerSdp, const LocalIdentity& local,
                                        const std::string& preferredHost);

}  // namespace treff::loadgen
