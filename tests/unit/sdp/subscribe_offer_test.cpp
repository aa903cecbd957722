#include "sdp/subscribe_offer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "sdp/header_extensions.hpp"
#include "sdp/parser.hpp"
#include "sdp/writer.hpp"
#include "sdp_test_files.hpp"

namespace treff::sdp {
namespace {

using testing::readTestSdp;

constexpr const char* kServerFingerprint =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
    "88:99";
constexpr const char* kServerPwd = "abcdefghijklmnopqrstuvwxyz012345";

// ---- Helpers ----

SessionDescription parsed(const std::string& text) {
  auto result = parse(text);
  if (!result.ok()) throw std::runtime_error(result.error() + "\n" + text);
  return std::move(result).value();
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

// The lines of m-section `index` (from its m= line up to the next one).
std::vector<std::string> sectionLines(const std::string& text, size_t index) {
  std::vector<std::string> out;
  size_t seen = 0;
  for (const std::string& line : linesOf(text)) {
    if (line.rfind("m=", 0) == 0) ++seen;
    if (seen == index + 1) out.push_back(line);
  }
  return out;
}

std::vector<std::string> sessionLines(const std::string& text) {
  std::vector<std::string> out;
  for (const std::string& line : linesOf(text)) {
    if (line.rfind("m=", 0) == 0) break;
    out.push_back(line);
  }
  return out;
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the text: " + from);
  return text.replace(at, from.size(), to);
}

std::string replacedAll(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("not in the text: " + from);
  while (at != std::string::npos) {
    text.replace(at, from.size(), to);
    at = text.find(from, at + to.size());
  }
  return text;
}

SubscribeSlot audioSlot(std::string mid, uint32_t ssrc) {
  SubscribeSlot slot;
  slot.mid = std::move(mid);
  slot.kind = MediaKind::Audio;
  slot.active = true;
  slot.sender = LocalSender{"", ssrc, 0, "treffAlice", "alice", "alice-microphone"};
  return slot;
}

SubscribeSlot videoSlot(std::string mid, uint32_t ssrc, uint32_t rtxSsrc,
                        std::string track = "alice-camera") {
  SubscribeSlot slot;
  slot.mid = std::move(mid);
  slot.kind = MediaKind::Video;
  slot.active = true;
  slot.sender = LocalSender{"", ssrc, rtxSsrc, "treffAlice", "alice", std::move(track)};
  return slot;
}

SubscribeSlot inactiveSlot(std::string mid, MediaKind kind) {
  SubscribeSlot slot;
  slot.mid = std::move(mid);
  slot.kind = kind;
  slot.active = false;
  return slot;
}

SubscribeOfferParameters parameters(std::vector<SubscribeSlot> slots) {
  SubscribeOfferParameters p;
  p.iceUfrag = "TrEfSubs";
  p.icePwd = kServerPwd;
  p.fingerprint = {"sha-256", kServerFingerprint};
  Candidate udp;
  udp.foundation = "1";
  udp.transport = "udp";
  udp.priority = 2130706431;
  udp.address = "192.0.2.10";
  udp.port = 40000;
  Candidate tcp = udp;
  tcp.foundation = "2";
  tcp.transport = "tcp";
  tcp.priority = 1694498815;
  tcp.port = 40001;
  p.candidates = {udp, tcp};
  p.slots = std::move(slots);
  p.sessionId = 4242424242;
  p.sessionVersion = 3;
  return p;
}

// Microphone and camera of one participant, and a video m-section left from a screen share.
SubscribeOfferParameters threeSlots() {
  return parameters(
      {audioSlot("0", 1111), videoSlot("1", 2222, 2223), inactiveSlot("2", MediaKind::Video)});
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

size_t countPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::count_if(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

std::vector<uint8_t> payloadTypes(const MediaSection& m) {
  std::vector<uint8_t> out;
  for (const Codec& codec : m.codecs) out.push_back(codec.payloadType);
  return out;
}

std::vector<uint8_t> payloadTypes(const SubscribeMediaAnswer& m) {
  std::vector<uint8_t> out;
  for (const NegotiatedCodec& codec : m.codecs) out.push_back(codec.payloadType);
  return out;
}

// ---- Browser answers to threeSlots() ----

// Shaped like tests/data/chromium-answer.sdp (Chromium answering a sendonly offer): the same
// line order, a=setup:active, a=recvonly, the offer's payload types, its own ICE and DTLS
// values; candidates as Chromium writes them after gathering (mDNS host name).
constexpr const char* kChromiumAnswer =
    "v=0\r\n"
    "o=- 3587234003307081837 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=candidate:1467250027 1 udp 2122260223 4d3f6d1e-1e0a-4a4b-9d0c-3b1f0f7d2a11.local 54400 "
    "typ host generation 0 network-id 1\r\n"
    "a=ice-ufrag:k9bV\r\n"
    "a=ice-pwd:YLqB56NzOxomtNlod1jYoFUE\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "27:F1:76:42:A7:DC:66:D0:E6:F4:54:48:78:0F:56:18:D7:4E:B6:5E:AA:4E:CF:72:6C:C4:C7:63:E2:14:3A:"
    "D2\r\n"
    "a=setup:active\r\n"
    "a=mid:0\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 45 46\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:k9bV\r\n"
    "a=ice-pwd:YLqB56NzOxomtNlod1jYoFUE\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "27:F1:76:42:A7:DC:66:D0:E6:F4:54:48:78:0F:56:18:D7:4E:B6:5E:AA:4E:CF:72:6C:C4:C7:63:E2:14:3A:"
    "D2\r\n"
    "a=setup:active\r\n"
    "a=mid:1\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:13 urn:3gpp:video-orientation\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtcp-fb:98 goog-remb\r\n"
    "a=rtcp-fb:98 transport-cc\r\n"
    "a=rtcp-fb:98 ccm fir\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=rtcp-fb:98 nack pli\r\n"
    "a=fmtp:98 profile-id=0\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 goog-remb\r\n"
    "a=rtcp-fb:102 transport-cc\r\n"
    "a=rtcp-fb:102 ccm fir\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=rtpmap:46 rtx/90000\r\n"
    "a=fmtp:46 apt=45\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 45 46\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:k9bV\r\n"
    "a=ice-pwd:YLqB56NzOxomtNlod1jYoFUE\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 "
    "27:F1:76:42:A7:DC:66:D0:E6:F4:54:48:78:0F:56:18:D7:4E:B6:5E:AA:4E:CF:72:6C:C4:C7:63:E2:14:3A:"
    "D2\r\n"
    "a=setup:active\r\n"
    "a=mid:2\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:13 urn:3gpp:video-orientation\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=inactive\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtcp-fb:98 goog-remb\r\n"
    "a=rtcp-fb:98 transport-cc\r\n"
    "a=rtcp-fb:98 ccm fir\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=rtcp-fb:98 nack pli\r\n"
    "a=fmtp:98 profile-id=0\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=rtcp-fb:102 goog-remb\r\n"
    "a=rtcp-fb:102 transport-cc\r\n"
    "a=rtcp-fb:102 ccm fir\r\n"
    "a=rtcp-fb:102 nack\r\n"
    "a=rtcp-fb:102 nack pli\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=rtpmap:46 rtx/90000\r\n"
    "a=fmtp:46 apt=45\r\n";

// Shaped like Firefox's SDP (tests/data/firefox-offer-simulcast.sdp): session-level fingerprint,
// attributes in alphabetical order, its own Opus and VP8 fmtp, no abs-send-time on audio, no
// video-orientation, playout-delay marked /recvonly, and no H264 (the OpenH264 plugin is
// downloaded on demand, so a fresh profile answers without it).
constexpr const char* kFirefoxAnswer =
    "v=0\r\n"
    "o=mozilla...THIS_IS_SDPARTA-115.0 6027512913590658327 0 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=fingerprint:sha-256 "
    "2C:C3:03:1E:02:3C:40:3A:7A:9C:D1:A3:09:1A:49:D6:F0:A1:F7:35:51:34:B7:0D:49:A6:D5:10:4E:33:C3:"
    "43\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=ice-options:trickle\r\n"
    "a=msid-semantic:WMS *\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=candidate:0 1 UDP 2122252543 6c8f2f24-a6a8-4d8e-9d0f-2b1b3d7a9e55.local 51234 typ host\r\n"
    "a=candidate:1 1 TCP 2105524479 6c8f2f24-a6a8-4d8e-9d0f-2b1b3d7a9e55.local 9 typ host "
    "tcptype active\r\n"
    "a=end-of-candidates\r\n"
    "a=recvonly\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=fmtp:111 maxplaybackrate=48000;stereo=1;useinbandfec=1\r\n"
    "a=ice-pwd:18b109a02b30b41eb463f2b0dde4e0e2\r\n"
    "a=ice-ufrag:c49f71f7\r\n"
    "a=mid:0\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=setup:active\r\n"
    "a=ssrc:3613515943 cname:{8734419c-a13a-4dda-b483-2b834c48724a}\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45 46\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=recvonly\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:5/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=fmtp:96 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=fmtp:98 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=fmtp:46 apt=45\r\n"
    "a=ice-pwd:18b109a02b30b41eb463f2b0dde4e0e2\r\n"
    "a=ice-ufrag:c49f71f7\r\n"
    "a=mid:1\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 transport-cc\r\n"
    "a=rtcp-fb:98 nack\r\n"
    "a=rtcp-fb:98 nack pli\r\n"
    "a=rtcp-fb:98 ccm fir\r\n"
    "a=rtcp-fb:98 goog-remb\r\n"
    "a=rtcp-fb:98 transport-cc\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=rtpmap:46 rtx/90000\r\n"
    "a=setup:active\r\n"
    "a=ssrc:1797258133 cname:{8734419c-a13a-4dda-b483-2b834c48724a}\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 45 46\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=inactive\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:5/recvonly http://www.webrtc.org/experiments/rtp-hdrext/playout-delay\r\n"
    "a=fmtp:96 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=fmtp:98 max-fs=12288;max-fr=60\r\n"
    "a=fmtp:99 apt=98\r\n"
    "a=fmtp:46 apt=45\r\n"
    "a=ice-pwd:18b109a02b30b41eb463f2b0dde4e0e2\r\n"
    "a=ice-ufrag:c49f71f7\r\n"
    "a=mid:2\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=rtpmap:98 VP9/90000\r\n"
    "a=rtpmap:99 rtx/90000\r\n"
    "a=rtpmap:45 AV1/90000\r\n"
    "a=rtcp-fb:45 goog-remb\r\n"
    "a=rtcp-fb:45 transport-cc\r\n"
    "a=rtcp-fb:45 ccm fir\r\n"
    "a=rtcp-fb:45 nack\r\n"
    "a=rtcp-fb:45 nack pli\r\n"
    "a=rtpmap:46 rtx/90000\r\n"
    "a=setup:active\r\n";

Result<SubscribeAnswer> applyTo3Slots(const std::string& answerText) {
  return applySubscribeAnswer(buildSubscribeOffer(threeSlots()), parsed(answerText));
}

void expectRejected(const std::string& answerText, const std::string& fragment) {
  auto result = applyTo3Slots(answerText);
  ASSERT_FALSE(result.ok()) << "accepted an answer that should fail with: " << fragment;
  EXPECT_NE(result.error().find(fragment), std::string::npos) << result.error();
}

// ---- The offer ----

TEST(SubscribeOffer, ZeroSlotsGiveSessionLinesOnly) {
  const std::string text = write(buildSubscribeOffer(parameters({})));
  const auto lines = linesOf(text);
  EXPECT_EQ(lines, (std::vector<std::string>{"v=0", "o=- 4242424242 3 IN IP4 0.0.0.0", "s=-",
                                             "t=0 0", "a=ice-lite", "a=extmap-allow-mixed",
                                             "a=msid-semantic: WMS *"}));
  const SessionDescription d = parsed(text);
  EXPECT_TRUE(d.media.empty());
  EXPECT_TRUE(d.bundleMids.empty());  // "a=group:BUNDLE" with no mid would be invalid
  EXPECT_TRUE(d.iceLite);
}

TEST(SubscribeOffer, OneAudioSlotWritesTheExactSection) {
  const std::string text = write(buildSubscribeOffer(parameters({audioSlot("0", 1111)})));
  EXPECT_EQ(sessionLines(text),
            (std::vector<std::string>{"v=0", "o=- 4242424242 3 IN IP4 0.0.0.0", "s=-", "t=0 0",
                                      "a=ice-lite", "a=group:BUNDLE 0", "a=extmap-allow-mixed",
                                      "a=msid-semantic: WMS *"}));
  const std::vector<std::string> expected = {
      "m=audio 9 UDP/TLS/RTP/SAVPF 111",
      "c=IN IP4 0.0.0.0",
      "a=ice-ufrag:TrEfSubs",
      std::string("a=ice-pwd:") + kServerPwd,
      std::string("a=fingerprint:sha-256 ") + kServerFingerprint,
      "a=setup:actpass",
      "a=mid:0",
      "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level",
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid",
      "a=sendonly",
      "a=msid:alice alice-microphone",
      "a=rtcp-mux",
      "a=rtcp-rsize",
      "a=rtpmap:111 opus/48000/2",
      "a=rtcp-fb:111 transport-cc",
      "a=fmtp:111 minptime=10;useinbandfec=1",
      "a=ssrc:1111 cname:treffAlice",
      "a=ssrc:1111 msid:alice alice-microphone",
      "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host",
      "a=candidate:2 1 tcp 1694498815 192.0.2.10 40001 typ host tcptype passive",
      "a=end-of-candidates",
  };
  EXPECT_EQ(sectionLines(text, 0), expected);
}

TEST(SubscribeOffer, ThreeSlotsParseBackWithEveryField) {
  const std::string text = write(buildSubscribeOffer(threeSlots()));
  const SessionDescription d = parsed(text);
  EXPECT_EQ(d.origin.sessionId, "4242424242");
  EXPECT_EQ(d.origin.sessionVersion, 3u);
  EXPECT_TRUE(d.iceLite);
  ASSERT_TRUE(d.msidSemantic);
  EXPECT_EQ(d.msidSemantic->ids, std::vector<std::string>{"*"});
  // Inactive m-sections stay in the group: they keep using the one transport.
  EXPECT_EQ(d.bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(d.media.size(), 3u);

  for (const MediaSection& m : d.media) {
    SCOPED_TRACE("mid " + m.mid);
    EXPECT_EQ(m.port, 9);  // never port 0
    EXPECT_EQ(m.proto, "UDP/TLS/RTP/SAVPF");
    EXPECT_EQ(m.iceUfrag, "TrEfSubs");
    EXPECT_EQ(m.icePwd, kServerPwd);
    ASSERT_TRUE(m.fingerprint);
    EXPECT_EQ(m.fingerprint->algorithm, "sha-256");
    EXPECT_EQ(m.fingerprint->value, kServerFingerprint);
    EXPECT_EQ(m.setup, Setup::ActPass);
    EXPECT_TRUE(m.rtcpMux);
    EXPECT_TRUE(m.rtcpReducedSize);
    EXPECT_TRUE(m.endOfCandidates);
    ASSERT_EQ(m.candidates.size(), 2u);
    EXPECT_EQ(m.candidates[0].transport, "udp");
    EXPECT_EQ(m.candidates[0].port, 40000);
    EXPECT_EQ(m.candidates[1].transport, "tcp");
    EXPECT_EQ(m.candidates[1].tcpType, "passive");
    for (const Extmap& e : m.extmaps) {
      EXPECT_NE(e.uri, uri::kRid);  // subscribers get plain streams
      EXPECT_NE(e.uri, uri::kRepairedRid);
    }
    EXPECT_TRUE(m.rids.empty());
    EXPECT_FALSE(m.simulcast);
  }

  const MediaSection& audio = d.media[0];
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.direction, Direction::SendOnly);
  EXPECT_EQ(payloadTypes(audio), std::vector<uint8_t>{111});
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].clockRate, 48000u);
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].fmtpParameter("useinbandfec"), "1");
  EXPECT_EQ(audio.codecs[0].fmtpParameter("minptime"), "10");
  EXPECT_FALSE(audio.codecs[0].fmtpParameter("stereo"));
  EXPECT_EQ(audio.codecs[0].rtcpFeedback, (std::vector<RtcpFeedback>{{"transport-cc", ""}}));
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.extmaps[0].id, 1);
  EXPECT_EQ(audio.extmaps[0].uri, uri::kAudioLevel);
  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].streamId, "alice");
  EXPECT_EQ(audio.msids[0].trackId, "alice-microphone");
  EXPECT_TRUE(audio.ssrcGroups.empty());
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 1111u);

  const MediaSection& camera = d.media[1];
  EXPECT_EQ(camera.kind, MediaKind::Video);
  EXPECT_EQ(camera.direction, Direction::SendOnly);
  EXPECT_EQ(payloadTypes(camera), (std::vector<uint8_t>{96, 97, 98, 99, 102, 103, 45, 46}));
  const std::vector<RtcpFeedback> videoFeedback = {
      {"goog-remb", ""}, {"transport-cc", ""}, {"ccm", "fir"}, {"nack", ""}, {"nack", "pli"}};
  for (uint8_t pt : {96, 98, 102, 45}) {
    ASSERT_NE(camera.findCodec(pt), nullptr);
    EXPECT_EQ(camera.findCodec(pt)->rtcpFeedback, videoFeedback) << int(pt);
    EXPECT_EQ(camera.findCodec(pt)->clockRate, 90000u);
  }
  for (auto [rtx, apt] : {std::pair{97, 96}, {99, 98}, {103, 102}, {46, 45}}) {
    ASSERT_NE(camera.findCodec(rtx), nullptr);
    EXPECT_EQ(camera.findCodec(rtx)->name, "rtx");
    EXPECT_EQ(camera.findCodec(rtx)->fmtpParameter("apt"), std::to_string(apt));
    EXPECT_TRUE(camera.findCodec(rtx)->rtcpFeedback.empty());
  }
  EXPECT_EQ(camera.findCodec(96)->name, "VP8");
  EXPECT_EQ(camera.findCodec(98)->fmtp, "profile-id=0");
  EXPECT_EQ(camera.findCodec(102)->fmtp,
            "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f");
  EXPECT_EQ(camera.findCodec(45)->name, "AV1");
  std::map<std::string, uint16_t> ids;
  for (const Extmap& e : camera.extmaps) ids[e.uri] = e.id;
  EXPECT_EQ(ids, (std::map<std::string, uint16_t>{{std::string(uri::kAbsSendTime), 2},
                                                  {std::string(uri::kTransportWideCc), 3},
                                                  {std::string(uri::kMid), 4},
                                                  {std::string(uri::kPlayoutDelay), 5},
                                                  {std::string(uri::kDependencyDescriptor), 12},
                                                  {std::string(uri::kVideoOrientation), 13}}));
  ASSERT_EQ(camera.ssrcGroups.size(), 1u);
  EXPECT_EQ(camera.ssrcGroups[0].semantics, "FID");
  EXPECT_EQ(camera.ssrcGroups[0].ssrcs, (std::vector<uint32_t>{2222, 2223}));
  ASSERT_EQ(camera.ssrcs.size(), 4u);
  for (const SsrcAttribute& a : camera.ssrcs) {
    EXPECT_TRUE(a.ssrc == 2222 || a.ssrc == 2223);
    if (a.attribute == "cname") EXPECT_EQ(a.value, "treffAlice");
    if (a.attribute == "msid") EXPECT_EQ(a.value, "alice alice-camera");
  }

  const MediaSection& idle = d.media[2];
  EXPECT_EQ(idle.mid, "2");
  EXPECT_EQ(idle.direction, Direction::Inactive);
  EXPECT_EQ(payloadTypes(idle), payloadTypes(camera));  // ready to carry video again
  EXPECT_TRUE(idle.msids.empty());
  EXPECT_TRUE(idle.ssrcs.empty());
  EXPECT_TRUE(idle.ssrcGroups.empty());
}

// Real bytes: the fixed numbering is Chromium's own for these codecs and extensions, so
// forwarding a Chromium publisher's packets mostly needs no rewrite.
TEST(SubscribeOffer, NumberingMatchesChromiumsOwnOffer) {
  const SessionDescription chromium = parsed(readTestSdp("chromium-offer-simulcast.sdp"));
  const SessionDescription ours = buildSubscribeOffer(threeSlots());
  for (size_t index = 0; index < 2; ++index) {
    const MediaSection& theirs = chromium.media[index];
    const MediaSection& mine = ours.media[index];
    ASSERT_EQ(theirs.kind, mine.kind);
    for (const Extmap& e : mine.extmaps) {
      const auto it = std::find_if(theirs.extmaps.begin(), theirs.extmaps.end(),
                                   [&](const Extmap& t) { return t.uri == e.uri; });
      ASSERT_NE(it, theirs.extmaps.end()) << e.uri;
      EXPECT_EQ(it->id, e.id) << e.uri;
    }
  }
  for (uint8_t pt : {111}) {
    EXPECT_EQ(chromium.media[0].findCodec(pt)->name, ours.media[0].findCodec(pt)->name);
  }
  // H264 differs on purpose: Chromium's 102 is 42001f, the server's 42e01f.
  for (uint8_t pt : {96, 97, 98, 99, 45, 46}) {
    const Codec* theirs = chromium.media[1].findCodec(pt);
    const Codec* mine = ours.media[1].findCodec(pt);
    ASSERT_NE(theirs, nullptr);
    ASSERT_NE(mine, nullptr);
    EXPECT_EQ(theirs->name, mine->name) << int(pt);
    EXPECT_EQ(theirs->fmtpParameter("apt"), mine->fmtpParameter("apt")) << int(pt);
  }
  EXPECT_EQ(chromium.media[1].findCodec(98)->fmtp, ours.media[1].findCodec(98)->fmtp);
}

TEST(SubscribeOffer, VideoCodecListRestrictsAndOrdersTheOffer) {
  SubscribeOfferParameters p = parameters({videoSlot("0", 5, 6)});
  p.codecs.video = {"VP8"};
  std::string text = write(buildSubscribeOffer(p));
  EXPECT_EQ(sectionLines(text, 0)[0], "m=video 9 UDP/TLS/RTP/SAVPF 96 97");
  EXPECT_EQ(countPrefix(sectionLines(text, 0), "a=rtpmap:"), 2u);

  p.codecs.video = {"h264", "VP8", "H264"};  // case-insensitive, duplicates dropped
  text = write(buildSubscribeOffer(p));
  const auto lines = sectionLines(text, 0);
  EXPECT_EQ(lines[0], "m=video 9 UDP/TLS/RTP/SAVPF 102 103 96 97");
  EXPECT_TRUE(has(lines, "a=rtpmap:102 H264/90000"));
  EXPECT_TRUE(has(lines, "a=fmtp:103 apt=102"));
}

TEST(SubscribeOffer, StereoFlagAddsStereoToOpus) {
  SubscribeSlot slot = audioSlot("a", 7);
  slot.stereo = true;
  const std::string text = write(buildSubscribeOffer(parameters({slot})));
  EXPECT_TRUE(
      has(sectionLines(text, 0), "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1"));
}

TEST(SubscribeOffer, AudioRtxSsrcIsIgnoredAndVideoWithoutRtxSsrcHasNoGroup) {
  SubscribeSlot audio = audioSlot("0", 10);
  audio.sender.rtxSsrc = 11;
  const SessionDescription d =
      parsed(write(buildSubscribeOffer(parameters({audio, videoSlot("1", 12, 0)}))));
  EXPECT_TRUE(d.media[0].ssrcGroups.empty());
  EXPECT_EQ(d.media[0].ssrcs.size(), 2u);
  EXPECT_TRUE(d.media[1].ssrcGroups.empty());
  EXPECT_EQ(d.media[1].ssrcs.size(), 2u);
}

TEST(SubscribeOffer, RejectsParametersNoBrowserWouldAccept) {
  auto expectThrow = [](SubscribeOfferParameters p, const char* what) {
    EXPECT_THROW(buildSubscribeOffer(p), std::invalid_argument) << what;
  };
  expectThrow(parameters({audioSlot("0", 1), videoSlot("0", 2, 3)}), "duplicate mid");
  expectThrow(parameters({audioSlot("0", 1), videoSlot("1", 1, 3)}), "SSRC used twice");
  expectThrow(parameters({videoSlot("1", 4, 4)}), "rtx SSRC equal to the media SSRC");
  expectThrow(parameters({audioSlot("0", 0)}), "active slot without SSRC");
  expectThrow(parameters({audioSlot("", 1)}), "empty mid");
  expectThrow(parameters({audioSlot("has space", 1)}), "mid not a token");
  expectThrow(parameters({audioSlot("0123456789abcdefg", 1)}), "mid longer than 16");
  SubscribeSlot noStream = audioSlot("0", 1);
  noStream.sender.streamId.clear();
  expectThrow(parameters({noStream}), "no stream id");
  SubscribeSlot wrongMid = audioSlot("0", 1);
  wrongMid.sender.mid = "7";
  expectThrow(parameters({wrongMid}), "sender for another mid");
  SubscribeSlot data = inactiveSlot("0", MediaKind::Application);
  expectThrow(parameters({data}), "neither audio nor video");
  SubscribeOfferParameters p = parameters({videoSlot("0", 1, 2)});
  p.codecs.video = {"VP8", "Theora"};
  expectThrow(p, "unknown codec");
  p.codecs.video.clear();
  expectThrow(p, "no video codec");
  p = parameters({audioSlot("0", 1)});
  p.codecs.opus = false;
  expectThrow(p, "no Opus");
  p = parameters({});
  p.iceUfrag = "abc";
  expectThrow(p, "ufrag too short");
  p = parameters({});
  p.icePwd = "short";
  expectThrow(p, "password too short");
  p = parameters({});
  p.fingerprint.value.clear();
  expectThrow(p, "no fingerprint");
}

TEST(SubscribeOffer, InactiveSlotIsReusedForANewTrackOfTheSameKind) {
  // Offer 1: a screen share on mid 2. Offer 2: it stopped. Offer 3: someone else shares.
  SubscribeOfferParameters p = parameters({audioSlot("0", 1111), videoSlot("1", 2222, 2223),
                                           videoSlot("2", 3333, 3334, "alice-screen")});
  p.sessionVersion = 1;
  const SessionDescription first = buildSubscribeOffer(p);
  p.slots[2] = inactiveSlot("2", MediaKind::Video);
  p.sessionVersion = 2;
  const SessionDescription second = buildSubscribeOffer(p);
  p.slots[2] = videoSlot("2", 4444, 4445, "bob-screen");
  p.slots[2].sender.streamId = "bob";
  p.slots[2].sender.cname = "treffBob";
  p.sessionVersion = 3;
  const std::string thirdText = write(buildSubscribeOffer(p));
  const SessionDescription third = parsed(thirdText);

  EXPECT_EQ(first.origin.sessionId, third.origin.sessionId);  // RFC 8866 §5.2: same session
  EXPECT_EQ(third.origin.sessionVersion, 3u);
  ASSERT_EQ(second.media.size(), 3u);
  EXPECT_EQ(second.media[2].direction, Direction::Inactive);
  EXPECT_EQ(second.media[2].port, 9);
  ASSERT_EQ(third.media.size(), 3u);  // m-sections are never removed or added for a reuse
  EXPECT_EQ(third.media[2].mid, "2");
  EXPECT_EQ(third.media[2].direction, Direction::SendOnly);
  EXPECT_EQ(third.bundleMids, (std::vector<std::string>{"0", "1", "2"}));
  const auto lines = sectionLines(thirdText, 2);
  EXPECT_TRUE(has(lines, "a=msid:bob bob-screen"));
  EXPECT_TRUE(has(lines, "a=ssrc-group:FID 4444 4445"));
  EXPECT_TRUE(has(lines, "a=ssrc:4444 cname:treffBob"));
  EXPECT_EQ(countPrefix(lines, "a=ssrc:3333"), 0u);
  EXPECT_EQ(payloadTypes(third.media[2]), payloadTypes(first.media[2]));

  // The browser answers the reused m-section recvonly again: the server may send on it.
  const std::string reusedAnswer = replaced(kChromiumAnswer, "a=inactive\r\n", "a=recvonly\r\n");
  auto result = applySubscribeAnswer(third, parsed(reusedAnswer));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->media[2].receiving());
  // An inactive offer may not be answered recvonly, though.
  auto stale = applySubscribeAnswer(second, parsed(reusedAnswer));
  ASSERT_FALSE(stale.ok());
  EXPECT_NE(stale.error().find("mid 2"), std::string::npos) << stale.error();
}

// ---- The answer ----

TEST(SubscribeAnswer, AcceptsChromiumShapedAnswer) {
  auto result = applyTo3Slots(kChromiumAnswer);
  ASSERT_TRUE(result.ok()) << result.error();
  const SubscribeAnswer& a = *result;
  EXPECT_EQ(a.remoteIceUfrag, "k9bV");
  EXPECT_EQ(a.remoteIcePwd, "YLqB56NzOxomtNlod1jYoFUE");
  EXPECT_EQ(a.remoteFingerprint.algorithm, "sha-256");
  EXPECT_EQ(a.remoteFingerprint.value.substr(0, 8), "27:F1:76");
  EXPECT_EQ(a.remoteSetup, Setup::Active);
  ASSERT_EQ(a.media.size(), 3u);

  const SubscribeMediaAnswer& audio = a.media[0];
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_TRUE(audio.accepted);
  EXPECT_EQ(audio.direction, Direction::RecvOnly);
  EXPECT_TRUE(audio.receiving());
  EXPECT_EQ(payloadTypes(audio), std::vector<uint8_t>{111});
  EXPECT_EQ(audio.codecs[0].name, "opus");
  EXPECT_EQ(audio.codecs[0].channels, 2);
  EXPECT_EQ(audio.codecs[0].fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(audio.codecs[0].rtcpFeedback, (std::vector<RtcpFeedback>{{"transport-cc", ""}}));
  EXPECT_FALSE(audio.codecs[0].rtxPayloadType);
  EXPECT_EQ(audio.extensionIds,
            (std::map<std::string, uint8_t>{{std::string(uri::kAudioLevel), 1},
                                            {std::string(uri::kAbsSendTime), 2},
                                            {std::string(uri::kTransportWideCc), 3},
                                            {std::string(uri::kMid), 4}}));
  EXPECT_TRUE(audio.rtcpReducedSize);

  const SubscribeMediaAnswer& camera = a.media[1];
  EXPECT_TRUE(camera.receiving());
  EXPECT_EQ(payloadTypes(camera), (std::vector<uint8_t>{96, 98, 102, 45}));
  EXPECT_EQ(camera.codecs[0].rtxPayloadType, 97);
  EXPECT_EQ(camera.codecs[1].rtxPayloadType, 99);
  EXPECT_EQ(camera.codecs[2].rtxPayloadType, 103);
  EXPECT_EQ(camera.codecs[3].rtxPayloadType, 46);
  EXPECT_EQ(camera.rtxToApt,
            (std::map<uint8_t, uint8_t>{{97, 96}, {99, 98}, {103, 102}, {46, 45}}));
  EXPECT_EQ(camera.codecs[0].rtcpFeedback.size(), 5u);
  EXPECT_EQ(camera.extensionIds.size(), 5u);
  EXPECT_EQ(camera.extensionIds.at(std::string(uri::kVideoOrientation)), 13);

  const SubscribeMediaAnswer& idle = a.media[2];
  EXPECT_TRUE(idle.accepted);
  EXPECT_EQ(idle.direction, Direction::Inactive);
  EXPECT_FALSE(idle.receiving());
  EXPECT_EQ(payloadTypes(idle), (std::vector<uint8_t>{96, 98, 102, 45}));
}

TEST(SubscribeAnswer, AcceptsFirefoxShapedAnswer) {
  auto result = applyTo3Slots(kFirefoxAnswer);
  ASSERT_TRUE(result.ok()) << result.error();
  const SubscribeAnswer& a = *result;
  EXPECT_EQ(a.remoteIceUfrag, "c49f71f7");
  EXPECT_EQ(a.remoteIcePwd, "18b109a02b30b41eb463f2b0dde4e0e2");
  EXPECT_EQ(a.remoteFingerprint.value.substr(0, 8), "2C:C3:03");  // from the session level
  EXPECT_EQ(a.remoteSetup, Setup::Active);

  const SubscribeMediaAnswer& audio = a.media[0];
  EXPECT_TRUE(audio.receiving());
  EXPECT_EQ(audio.codecs[0].fmtp, "maxplaybackrate=48000;stereo=1;useinbandfec=1");
  EXPECT_EQ(audio.extensionIds.count(std::string(uri::kAbsSendTime)), 0u);
  EXPECT_EQ(audio.extensionIds.size(), 3u);
  EXPECT_FALSE(audio.rtcpReducedSize);

  const SubscribeMediaAnswer& camera = a.media[1];
  EXPECT_TRUE(camera.receiving());
  EXPECT_EQ(payloadTypes(camera), (std::vector<uint8_t>{96, 98, 45}));  // no H264
  EXPECT_EQ(camera.rtxToApt, (std::map<uint8_t, uint8_t>{{97, 96}, {99, 98}, {46, 45}}));
  EXPECT_EQ(camera.codecs[0].fmtp, "max-fs=12288;max-fr=60");
  EXPECT_EQ(
      camera.codecs[0].rtcpFeedback,
      (std::vector<RtcpFeedback>{
          {"nack", ""}, {"nack", "pli"}, {"ccm", "fir"}, {"goog-remb", ""}, {"transport-cc", ""}}));
  EXPECT_EQ(camera.extensionIds.count(std::string(uri::kVideoOrientation)), 0u);
  EXPECT_EQ(camera.extensionIds.at(std::string(uri::kPlayoutDelay)), 5);  // "/recvonly": kept
  EXPECT_FALSE(a.media[2].receiving());
  EXPECT_TRUE(a.media[2].accepted);
}

// Real bytes: the captured Chromium answer, cut down to what our offer has, is accepted; the
// extensions Chromium added beyond ours (toffset, rid, dependency descriptor...) are ignored.
TEST(SubscribeAnswer, AcceptsCapturedChromiumAnswerReducedToOurCodecs) {
  SessionDescription answer = parsed(readTestSdp("chromium-answer.sdp"));
  SubscribeOfferParameters p = parameters({audioSlot("0", 1111), videoSlot("1", 2222, 2223)});
  p.codecs.video = {"VP8", "VP9", "AV1"};
  const SessionDescription offer = buildSubscribeOffer(p);
  // The captured answer as it is names payload types the offer lacks.
  auto raw = applySubscribeAnswer(offer, answer);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.error().find("payload type 63, which the offer does not have"), std::string::npos)
      << raw.error();

  for (size_t index = 0; index < 2; ++index) {
    std::vector<Codec> kept;
    for (const Codec& codec : answer.media[index].codecs) {
      if (offer.media[index].findCodec(codec.payloadType) != nullptr) kept.push_back(codec);
    }
    answer.media[index].codecs = kept;
  }
  auto result = applySubscribeAnswer(offer, parsed(write(answer)));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->remoteIceUfrag, "k9bV");
  EXPECT_EQ(payloadTypes(result->media[0]), std::vector<uint8_t>{111});
  EXPECT_EQ(payloadTypes(result->media[1]), (std::vector<uint8_t>{96, 45, 98}));
  EXPECT_EQ(result->media[1].rtxToApt, (std::map<uint8_t, uint8_t>{{97, 96}, {46, 45}, {99, 98}}));
  EXPECT_EQ(result->media[1].extensionIds,
            (std::map<std::string, uint8_t>{{std::string(uri::kAbsSendTime), 2},
                                            {std::string(uri::kVideoOrientation), 13},
                                            {std::string(uri::kTransportWideCc), 3},
                                            {std::string(uri::kPlayoutDelay), 5},
                                            {std::string(uri::kDependencyDescriptor), 12},
                                            {std::string(uri::kMid), 4}}));
}

TEST(SubscribeAnswer, AcceptsSetupPassiveAndMissingSetupAsActive) {
  auto passive = applyTo3Slots(replacedAll(kChromiumAnswer, "a=setup:active", "a=setup:passive"));
  ASSERT_TRUE(passive.ok()) << passive.error();
  EXPECT_EQ(passive->remoteSetup, Setup::Passive);  // the server is then the DTLS client
  auto missing = applyTo3Slots(replacedAll(kChromiumAnswer, "a=setup:active\r\n", ""));
  ASSERT_TRUE(missing.ok()) << missing.error();
  EXPECT_EQ(missing->remoteSetup, Setup::Active);  // RFC 4145 §4.1 default
}

TEST(SubscribeAnswer, RejectsSetupActpass) {
  expectRejected(replaced(kChromiumAnswer, "a=setup:active", "a=setup:actpass"),
                 "answer m-section 0 (mid 0) answers a=setup:actpass");
}

TEST(SubscribeAnswer, RejectsMidMismatch) {
  expectRejected(replaced(kChromiumAnswer, "a=mid:1\r\n", "a=mid:7\r\n"),
                 "has mid '7' where the offer has '1'");
  // Swapped order: the mids must come in the offer's order.
  std::string swapped = replaced(kChromiumAnswer, "a=mid:1\r\n", "a=mid:X\r\n");
  swapped = replaced(swapped, "a=mid:2\r\n", "a=mid:1\r\n");
  swapped = replaced(swapped, "a=mid:X\r\n", "a=mid:2\r\n");
  expectRejected(swapped, "has mid '2' where the offer has '1'");
}

TEST(SubscribeAnswer, RejectsMissingFingerprint) {
  std::string text = kChromiumAnswer;
  const std::string line =
      "a=fingerprint:sha-256 "
      "27:F1:76:42:A7:DC:66:D0:E6:F4:54:48:78:0F:56:18:D7:4E:B6:5E:AA:4E:CF:72:6C:C4:C7:63:E2:14:"
      "3A:D2\r\n";
  expectRejected(replacedAll(text, line, ""), "has no a=fingerprint");
  // Firefox's session-level fingerprint is enough; without it, the answer fails.
  const std::string firefoxLine =
      "a=fingerprint:sha-256 "
      "2C:C3:03:1E:02:3C:40:3A:7A:9C:D1:A3:09:1A:49:D6:F0:A1:F7:35:51:34:B7:0D:49:A6:D5:10:4E:33:"
      "C3:43\r\n";
  expectRejected(replaced(kFirefoxAnswer, firefoxLine, ""), "has no a=fingerprint");
}

TEST(SubscribeAnswer, RejectsMissingIceCredentials) {
  expectRejected(replacedAll(kFirefoxAnswer, "a=ice-pwd:18b109a02b30b41eb463f2b0dde4e0e2\r\n", ""),
                 "has no a=ice-ufrag/a=ice-pwd");
}

TEST(SubscribeAnswer, RejectsExtraOrMissingMSections) {
  const std::string extra = std::string(kChromiumAnswer) +
                            "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                            "c=IN IP4 0.0.0.0\r\n"
                            "a=mid:3\r\n"
                            "a=recvonly\r\n"
                            "a=rtpmap:111 opus/48000/2\r\n";
  expectRejected(extra, "the answer has 4 m-sections, the offer 3");
  const std::string text = kChromiumAnswer;
  const std::string missing = text.substr(0, text.rfind("m=video"));
  expectRejected(missing, "the answer has 2 m-sections, the offer 3");
}

// RFC 3264 §6.1: a sendonly offer is answered recvonly or inactive; sendrecv or sendonly would
// mean the browser sends on a subscribe m-section, which no browser does and the server could
// not route, so the answer is refused rather than half-applied.
TEST(SubscribeAnswer, RejectsAnswerThatSendsOnASendonlyOffer) {
  expectRejected(replaced(kChromiumAnswer, "a=recvonly", "a=sendrecv"),
                 "answers sendrecv to sendonly");
  expectRejected(replaced(kChromiumAnswer, "a=recvonly", "a=sendonly"),
                 "answers sendonly to sendonly");
  // No direction attribute means sendrecv (RFC 8866 §6.7).
  expectRejected(replaced(kChromiumAnswer, "a=recvonly\r\n", ""), "answers sendrecv to sendonly");
}

TEST(SubscribeAnswer, RejectsInactiveOfferAnsweredWithMedia) {
  expectRejected(replaced(kChromiumAnswer, "a=inactive", "a=recvonly"),
                 "answer m-section 2 (mid 2) answers recvonly to inactive");
  expectRejected(replaced(kChromiumAnswer, "a=inactive", "a=sendonly"),
                 "answers sendonly to inactive");
}

TEST(SubscribeAnswer, AcceptsRecvonlyOfferAnsweredInactive) {
  auto result = applyTo3Slots(replaced(kChromiumAnswer, "a=recvonly", "a=inactive"));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->media[0].accepted);
  EXPECT_FALSE(result->media[0].receiving());
}

TEST(SubscribeAnswer, RejectsPayloadTypesTheOfferDoesNotHave) {
  std::string text = replaced(kChromiumAnswer, "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                              "m=audio 9 UDP/TLS/RTP/SAVPF 111 0");
  text = replaced(text, "a=fmtp:111 minptime=10;useinbandfec=1\r\n",
                  "a=fmtp:111 minptime=10;useinbandfec=1\r\na=rtpmap:0 PCMU/8000\r\n");
  expectRejected(text, "answers payload type 0, which the offer does not have");
  expectRejected(replaced(kChromiumAnswer, "a=rtpmap:96 VP8/90000", "a=rtpmap:96 H264/90000"),
                 "answers payload type 96 as H264/90000, offered as VP8/90000");
}

TEST(SubscribeAnswer, DropsRtxWhoseMediaCodecTheAnswerLeftOut) {
  // Only rtx 97 and VP9 are kept: 97's VP8 is gone, so VP9 alone remains, without that rtx.
  std::string text = replaced(kChromiumAnswer,
                              "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 45 46\r\nc=IN IP4 "
                              "0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:k9bV",
                              "m=video 9 UDP/TLS/RTP/SAVPF 97 98\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 "
                              "IN IP4 0.0.0.0\r\na=ice-ufrag:k9bV");
  auto parsedAnswer = parsed(text);
  ASSERT_EQ(payloadTypes(parsedAnswer.media[1]), (std::vector<uint8_t>{97, 98}));
  auto result = applySubscribeAnswer(buildSubscribeOffer(threeSlots()), parsedAnswer);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(payloadTypes(result->media[1]), std::vector<uint8_t>{98});
  EXPECT_FALSE(result->media[1].codecs[0].rtxPayloadType);
  EXPECT_TRUE(result->media[1].rtxToApt.empty());
}

TEST(SubscribeAnswer, RejectsAcceptedSectionWithOnlyRtx) {
  std::string text = replaced(kChromiumAnswer,
                              "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 102 103 45 46\r\nc=IN IP4 "
                              "0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\na=ice-ufrag:k9bV",
                              "m=video 9 UDP/TLS/RTP/SAVPF 97\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9 IN "
                              "IP4 0.0.0.0\r\na=ice-ufrag:k9bV");
  expectRejected(text, "answer m-section 1 (mid 1) is accepted but keeps no media codec");
}

TEST(SubscribeAnswer, RejectsMissingRtcpMuxAndMissingBundle) {
  expectRejected(replaced(kChromiumAnswer, "a=rtcp-mux\r\n", ""), "has no a=rtcp-mux");
  expectRejected(replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2\r\n", ""),
                 "answer m-section 0 (mid 0) is accepted but not in the answer's BUNDLE group");
  expectRejected(replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1"),
                 "(mid 2) is accepted but not in the answer's BUNDLE group");
  expectRejected(replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 9"),
                 "names mid 9, which the offer does not bundle");
  expectRejected(replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1 2 1"),
                 "names mid 1 twice");
}

TEST(SubscribeAnswer, RejectsChangedMediaKindOrProfile) {
  std::string text = replaced(kChromiumAnswer, "m=audio 9 UDP/TLS/RTP/SAVPF 111",
                              "m=video 9 UDP/TLS/RTP/SAVPF 111");
  expectRejected(text, "is video where the offer has audio");
  expectRejected(replaced(kChromiumAnswer, "m=audio 9 UDP/TLS/RTP/SAVPF", "m=audio 9 RTP/AVPF"),
                 "uses RTP/AVPF where the offer has UDP/TLS/RTP/SAVPF");
}

// JSEP §5.3.1: an answerer may reject an m-section (port 0) and then drops it from BUNDLE.
TEST(SubscribeAnswer, AcceptsRejectedSectionOutsideTheBundle) {
  std::string text = replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 0 1");
  const size_t third = text.rfind("m=video 9 ");
  text.replace(third, std::string("m=video 9 ").size(), "m=video 0 ");
  auto result = applyTo3Slots(text);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_FALSE(result->media[2].accepted);
  EXPECT_FALSE(result->media[2].receiving());
  EXPECT_TRUE(result->media[2].codecs.empty());
  EXPECT_TRUE(result->media[1].receiving());
  // Still naming it in the group is an error.
  text = replaced(text, "a=group:BUNDLE 0 1", "a=group:BUNDLE 0 1 2");
  expectRejected(text, "names mid 2, which the answer rejects");
}

TEST(SubscribeAnswer, TransportComesFromTheAnswerTaggedSection) {
  // Every section rejected but the second: its ICE values become the transport's.
  std::string text = replaced(kChromiumAnswer, "a=group:BUNDLE 0 1 2", "a=group:BUNDLE 1");
  text = replaced(text, "m=audio 9 ", "m=audio 0 ");
  const size_t third = text.rfind("m=video 9 ");
  text.replace(third, std::string("m=video 9 ").size(), "m=video 0 ");
  const size_t secondUfrag = text.find("a=ice-ufrag:k9bV", text.find("a=mid:0"));
  text.replace(secondUfrag, std::string("a=ice-ufrag:k9bV").size(), "a=ice-ufrag:Zz9x");
  auto result = applyTo3Slots(text);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->remoteIceUfrag, "Zz9x");
  EXPECT_FALSE(result->media[0].accepted);
  EXPECT_TRUE(result->media[1].receiving());
}

TEST(SubscribeAnswer, RejectsConflictingExtensionIds) {
  // id 1 means audio level on audio; mapping it to playout-delay on video breaks the group.
  std::string text = replaced(
      kChromiumAnswer, "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
      "a=extmap:1 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay");
  expectRejected(text, "which the BUNDLE group already uses");
  text = replaced(kChromiumAnswer,
                  "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay",
                  "a=extmap:15 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay");
  expectRejected(text, "only the one-byte ids 1-14");
}

TEST(SubscribeAnswer, IgnoresExtensionsTheOfferDidNotHaveOrTheBrowserOnlySends) {
  std::string text =
      replaced(kChromiumAnswer, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\na=recvonly",
               "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
               "a=extmap:14 urn:ietf:params:rtp-hdrext:toffset\r\na=recvonly");
  text = replaced(text, "a=extmap:13 urn:3gpp:video-orientation",
                  "a=extmap:13/sendonly urn:3gpp:video-orientation");
  auto result = applyTo3Slots(text);
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_EQ(result->media[0].extensionIds.count("urn:ietf:params:rtp-hdrext:toffset"), 0u);
  EXPECT_EQ(result->media[1].extensionIds.count(std::string(uri::kVideoOrientation)), 0u);
  EXPECT_EQ(result->media[1].extensionIds.size(), 4u);
}

TEST(SubscribeAnswer, ZeroSectionOfferTakesZeroSectionAnswer) {
  const SessionDescription offer = buildSubscribeOffer(parameters({}));
  auto result = applySubscribeAnswer(
      offer, parsed("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=msid-semantic: WMS\r\n"));
  ASSERT_TRUE(result.ok()) << result.error();
  EXPECT_TRUE(result->media.empty());
  EXPECT_TRUE(result->remoteIceUfrag.empty());
}

}  // namespace
}  // namespace treff::sdp
