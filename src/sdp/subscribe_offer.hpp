// The server's offer on a participant's *subscribe* peer connection (JSEP RFC 8829 §5.2), and the
// check of the browser's answer to it (§5.3, RFC 3264 §6-7).
//
// Every track the participant receives gets one sendonly m-section. An m-section that no longer
// carries a track stays in the offer as a=inactive (port 9, still in the BUNDLE group) and is
// reused later for a new track of the same kind: JSEP never removes m-sections, and the server
// never writes a rejected (port 0) one. The server is ICE-lite and offers a=setup:actpass.
//
// Fixed numbering, the same in every subscribe offer (the forwarding path rewrites the payload
// type and extension ids of each publisher's packets to these):
//
//   payload type  codec                                                        rtx (apt)
//   111           opus/48000/2  minptime=10;useinbandfec=1 (+stereo)           -
//    96           VP8/90000                                                    97
//    98           VP9/90000     profile-id=0                                   99
//   102           H264/90000    level-asymmetry-allowed=1;packetization-mode=1;
//                               profile-level-id=42e01f                        103
//    45           AV1/90000     (no fmtp: profile 0 by default)                46
//
//   extmap id  URI                                  audio  video
//   1          ssrc-audio-level                      x
//   2          abs-send-time                         x      x
//   3          transport-wide-cc-01                  x      x
//   4          sdes:mid                              x      x
//   5          playout-delay                                x
//   13         video-orientation                            x
// The ids are Chromium's own choice for these URIs (tests/data/chromium-offer-simulcast.sdp), so
// a Chromium publisher's packets usually need no id rewrite.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/answer.hpp"
#include "sdp/local_parameters.hpp"
#include "sdp/result.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

namespace subscribe {
inline constexpr uint8_t kOpusPayloadType = 111;
inline constexpr uint8_t kVp8PayloadType = 96;
inline constexpr uint8_t kVp8RtxPayloadType = 97;
inline constexpr uint8_t kVp9PayloadType = 98;
inline constexpr uint8_t kVp9RtxPayloadType = 99;
inline constexpr uint8_t kH264PayloadType = 102;
inline constexpr uint8_t kH264RtxPayloadType = 103;
inline constexpr uint8_t kAv1PayloadType = 45;
inline constexpr uint8_t kAv1RtxPayloadType = 46;

inline constexpr uint8_t kAudioLevelExtensionId = 1;
inline constexpr uint8_t kAbsSendTimeExtensionId = 2;
inline constexpr uint8_t kTransportWideCcExtensionId = 3;
inline constexpr uint8_t kMidExtensionId = 4;
inline constexpr uint8_t kPlayoutDelayExtensionId = 5;
inline constexpr uint8_t kDependencyDescriptorExtensionId = 12;
inline constexpr uint8_t kVideoOrientationExtensionId = 13;
}  // namespace subscribe

// One m-section of the subscribe offer. Its position in SubscribeOfferParameters::slots is its
// position in the SDP; it keeps its mid and kind for the life of the peer connection.
struct SubscribeSlot {
  std::string mid;
  MediaKind kind = MediaKind::Audio;  // Audio or Video
  bool active = false;                // true: sendonly with `sender`; false: a=inactive
  // The track sent while active: ssrc, rtxSsrc (video; 0 for none), cname, streamId, trackId.
  // sender.mid is ignored when empty and must equal `mid` otherwise.
  LocalSender sender;
  // Audio: also offer "stereo=1;sprop-stereo=1" (RFC 7587 §7), for a stereo source.
  bool stereo = false;
};

struct SubscribeOfferParameters {
  std::string iceUfrag;
  std::string icePwd;
  Fingerprint fingerprint;  // of the server's DTLS certificate
  // Host candidates, component 1; a "tcp" candidate without tcptype gets "passive".
  std::vector<Candidate> candidates;
  std::vector<SubscribeSlot> slots;
  uint64_t sessionId = 0;       // the same for every offer of one peer connection; 0: random
  uint64_t sessionVersion = 1;  // incremented by the caller for each new offer (RFC 8866 §5.2)
  // `opus` must be true when there is an audio slot. `video` lists the video codecs offered, in
  // preference order, from VP8, VP9, H264, AV1 (a VP8-only room passes {"VP8"}); each comes with
  // its rtx. `opusDtx` and `h264Profiles` concern answers and are not used here.
  CodecPreferences codecs;
};

// Throws std::invalid_argument for parameters no browser could accept: missing ICE credentials
// or fingerprint, an empty, non-token or duplicate mid, a slot that is neither audio nor video,
// an active slot without ssrc, a cname or streamId, an SSRC used twice, or no codec for a kind
// that has a slot. Zero slots give a valid offer without m-sections (and without a transport).
SessionDescription buildSubscribeOffer(const SubscribeOfferParameters& parameters);

// What the browser's answer settled for one m-section, in offer order.
struct SubscribeMediaAnswer {
  std::string mid;
  MediaKind kind = MediaKind::Audio;
  bool accepted = false;                      // port != 0
  Direction direction = Direction::Inactive;  // the answer's: RecvOnly or Inactive
  // The codecs the answer kept, in the answer's order, with the offer's (our) payload type
  // numbers, the answer's fmtp and the feedback both sides listed. Only these may be sent.
  std::vector<NegotiatedCodec> codecs;
  std::map<uint8_t, uint8_t> rtxToApt;          // kept RTX payload type -> its media one
  std::map<std::string, uint8_t> extensionIds;  // URI -> id, for the extensions the answer kept
  bool rtcpReducedSize = false;

  // True when the server may send RTP on this m-section now.
  bool receiving() const { return accepted && direction == Direction::RecvOnly; }
};

struct SubscribeAnswer {
  std::vector<SubscribeMediaAnswer> media;  // one per offered m-section, in offer order
  // Of the answer's BUNDLE-tagged m-section. Empty when the answer accepted no m-section (the
  // offer had none, or the browser rejected all): there is then no transport to start.
  std::string remoteIceUfrag;
  std::string remoteIcePwd;
  Fingerprint remoteFingerprint;
  // Active (browsers): the server is the DTLS server. Passive: the server is the DTLS client.
  Setup remoteSetup = Setup::Active;
};

// Checks `answer` against `offer` (the description buildSubscribeOffer returned): the same
// m-sections with the same mids and kinds in the same order, a BUNDLE group holding every
// accepted m-section, a=setup active or passive, a fingerprint, ICE credentials and rtcp-mux,
// directions allowed by RFC 3264 §6.1 (recvonly or inactive for sendonly; inactive for
// inactive), and only payload types of the offer with their offered meaning.
// The error message says which m-section is wrong and how.
Result<SubscribeAnswer> applySubscribeAnswer(const SessionDescription& offer,
                                             const SessionDescription& answer);

}  // namespace treff::sdp
