#include <gtest/gtest.h>

#include <algorithm>

#include "sdp/answer.hpp"
#include "sdp/header_extensions.hpp"
#include "sdp/parser.hpp"
#include "sdp/writer.hpp"
#include "sdp_test_files.hpp"

namespace treff::sdp {
namespace {

using testing::readTestSdp;

constexpr const char* kOurFingerprint =
    "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:"
    "88:99";

LocalParameters localParameters() {
  LocalParameters local;
  local.iceUfrag = "TrEfFuFr";
  local.icePwd = "abcdefghijklmnopqrstuvwxyz012345";
  local.fingerprint = {"sha-256", kOurFingerprint};
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
  local.candidates = {udp, tcp};
  local.sessionId = 1234567890;
  return local;
}

SessionDescription offerFrom(const char* file) {
  auto parsed = parse(readTestSdp(file));
  if (!parsed.ok()) throw std::runtime_error(parsed.error());
  return std::move(parsed).value();
}

std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find("\r\n", start);
    lines.push_back(text.substr(start, end - start));
    start = end + 2;
  }
  return lines;
}

// The lines between "m=" number `index` and the next "m=".
std::vector<std::string> sectionLines(const std::string& text, size_t index) {
  std::vector<std::string> out;
  size_t seen = 0;
  for (const std::string& line : linesOf(text)) {
    if (line.rfind("m=", 0) == 0) ++seen;
    if (seen == index + 1) out.push_back(line);
  }
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

size_t countPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  return std::count_if(lines.begin(), lines.end(),
                       [&](const std::string& l) { return l.rfind(prefix, 0) == 0; });
}

TEST(SdpNegotiation, AnswersChromiumSimulcastOffer) {
  auto answer = negotiateAnswer(offerFrom("chromium-offer-simulcast.sdp"), localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  const std::string text = write(answer->description);
  const auto session = linesOf(text);
  EXPECT_EQ(session[0], "v=0");
  EXPECT_EQ(session[1], "o=- 1234567890 1 IN IP4 0.0.0.0");
  EXPECT_TRUE(has(session, "a=ice-lite"));
  EXPECT_TRUE(has(session, "a=group:BUNDLE 0 1"));
  EXPECT_TRUE(has(session, "a=extmap-allow-mixed"));
  EXPECT_TRUE(has(session, "a=msid-semantic: WMS"));

  const auto audio = sectionLines(text, 0);
  EXPECT_EQ(audio[0], "m=audio 9 UDP/TLS/RTP/SAVPF 111");
  EXPECT_TRUE(has(audio, "a=rtpmap:111 opus/48000/2"));
  EXPECT_TRUE(has(audio, "a=fmtp:111 minptime=10;useinbandfec=1;usedtx=1"));
  EXPECT_TRUE(has(audio, "a=rtcp-fb:111 transport-cc"));
  EXPECT_TRUE(has(audio, "a=recvonly"));
  EXPECT_TRUE(has(audio, "a=mid:0"));
  EXPECT_TRUE(has(audio, "a=setup:passive"));
  EXPECT_TRUE(has(audio, "a=ice-ufrag:TrEfFuFr"));
  EXPECT_TRUE(has(audio, "a=ice-pwd:abcdefghijklmnopqrstuvwxyz012345"));
  EXPECT_TRUE(has(audio, std::string("a=fingerprint:sha-256 ") + kOurFingerprint));
  EXPECT_TRUE(has(audio, "a=rtcp-mux"));
  EXPECT_TRUE(has(audio, "a=rtcp-rsize"));
  EXPECT_TRUE(has(audio, "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level"));
  EXPECT_TRUE(has(audio, "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_EQ(countPrefix(audio, "a=rtpmap:63 "), 0u) << "no RED for audio";
  EXPECT_TRUE(has(audio, "a=candidate:1 1 udp 2130706431 192.0.2.10 40000 typ host"));
  EXPECT_TRUE(
      has(audio, "a=candidate:2 1 tcp 1694498815 192.0.2.10 40001 typ host tcptype passive"));
  EXPECT_TRUE(has(audio, "a=end-of-candidates"));
  EXPECT_EQ(countPrefix(audio, "a=ssrc"), 0u);

  const auto video = sectionLines(text, 1);
  // VP8 first, then VP9 profile 0, H264 42e01f, other mode-1 H264, AV1; each with its RTX.
  EXPECT_EQ(video[0], "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99 108 109 102 103 116 117 45 46");
  EXPECT_EQ(countPrefix(video, "a=rtpmap:118 "), 0u) << "no RED";
  EXPECT_EQ(countPrefix(video, "a=rtpmap:120 "), 0u) << "no ULPFEC";
  EXPECT_EQ(countPrefix(video, "a=rtpmap:119 "), 0u) << "no RTX for RED";
  EXPECT_EQ(countPrefix(video, "a=rtpmap:100 "), 0u) << "no VP9 profile 2";
  EXPECT_EQ(countPrefix(video, "a=rtpmap:104 "), 0u) << "no H264 packetization-mode 0";
  EXPECT_TRUE(has(video, "a=rtpmap:96 VP8/90000"));
  EXPECT_TRUE(has(video, "a=rtpmap:97 rtx/90000"));
  EXPECT_TRUE(has(video, "a=fmtp:97 apt=96"));
  EXPECT_TRUE(has(video, "a=fmtp:98 profile-id=0"));
  EXPECT_TRUE(has(
      video, "a=fmtp:108 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f"));
  EXPECT_TRUE(has(video, "a=rtcp-fb:96 goog-remb"));
  EXPECT_TRUE(has(video, "a=rtcp-fb:96 transport-cc"));
  EXPECT_TRUE(has(video, "a=rtcp-fb:96 ccm fir"));
  EXPECT_TRUE(has(video, "a=rtcp-fb:96 nack"));
  EXPECT_TRUE(has(video, "a=rtcp-fb:96 nack pli"));
  EXPECT_EQ(countPrefix(video, "a=rtcp-fb:97 "), 0u);
  EXPECT_TRUE(has(video, "a=recvonly"));
  EXPECT_TRUE(has(video, "a=mid:1"));
  EXPECT_TRUE(has(video, "a=rid:q recv"));
  EXPECT_TRUE(has(video, "a=rid:h recv"));
  EXPECT_TRUE(has(video, "a=rid:f recv"));
  EXPECT_TRUE(has(video, "a=simulcast:recv q;h;f"));
  EXPECT_TRUE(has(video, "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"));
  EXPECT_TRUE(has(video, "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"));
  EXPECT_TRUE(has(video, "a=extmap:13 urn:3gpp:video-orientation"));
  EXPECT_TRUE(has(video, "a=extmap:5 http://www.webrtc.org/experiments/rtp-hdrext/playout-delay"));
  EXPECT_EQ(countPrefix(video, "a=extmap:14 "), 0u) << "toffset is not supported";
  // AV1 sent as SVC needs the dependency descriptor to say which layer a packet is on.
  EXPECT_TRUE(has(video,
                  "a=extmap:12 "
                  "https://aomediacodec.github.io/av1-rtp-spec/"
                  "#dependency-descriptor-rtp-header-extension"));
  EXPECT_EQ(countPrefix(video, "a=candidate:"), 2u);
  EXPECT_TRUE(has(video, "a=setup:passive"));
}

TEST(SdpNegotiation, ReportsNegotiatedParametersForChromium) {
  auto answer = negotiateAnswer(offerFrom("chromium-offer-simulcast.sdp"), localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->remoteIceUfrag, "sVZN");
  EXPECT_EQ(answer->remoteIcePwd, "aDzMSnnDbotwDAi3mGVwhGpm");
  EXPECT_EQ(answer->remoteFingerprint.algorithm, "sha-256");
  EXPECT_EQ(answer->remoteFingerprint.value.substr(0, 5), "2F:CA");
  EXPECT_EQ(answer->remoteSetup, Setup::ActPass);
  ASSERT_EQ(answer->media.size(), 2u);

  const NegotiatedMedia& audio = answer->media[0];
  EXPECT_TRUE(audio.accepted);
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_EQ(audio.direction, Direction::RecvOnly);
  ASSERT_EQ(audio.codecs.size(), 1u);
  EXPECT_EQ(audio.codecs[0].payloadType, 111);
  EXPECT_EQ(audio.extensionIds.at(std::string(uri::kAudioLevel)), 1);
  EXPECT_EQ(audio.extensionIds.at(std::string(uri::kAbsSendTime)), 2);
  EXPECT_EQ(audio.extensionIds.at(std::string(uri::kTransportWideCc)), 3);
  ASSERT_EQ(audio.remoteStreams.size(), 1u);
  EXPECT_EQ(audio.remoteStreams[0].ssrc, 1422171145u);
  EXPECT_EQ(audio.remoteStreams[0].cname, "KbJopYY6trRBum7K");
  EXPECT_EQ(audio.remoteStreams[0].trackId, "b9db41f7-c026-440f-b696-47e8d50ab9e1");
  EXPECT_FALSE(audio.remoteStreams[0].rtxSsrc.has_value());

  const NegotiatedMedia& video = answer->media[1];
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].payloadType, 96);
  EXPECT_EQ(video.codecs[0].rtxPayloadType, 97);
  EXPECT_EQ(video.rtxToApt.at(97), 96);
  EXPECT_EQ(video.rtxToApt.at(109), 108);
  EXPECT_EQ(video.rtxToApt.count(119), 0u);
  EXPECT_EQ(video.extensionIds.at(std::string(uri::kRid)), 10);
  EXPECT_EQ(video.extensionIds.at(std::string(uri::kMid)), 4);
  EXPECT_EQ(video.extensionIds.count("urn:ietf:params:rtp-hdrext:toffset"), 0u);
  EXPECT_EQ(video.remoteRids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_TRUE(video.remoteStreams.empty());
  EXPECT_TRUE(video.rtcpReducedSize);
}

TEST(SdpNegotiation, AnswersFirefoxOfferWithItsPayloadTypesAndIds) {
  auto answer = negotiateAnswer(offerFrom("firefox-offer-simulcast.sdp"), localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  const std::string text = write(answer->description);
  const auto audio = sectionLines(text, 0);
  EXPECT_EQ(audio[0], "m=audio 9 UDP/TLS/RTP/SAVPF 109");
  // Firefox asked for stereo.
  EXPECT_TRUE(has(audio, "a=fmtp:109 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1;usedtx=1"));
  EXPECT_TRUE(has(audio, "a=rtcp-fb:109 transport-cc"));
  EXPECT_TRUE(has(audio, "a=extmap:7 " + std::string(uri::kTransportWideCc)));
  EXPECT_TRUE(has(audio, "a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid"));
  EXPECT_EQ(countPrefix(audio, "a=extmap:2"), 0u) << "csrc-audio-level not supported";
  EXPECT_TRUE(has(audio, "a=extmap-allow-mixed"));

  const auto video = sectionLines(text, 1);
  EXPECT_EQ(video[0], "m=video 9 UDP/TLS/RTP/SAVPF 120 124 121 125 99 100");
  EXPECT_EQ(countPrefix(video, "a=rtpmap:122 "), 0u);
  EXPECT_EQ(countPrefix(video, "a=rtpmap:123 "), 0u);
  EXPECT_TRUE(has(video, "a=fmtp:124 apt=120"));
  EXPECT_TRUE(has(video, "a=rtpmap:99 AV1/90000"));
  // Firefox's one-way extensions get the mirrored direction.
  EXPECT_TRUE(has(video, "a=extmap:6/sendonly " + std::string(uri::kPlayoutDelay)));
  EXPECT_TRUE(has(video, "a=extmap:9/recvonly " + std::string(uri::kRid)));
  EXPECT_TRUE(has(video, "a=extmap:10/recvonly " + std::string(uri::kRepairedRid)));
  EXPECT_TRUE(has(video, "a=extmap:4 " + std::string(uri::kAbsSendTime)));
  EXPECT_TRUE(has(video, "a=rid:q recv"));
  EXPECT_TRUE(has(video, "a=simulcast:recv q;h;f"));
  EXPECT_TRUE(has(video, "a=recvonly"));
  EXPECT_TRUE(has(video, "a=setup:passive"));

  EXPECT_EQ(answer->remoteIceUfrag, "c49f71f7");
  EXPECT_EQ(answer->remoteFingerprint.value.substr(0, 5), "2C:C3");
  const NegotiatedMedia& v = answer->media[1];
  EXPECT_EQ(v.rtxToApt.at(124), 120);
  EXPECT_EQ(v.rtxToApt.at(100), 99);
  EXPECT_EQ(v.extensionIds.at(std::string(uri::kTransportWideCc)), 7);
  ASSERT_EQ(v.remoteStreams.size(), 3u);
  EXPECT_EQ(v.remoteStreams[0].ssrc, 1797258133u);
  EXPECT_EQ(v.remoteStreams[0].rtxSsrc, 1810437701u);
  EXPECT_EQ(v.remoteStreams[2].ssrc, 151009346u);
  EXPECT_EQ(v.remoteStreams[2].rtxSsrc, 437486900u);
  EXPECT_EQ(v.remoteStreams[1].streamId, "{61da3f24-3404-46fb-b5e4-c9e71833a708}");
  EXPECT_EQ(v.remoteRids, (std::vector<std::string>{"q", "h", "f"}));
}

TEST(SdpNegotiation, OwnAnswerReparsesWithEveryMidBundled) {
  for (const char* file : {"chromium-offer-simulcast.sdp", "firefox-offer-simulcast.sdp"}) {
    auto answer = negotiateAnswer(offerFrom(file), localParameters());
    ASSERT_TRUE(answer.ok()) << answer.error();
    auto reparsed = parse(write(answer->description));
    ASSERT_TRUE(reparsed.ok()) << file << ": " << reparsed.error();
    EXPECT_TRUE(reparsed->iceLite);
    EXPECT_EQ(reparsed->bundleMids, (std::vector<std::string>{"0", "1"}));
    for (const MediaSection& m : reparsed->media) {
      EXPECT_TRUE(reparsed->isBundled(m.mid));
      EXPECT_EQ(m.setup, Setup::Passive);
      EXPECT_TRUE(m.rtcpMux);
      EXPECT_EQ(m.fingerprint->value, kOurFingerprint);
      ASSERT_EQ(m.candidates.size(), 2u);
      EXPECT_EQ(m.candidates[1].tcpType, "passive");
      for (const Codec& codec : m.codecs) {
        EXPECT_NE(codec.name, "red");
        EXPECT_NE(codec.name, "ulpfec");
      }
    }
    EXPECT_EQ(reparsed->media[1].codecs[0].name, "VP8");
  }
}

TEST(SdpNegotiation, EchoesOnSendrecvWhenWeSend) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  offer.media[0].direction = Direction::SendRecv;
  offer.media[1].direction = Direction::SendRecv;
  LocalParameters local = localParameters();
  local.senders.push_back({"1", 11111111, 22222222, "treffcname", "echo", "echo-video"});
  auto answer = negotiateAnswer(offer, local);
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->media[0].direction, Direction::RecvOnly);
  EXPECT_EQ(answer->media[1].direction, Direction::SendRecv);
  const std::string text = write(answer->description);
  const auto video = sectionLines(text, 1);
  EXPECT_TRUE(has(video, "a=sendrecv"));
  EXPECT_TRUE(has(video, "a=msid:echo echo-video"));
  EXPECT_TRUE(has(video, "a=ssrc-group:FID 11111111 22222222"));
  EXPECT_TRUE(has(video, "a=ssrc:11111111 cname:treffcname"));
  EXPECT_TRUE(has(video, "a=ssrc:22222222 msid:echo echo-video"));
  EXPECT_TRUE(has(linesOf(text), "a=msid-semantic: WMS echo"));
  EXPECT_EQ(countPrefix(sectionLines(text, 0), "a=ssrc"), 0u);
}

TEST(SdpNegotiation, RecvonlyOfferWithoutSenderBecomesInactive) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  offer.media[0].direction = Direction::RecvOnly;
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->media[0].direction, Direction::Inactive);
}

TEST(SdpNegotiation, RejectsUnencryptedOffer) {
  auto answer =
      negotiateAnswer(offerFrom("chromium-offer-simulcast-unencrypted.sdp"), localParameters());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("a=fingerprint"), std::string::npos) << answer.error();
  EXPECT_NE(answer.error().find("DTLS"), std::string::npos) << answer.error();
}

TEST(SdpNegotiation, RejectsPlainRtpProfileEvenWithFingerprint) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  offer.media[0].proto = "RTP/AVPF";
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("RTP/AVPF"), std::string::npos) << answer.error();
}

TEST(SdpNegotiation, RejectsOfferWithoutBundle) {
  SessionDescription offer = offerFrom("firefox-offer-simulcast.sdp");
  offer.bundleMids.clear();
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("BUNDLE"), std::string::npos) << answer.error();
}

TEST(SdpNegotiation, RejectsOfferWithoutRtcpMux) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  offer.media[1].rtcpMux = false;
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("rtcp-mux"), std::string::npos) << answer.error();
  EXPECT_NE(answer.error().find("mid 1"), std::string::npos) << answer.error();
}

TEST(SdpNegotiation, RejectsOffererThatWantsToBeDtlsServer) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  for (MediaSection& m : offer.media) m.setup = Setup::Passive;
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_FALSE(answer.ok());
  EXPECT_NE(answer.error().find("setup:passive"), std::string::npos) << answer.error();
}

TEST(SdpNegotiation, RejectsDataChannelAndUnknownSectionsWithPortZero) {
  std::string text = readTestSdp("chromium-offer-simulcast.sdp");
  text.replace(text.find("a=group:BUNDLE 0 1"), 18, "a=group:BUNDLE 0 1 2 3");
  text +=
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:2\r\n"
      "a=sctp-port:5000\r\na=rtcp-mux\r\n"
      "m=text 9 UDP/TLS/RTP/SAVPF 98\r\na=rtpmap:98 t140/1000\r\na=mid:3\r\na=rtcp-mux\r\n";
  auto offer = parse(text);
  ASSERT_TRUE(offer.ok()) << offer.error();
  auto answer = negotiateAnswer(*offer, localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  const std::string written = write(answer->description);
  EXPECT_TRUE(has(linesOf(written), "a=group:BUNDLE 0 1"));
  EXPECT_EQ(sectionLines(written, 2)[0], "m=application 0 UDP/DTLS/SCTP webrtc-datachannel");
  EXPECT_TRUE(has(sectionLines(written, 2), "a=mid:2"));
  EXPECT_EQ(sectionLines(written, 3)[0], "m=text 0 UDP/TLS/RTP/SAVPF 98");
  EXPECT_FALSE(answer->media[2].accepted);
  EXPECT_NE(answer->media[2].rejectReason.find("data channel"), std::string::npos);
  EXPECT_FALSE(answer->media[3].accepted);
  auto reparsed = parse(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(reparsed->media[2].port, 0);
}

TEST(SdpNegotiation, RejectsSectionWithoutUsableCodecAndFailsWhenNothingIsUsable) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  // Leave only RED and ULPFEC in the video section.
  auto& codecs = offer.media[1].codecs;
  codecs.erase(std::remove_if(codecs.begin(), codecs.end(),
                              [](const Codec& c) { return c.name != "red" && c.name != "ulpfec"; }),
               codecs.end());
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_TRUE(answer->media[0].accepted);
  EXPECT_FALSE(answer->media[1].accepted);
  EXPECT_EQ(answer->description.bundleMids, (std::vector<std::string>{"0"}));
  EXPECT_EQ(answer->description.media[1].port, 0);

  offer.media[0].codecs.erase(offer.media[0].codecs.begin());  // drop Opus
  auto none = negotiateAnswer(offer, localParameters());
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().find("nothing Treff can use"), std::string::npos) << none.error();
  EXPECT_NE(none.error().find("no codec"), std::string::npos) << none.error();
}

TEST(SdpNegotiation, AcceptsBundleOnlySectionWithPortZero) {
  std::string text = readTestSdp("firefox-offer-simulcast.sdp");
  // Firefox with bundlePolicy max-bundle: later sections carry port 0 and a=bundle-only.
  const size_t video = text.find("m=video 9 ");
  text.replace(video, 10, "m=video 0 ");
  text.insert(text.find("a=mid:1\r\n"), "a=bundle-only\r\n");
  auto offer = parse(text);
  ASSERT_TRUE(offer.ok()) << offer.error();
  EXPECT_TRUE(offer->media[1].bundleOnly);
  EXPECT_EQ(offer->media[1].port, 0);
  auto answer = negotiateAnswer(*offer, localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_TRUE(answer->media[1].accepted);
  EXPECT_EQ(answer->description.media[1].port, 9);
  EXPECT_FALSE(answer->description.media[1].bundleOnly);

  offer->media[1].bundleOnly = false;  // now a plain port 0: the offerer rejected it
  auto rejected = negotiateAnswer(*offer, localParameters());
  ASSERT_TRUE(rejected.ok()) << rejected.error();
  EXPECT_FALSE(rejected->media[1].accepted);
  EXPECT_EQ(rejected->description.bundleMids, (std::vector<std::string>{"0"}));
}

TEST(SdpNegotiation, BundleTagComesFromTheOffer) {
  SessionDescription offer = offerFrom("chromium-offer-simulcast.sdp");
  offer.bundleMids = {"1", "0"};
  auto answer = negotiateAnswer(offer, localParameters());
  ASSERT_TRUE(answer.ok()) << answer.error();
  EXPECT_EQ(answer->description.bundleMids, (std::vector<std::string>{"1", "0"}));
}

}  // namespace
}  // namespace treff::sdp
