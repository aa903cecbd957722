#include <gtest/gtest.h>

#include "sdp/header_extensions.hpp"
#include "sdp/parser.hpp"
#include "sdp_test_files.hpp"

namespace treff::sdp {
namespace {

using testing::readTestSdp;

const Extmap* findExtmap(const MediaSection& m, std::string_view uri) {
  for (const Extmap& e : m.extmaps) {
    if (e.uri == uri) return &e;
  }
  return nullptr;
}

TEST(SdpParser, ParsesChromiumSimulcastOfferSessionLevel) {
  auto parsed = parse(readTestSdp("chromium-offer-simulcast.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const SessionDescription& d = *parsed;
  EXPECT_EQ(d.origin.username, "-");
  EXPECT_EQ(d.origin.sessionId, "422969521503708910");
  EXPECT_EQ(d.origin.sessionVersion, 2u);
  EXPECT_EQ(d.origin.address, "127.0.0.1");
  EXPECT_EQ(d.bundleMids, (std::vector<std::string>{"0", "1"}));
  EXPECT_TRUE(d.extmapAllowMixed);
  EXPECT_FALSE(d.iceLite);
  ASSERT_TRUE(d.msidSemantic.has_value());
  EXPECT_EQ(d.msidSemantic->semantic, "WMS");
  EXPECT_EQ(d.msidSemantic->ids,
            (std::vector<std::string>{"8d379248-d8a8-4ccc-9b8d-49e0bedf41bc"}));
  ASSERT_EQ(d.media.size(), 2u);
}

TEST(SdpParser, ParsesChromiumAudioSection) {
  auto parsed = parse(readTestSdp("chromium-offer-simulcast.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const MediaSection& audio = parsed->media[0];
  EXPECT_EQ(audio.kind, MediaKind::Audio);
  EXPECT_EQ(audio.port, 9);
  EXPECT_EQ(audio.proto, "UDP/TLS/RTP/SAVPF");
  EXPECT_EQ(audio.mid, "0");
  EXPECT_EQ(audio.effectiveDirection(), Direction::SendOnly);
  EXPECT_EQ(audio.iceUfrag, "sVZN");
  EXPECT_EQ(audio.icePwd, "aDzMSnnDbotwDAi3mGVwhGpm");
  EXPECT_EQ(audio.iceOptions, (std::vector<std::string>{"trickle"}));
  ASSERT_TRUE(audio.fingerprint.has_value());
  EXPECT_EQ(audio.fingerprint->algorithm, "sha-256");
  EXPECT_EQ(audio.fingerprint->value,
            "2F:CA:DC:65:0C:BF:5C:1F:60:1A:63:AB:20:5D:FA:67:4E:AA:8D:46:4A:2D:73:D1:8C:05:51:71:"
            "66:35:88:1C");
  EXPECT_EQ(audio.setup, Setup::ActPass);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpReducedSize);
  ASSERT_EQ(audio.codecs.size(), 8u);
  const Codec& opus = audio.codecs[0];
  EXPECT_EQ(opus.payloadType, 111);
  EXPECT_EQ(opus.name, "opus");
  EXPECT_EQ(opus.clockRate, 48000u);
  EXPECT_EQ(opus.channels, 2);
  EXPECT_EQ(opus.fmtp, "minptime=10;useinbandfec=1");
  EXPECT_EQ(opus.fmtpParameter("useinbandfec"), "1");
  EXPECT_EQ(opus.fmtpParameter("minptime"), "10");
  ASSERT_EQ(opus.rtcpFeedback.size(), 1u);
  EXPECT_EQ(opus.rtcpFeedback[0].type, "transport-cc");
  EXPECT_EQ(audio.codecs[1].payloadType, 63);
  EXPECT_EQ(audio.codecs[1].name, "red");
  EXPECT_EQ(audio.codecs[1].fmtpParameters.count("111/111"), 1u);
  EXPECT_EQ(audio.codecs[7].payloadType, 126);
  EXPECT_EQ(audio.codecs[7].name, "telephone-event");
  EXPECT_EQ(audio.codecs[7].clockRate, 8000u);
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.extmaps[0].id, 1);
  EXPECT_EQ(audio.extmaps[0].uri, uri::kAudioLevel);
  EXPECT_EQ(findExtmap(audio, uri::kTransportWideCc)->id, 3);
  EXPECT_EQ(findExtmap(audio, uri::kMid)->id, 4);
  ASSERT_EQ(audio.msids.size(), 1u);
  EXPECT_EQ(audio.msids[0].streamId, "8d379248-d8a8-4ccc-9b8d-49e0bedf41bc");
  EXPECT_EQ(audio.msids[0].trackId, "b9db41f7-c026-440f-b696-47e8d50ab9e1");
  ASSERT_EQ(audio.ssrcs.size(), 2u);
  EXPECT_EQ(audio.ssrcs[0].ssrc, 1422171145u);
  EXPECT_EQ(audio.ssrcs[0].attribute, "cname");
  EXPECT_EQ(audio.ssrcs[0].value, "KbJopYY6trRBum7K");
  EXPECT_EQ(audio.ssrcs[1].attribute, "msid");
  EXPECT_EQ(audio.ssrcs[1].value,
            "8d379248-d8a8-4ccc-9b8d-49e0bedf41bc b9db41f7-c026-440f-b696-47e8d50ab9e1");
}

TEST(SdpParser, ParsesChromiumVideoSectionWithSimulcast) {
  auto parsed = parse(readTestSdp("chromium-offer-simulcast.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const MediaSection& video = parsed->media[1];
  EXPECT_EQ(video.kind, MediaKind::Video);
  EXPECT_EQ(video.mid, "1");
  ASSERT_EQ(video.codecs.size(), 23u);
  EXPECT_EQ(video.codecs[0].payloadType, 96);
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].clockRate, 90000u);
  EXPECT_EQ(video.codecs[0].channels, 0);
  ASSERT_EQ(video.codecs[0].rtcpFeedback.size(), 5u);
  EXPECT_EQ(video.codecs[0].rtcpFeedback[2], (RtcpFeedback{"ccm", "fir"}));
  EXPECT_EQ(video.codecs[0].rtcpFeedback[4], (RtcpFeedback{"nack", "pli"}));
  EXPECT_EQ(video.findCodec(97)->name, "rtx");
  EXPECT_EQ(video.findCodec(97)->fmtpParameter("apt"), "96");
  const Codec* h264 = video.findCodec(108);
  ASSERT_NE(h264, nullptr);
  EXPECT_EQ(h264->name, "H264");
  EXPECT_EQ(h264->fmtpParameter("profile-level-id"), "42e01f");
  EXPECT_EQ(h264->fmtpParameter("packetization-mode"), "1");
  EXPECT_EQ(h264->fmtpParameter("level-asymmetry-allowed"), "1");
  EXPECT_EQ(video.findCodec(45)->name, "AV1");
  EXPECT_EQ(video.findCodec(100)->fmtpParameter("profile-id"), "2");
  EXPECT_EQ(video.findCodec(120)->name, "ulpfec");
  EXPECT_EQ(video.codecs.back().payloadType, 120);
  ASSERT_EQ(video.extmaps.size(), 13u);
  EXPECT_EQ(video.extmaps[0].id, 14);
  EXPECT_EQ(video.extmaps[0].uri, "urn:ietf:params:rtp-hdrext:toffset");
  EXPECT_EQ(findExtmap(video, uri::kRid)->id, 10);
  EXPECT_EQ(findExtmap(video, uri::kRepairedRid)->id, 11);
  EXPECT_EQ(findExtmap(video, uri::kVideoOrientation)->id, 13);
  EXPECT_EQ(findExtmap(video, uri::kPlayoutDelay)->id, 5);
  ASSERT_EQ(video.rids.size(), 3u);
  EXPECT_EQ(video.rids[0].id, "q");
  EXPECT_EQ(video.rids[0].direction, RidDirection::Send);
  EXPECT_EQ(video.rids[2].id, "f");
  ASSERT_TRUE(video.simulcast.has_value());
  ASSERT_EQ(video.simulcast->send.size(), 3u);
  EXPECT_TRUE(video.simulcast->recv.empty());
  EXPECT_EQ(video.simulcast->send[0][0].rid, "q");
  EXPECT_EQ(video.simulcast->send[1][0].rid, "h");
  EXPECT_FALSE(video.simulcast->send[2][0].paused);
  EXPECT_TRUE(video.ssrcs.empty());
  // a=rtcp and a=rtcp-xr are not modelled but kept.
  ASSERT_EQ(video.otherAttributes.size(), 2u);
  EXPECT_EQ(video.otherAttributes[0].name, "rtcp");
  EXPECT_EQ(video.otherAttributes[1].value, "rcvr-rtt=all");
}

TEST(SdpParser, ParsesFirefoxOfferWithSessionLevelFingerprintAndFid) {
  auto parsed = parse(readTestSdp("firefox-offer-simulcast.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const SessionDescription& d = *parsed;
  EXPECT_EQ(d.origin.username, "mozilla...THIS_IS_SDPARTA-99.0");
  EXPECT_EQ(d.origin.sessionId, "2557997697470558507");
  ASSERT_TRUE(d.fingerprint.has_value());
  EXPECT_EQ(d.fingerprint->value.substr(0, 8), "2C:C3:03");
  EXPECT_EQ(d.msidSemantic->ids, (std::vector<std::string>{"*"}));
  ASSERT_EQ(d.media.size(), 2u);
  const MediaSection& audio = d.media[0];
  EXPECT_FALSE(audio.fingerprint.has_value());
  EXPECT_EQ(d.fingerprintFor(audio)->algorithm, "sha-256");
  EXPECT_EQ(d.iceUfragFor(audio), "c49f71f7");
  EXPECT_EQ(d.icePwdFor(audio), "18b109a02b30b41eb463f2b0dde4e0e2");
  EXPECT_TRUE(audio.extmapAllowMixed);
  ASSERT_EQ(audio.codecs.size(), 5u);
  EXPECT_EQ(audio.codecs[0].payloadType, 109);
  EXPECT_EQ(audio.codecs[0].name, "opus");
  // Firefox writes a=fmtp before a=rtpmap; both must land on the codec.
  EXPECT_EQ(audio.codecs[0].fmtpParameter("stereo"), "1");
  EXPECT_EQ(audio.codecs[1].name, "G722");
  EXPECT_EQ(audio.codecs[1].channels, 1);
  EXPECT_EQ(audio.codecs[4].fmtp, "0-15");
  ASSERT_EQ(audio.extmaps.size(), 4u);
  EXPECT_EQ(audio.extmaps[1].id, 2);
  EXPECT_EQ(audio.extmaps[1].direction, Direction::RecvOnly);
  EXPECT_EQ(audio.extmaps[3].id, 7);

  const MediaSection& video = d.media[1];
  ASSERT_EQ(video.codecs.size(), 9u);
  EXPECT_EQ(video.codecs[0].payloadType, 120);
  EXPECT_EQ(video.codecs[0].name, "VP8");
  EXPECT_EQ(video.codecs[0].fmtpParameter("max-fs"), "12288");
  EXPECT_EQ(video.findCodec(124)->fmtpParameter("apt"), "120");
  EXPECT_EQ(video.findCodec(119)->fmtpParameter("apt"), "122");
  EXPECT_EQ(video.findCodec(121)->name, "VP9");
  EXPECT_EQ(video.findCodec(121)->rtcpFeedback.size(), 5u);
  const Extmap& rid = video.extmaps[6];
  EXPECT_EQ(rid.id, 9);
  EXPECT_EQ(rid.uri, uri::kRid);
  EXPECT_EQ(rid.direction, Direction::SendOnly);
  EXPECT_EQ(video.rids.size(), 3u);
  ASSERT_TRUE(video.simulcast.has_value());
  EXPECT_EQ(video.simulcast->send.size(), 3u);
  ASSERT_EQ(video.ssrcs.size(), 6u);
  EXPECT_EQ(video.ssrcs[0].ssrc, 1797258133u);
  EXPECT_EQ(video.ssrcs[0].value, "{8734419c-a13a-4dda-b483-2b834c48724a}");
  ASSERT_EQ(video.ssrcGroups.size(), 3u);
  EXPECT_EQ(video.ssrcGroups[2].semantics, "FID");
  EXPECT_EQ(video.ssrcGroups[2].ssrcs, (std::vector<uint32_t>{151009346u, 437486900u}));
  EXPECT_EQ(video.msids[0].trackId, "{3ebd4701-9e86-4df7-a83e-e337c61b347f}");
}

TEST(SdpParser, ParsesChromiumAnswerSetupActiveRecvonly) {
  auto parsed = parse(readTestSdp("chromium-answer.sdp"));
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->media.size(), 2u);
  EXPECT_EQ(parsed->media[0].setup, Setup::Active);
  EXPECT_EQ(parsed->media[1].effectiveDirection(), Direction::RecvOnly);
  EXPECT_EQ(parsed->media[1].iceUfrag, "k9bV");
  EXPECT_EQ(parsed->media[1].fingerprint->value.substr(0, 5), "27:F1");
}

TEST(SdpParser, ParsesUnencryptedCapturesWithoutFingerprint) {
  for (const char* name :
       {"chromium-offer-simulcast-unencrypted.sdp", "chromium-answer-unencrypted.sdp"}) {
    auto parsed = parse(readTestSdp(name));
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.error();
    ASSERT_EQ(parsed->media.size(), 2u);
    EXPECT_EQ(parsed->media[0].proto, "RTP/AVPF");
    EXPECT_FALSE(parsed->fingerprintFor(parsed->media[0]).has_value());
    EXPECT_FALSE(parsed->media[1].setup.has_value());
  }
  auto offer = parse(readTestSdp("chromium-offer-simulcast-unencrypted.sdp"));
  EXPECT_EQ(offer->media[0].ssrcs[0].ssrc, 425219805u);
  EXPECT_EQ(offer->media[0].iceUfrag, "PeQf");
}

TEST(SdpParser, AcceptsBareNewlines) {
  std::string text = readTestSdp("firefox-offer-simulcast.sdp");
  std::string bare;
  for (char c : text) {
    if (c != '\r') bare += c;
  }
  ASSERT_NE(bare.size(), text.size());
  auto parsed = parse(bare);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->media[1].codecs.size(), 9u);
  EXPECT_EQ(parsed->media[1].ssrcGroups.size(), 3u);
}

TEST(SdpParser, AppliesWildcardRtcpFeedbackToEveryCodec) {
  auto parsed = parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\na=rtpmap:96 VP8/90000\r\na=rtpmap:97 VP9/90000\r\n"
      "a=rtcp-fb:* nack\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  EXPECT_EQ(parsed->media[0].codecs[0].rtcpFeedback, (std::vector<RtcpFeedback>{{"nack", ""}}));
  EXPECT_EQ(parsed->media[0].codecs[1].rtcpFeedback, (std::vector<RtcpFeedback>{{"nack", ""}}));
}

TEST(SdpParser, ParsesCandidatesAndApplicationSection) {
  auto parsed = parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:2\r\na=sctp-port:5000\r\n"
      "a=candidate:1 1 udp 2122260223 192.0.2.7 50000 typ host generation 0\r\n"
      "a=candidate:2 1 TCP 1518280447 192.0.2.7 9 typ host tcptype active\r\n"
      "a=candidate:3 1 udp 1686052607 198.51.100.1 40000 typ srflx raddr 192.0.2.7 rport 50000\r\n"
      "a=end-of-candidates\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const MediaSection& m = parsed->media[0];
  EXPECT_EQ(m.kind, MediaKind::Application);
  EXPECT_EQ(m.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_TRUE(m.codecs.empty());
  ASSERT_EQ(m.candidates.size(), 3u);
  EXPECT_EQ(m.candidates[0].priority, 2122260223u);
  EXPECT_EQ(m.candidates[0].port, 50000);
  EXPECT_EQ(m.candidates[0].extensions[0],
            (std::pair<std::string, std::string>{"generation", "0"}));
  EXPECT_EQ(m.candidates[1].transport, "TCP");
  EXPECT_EQ(m.candidates[1].tcpType, "active");
  EXPECT_EQ(m.candidates[2].type, "srflx");
  EXPECT_EQ(m.candidates[2].relatedAddress, "192.0.2.7");
  EXPECT_EQ(m.candidates[2].relatedPort, 50000);
  EXPECT_TRUE(m.endOfCandidates);
}

TEST(SdpParser, ParsesSimulcastAlternativesAndPausedStreams) {
  auto parsed = parse(
      "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:96 VP8/90000\r\n"
      "a=simulcast:send 1,~4;2;~3 recv c\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const Simulcast& s = *parsed->media[0].simulcast;
  ASSERT_EQ(s.send.size(), 3u);
  ASSERT_EQ(s.send[0].size(), 2u);
  EXPECT_EQ(s.send[0][1].rid, "4");
  EXPECT_TRUE(s.send[0][1].paused);
  EXPECT_FALSE(s.send[0][0].paused);
  EXPECT_TRUE(s.send[2][0].paused);
  ASSERT_EQ(s.recv.size(), 1u);
  EXPECT_EQ(s.recv[0][0].rid, "c");
}

}  // namespace
}  // namespace treff::sdp
