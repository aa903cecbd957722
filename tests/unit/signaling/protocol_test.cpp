#include "signaling/protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace treff::signaling {
namespace {

ProtocolError errorOf(std::string_view text) {
  auto parsed = parseClientMessage(text);
  EXPECT_TRUE(std::holds_alternative<ProtocolError>(parsed)) << text;
  return std::holds_alternative<ProtocolError>(parsed) ? std::get<ProtocolError>(parsed)
                                                       : ProtocolError{};
}

TEST(Protocol, ParsesAnEchoOffer) {
  auto parsed = parseClientMessage(R"({"type":"echo.offer","version":1,"sdp":"v=0\r\n"})");
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed));
  const auto& offer = std::get<EchoOffer>(std::get<ClientMessage>(parsed));
  EXPECT_EQ(offer.sdp, "v=0\r\n");
}

TEST(Protocol, ParsesAnEchoRestart) {
  auto parsed = parseClientMessage(R"({"type":"echo.restart","sdp":"v=0\r\n"})");
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed));
  EXPECT_EQ(std::get<EchoRestart>(std::get<ClientMessage>(parsed)).sdp, "v=0\r\n");
}

TEST(Protocol, RejectsMalformedAndHostileMessagesWithACode) {
  EXPECT_EQ(errorOf("{not json").code, "bad-json");
  EXPECT_EQ(errorOf("[1,2]").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"sdp":"x"})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":42})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer"})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer","sdp":7})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"launch.missiles"})").code, "unknown-type");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer","version":99,"sdp":""})").code, "unsupported-version");
  std::string deep(100000, '[');
  EXPECT_EQ(errorOf(deep).code, "bad-json");
  std::string huge = R"({"type":"echo.offer","sdp":")" + std::string(kMaxSdpBytes + 1, 'a') + "\"}";
  EXPECT_EQ(errorOf(huge).code, "bad-message");
}

TEST(Protocol, EncodesAnswersAndErrorsAsJson) {
  auto answer = nlohmann::json::parse(encodeEchoAnswer("v=0\r\n"));
  EXPECT_EQ(answer["type"], "echo.answer");
  EXPECT_EQ(answer["sdp"], "v=0\r\n");
  // Invalid UTF-8 from a hostile offer must not break the encoder.
  auto error = nlohmann::json::parse(encodeError("bad-offer", "line \xff\xfe"));
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "bad-offer");
}

}  // namespace
}  // namespace treff::signaling

namespace treff::signaling {
namespace {

template <typename T>
T messageOf(std::string_view text) {
  auto parsed = parseClientMessage(text);
  EXPECT_TRUE(std::holds_alternative<ClientMessage>(parsed))
      << text << " -> " << std::get<ProtocolError>(parsed).message;
  return std::get<T>(std::get<ClientMessage>(parsed));
}

TEST(Protocol, ParsesAViewOfTilesPinsAndLastN) {
  auto v = messageOf<View>(
      R"({"type":"view","tiles":[{"participant":"ab12","source":"camera","width":640,)"
      R"("height":360},{"participant":"cd34","source":"screen","width":1920,"height":1080}],)"
      R"("pinned":["cd34"],"lastN":4})");
  ASSERT_EQ(v.tiles.size(), 2u);
  EXPECT_EQ(v.tiles[0].participant, "ab12");
  EXPECT_EQ(v.tiles[0].source, TrackSource::Camera);
  EXPECT_EQ(v.tiles[0].width, 640u);
  EXPECT_EQ(v.tiles[0].height, 360u);
  EXPECT_EQ(v.tiles[1].source, TrackSource::Screen);
  ASSERT_EQ(v.pinned.size(), 1u);
  EXPECT_EQ(v.pinned[0], "cd34");
  EXPECT_EQ(v.lastN, 4);
  auto bare = messageOf<View>(R"({"type":"view","tiles":[]})");
  EXPECT_TRUE(bare.tiles.empty());
  EXPECT_FALSE(bare.lastN);
}

TEST(Protocol, RejectsHostileViews) {
  std::string many = R"({"type":"view","tiles":[)";
  for (int i = 0; i < 65; ++i) {
    many +=
        std::string(i ? "," : "") + R"({"participant":"p","source":"camera","width":1,"height":1})";
  }
  many += "]}";
  for (std::string_view text : {
           std::string_view(R"({"type":"view"})"),
           std::string_view(R"({"type":"view","tiles":{}})"),
           std::string_view(R"({"type":"view","tiles":[{"participant":"p","source":"microphone",)"
                            R"("width":1,"height":1}]})"),
           std::string_view(R"({"type":"view","tiles":[{"participant":"p","source":"camera",)"
                            R"("width":-1,"height":1}]})"),
           std::string_view(R"({"type":"view","tiles":[{"participant":"p","source":"camera",)"
                            R"("width":99999,"height":1}]})"),
           std::string_view(R"({"type":"view","tiles":[{"participant":"p","source":"camera",)"
                            R"("width":1.5,"height":1}]})"),
           std::string_view(R"({"type":"view","tiles":[],"pinned":[7]})"),
           std::string_view(R"({"type":"view","tiles":[],"lastN":-1})"),
           std::string_view(R"({"type":"view","tiles":[],"lastN":"all"})"),
           std::string_view(many),
       }) {
    auto parsed = parseClientMessage(text);
    ASSERT_TRUE(std::holds_alternative<ProtocolError>(parsed)) << text;
    EXPECT_EQ(std::get<ProtocolError>(parsed).code, "bad-message") << text;
  }
}

TEST(Protocol, EncodesSpeakerForwardingAndLayerMessages) {
  EXPECT_EQ(encodeDominantSpeaker("ab12"), R"({"participant":"ab12","type":"dominant-speaker"})");
  EXPECT_EQ(encodeForwarding({{"ab12", TrackSource::Camera}}),
            R"({"paused":[{"participant":"ab12","source":"camera"}],"type":"forwarding"})");
  EXPECT_EQ(encodeForwarding({}), R"({"paused":[],"type":"forwarding"})");
  EXPECT_EQ(encodeLayers(TrackSource::Camera, {true, true, false}),
            R"({"active":[true,true,false],"source":"camera","type":"layers"})");
}

TEST(Protocol, ParsesJoinWithTrimmedNameAndOptionalResume) {
  auto join = messageOf<Join>(
      R"({"type":"join","version":1,"meeting":"quiet-otter-42","name":"  Ada Lovelace "})");
  EXPECT_EQ(join.meeting, "quiet-otter-42");
  EXPECT_EQ(join.name, "Ada Lovelace");
  EXPECT_FALSE(join.resume);
  auto resumed = messageOf<Join>(
      R"({"type":"join","meeting":"m","name":"Jörg","resume":{"participant":"p1","secret":"s"}})");
  ASSERT_TRUE(resumed.resume);
  EXPECT_EQ(resumed.resume->participant, "p1");
  EXPECT_EQ(resumed.name, "Jörg");
}

TEST(Protocol, JoinCarriesTheBrowsersVideoCodecsInCanonicalSpelling) {
  auto join = messageOf<Join>(
      R"({"type":"join","meeting":"m","name":"a","videoCodecs":["vp8","VP9","h264","H265","VP9","AV1"]})");
  // Unknown codecs are skipped (newer clients may know more), repeats dropped, names canonical.
  EXPECT_EQ(join.videoCodecs, (std::vector<std::string>{"VP8", "VP9", "H264", "AV1"}));
  EXPECT_TRUE(messageOf<Join>(R"({"type":"join","meeting":"m","name":"a"})").videoCodecs.empty());
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"m","name":"a","videoCodecs":"VP9"})").code,
            "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"m","name":"a","videoCodecs":[9]})").code,
            "bad-message");
  std::string many = R"({"type":"join","meeting":"m","name":"a","videoCodecs":[)";
  for (int i = 0; i < 17; ++i) many += std::string(i ? "," : "") + "\"VP8\"";
  EXPECT_EQ(errorOf(many + "]}").code, "bad-message");
  EXPECT_EQ(canonicalVideoCodec("av1"), "AV1");
  EXPECT_FALSE(canonicalVideoCodec("VP8X"));
}

TEST(Protocol, RejectsBadMeetingNamesAndDisplayNames) {
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"","name":"a"})").code, "bad-meeting");
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"../etc","name":"a"})").code, "bad-meeting");
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"a b","name":"a"})").code, "bad-meeting");
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"ok","name":"   "})").code, "bad-name");
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"ok","name":"a\u0007b"})").code, "bad-name");
  std::string longName(65, 'x');
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"ok","name":")" + longName + "\"}").code,
            "bad-name");
  // 64 characters of two bytes each are still 64 characters.
  std::string umlauts;
  for (int i = 0; i < 64; ++i) umlauts += "ä";
  EXPECT_EQ(messageOf<Join>(R"({"type":"join","meeting":"ok","name":")" + umlauts + "\"}").name,
            umlauts);
  EXPECT_EQ(errorOf(R"({"type":"join","meeting":"ok","name":"a","resume":7})").code, "bad-message");
}

TEST(Protocol, DisplayNamesMustBeValidUtf8WithoutControlCharacters) {
  EXPECT_EQ(normalizeDisplayName("  Zoë  "), "Zoë");
  EXPECT_FALSE(
      normalizeDisplayName("\xff\xfe"
                           "bad"));
  EXPECT_FALSE(normalizeDisplayName("\xc0\xaf"));      // overlong '/'
  EXPECT_FALSE(normalizeDisplayName("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(normalizeDisplayName("caf\xc3"));       // cut in the middle
  EXPECT_FALSE(normalizeDisplayName("tab\there"));
  EXPECT_TRUE(normalizeDisplayName("\xf0\x9f\x8e\xa5 studio"));  // 4-byte UTF-8
}

TEST(Protocol, ParsesPublishAndValidatesItsTracks) {
  auto publish = messageOf<Publish>(
      R"({"type":"publish","sdp":"v=0","tracks":[{"mid":"0","source":"microphone"},{"mid":"1","source":"camera"}]})");
  ASSERT_EQ(publish.tracks.size(), 2u);
  EXPECT_EQ(publish.tracks[1].mid, "1");
  EXPECT_EQ(publish.tracks[1].source, TrackSource::Camera);
  EXPECT_EQ(errorOf(R"({"type":"publish","sdp":"v=0"})").code, "bad-message");
  EXPECT_EQ(
      errorOf(R"({"type":"publish","sdp":"v=0","tracks":[{"mid":"0","source":"radio"}]})").code,
      "bad-message");
  EXPECT_EQ(
      errorOf(
          R"({"type":"publish","sdp":"v=0","tracks":[{"mid":"0","source":"camera"},{"mid":"0","source":"screen"}]})")
          .code,
      "bad-message");
  EXPECT_EQ(
      errorOf(
          R"({"type":"publish","sdp":"v=0","tracks":[{"mid":"0","source":"camera"},{"mid":"1","source":"camera"}]})")
          .code,
      "bad-message");
}

TEST(Protocol, ParsesMuteChatLeaveAndSubscribeMessages) {
  auto mute = messageOf<Mute>(R"({"type":"mute","source":"microphone","muted":true})");
  EXPECT_EQ(mute.source, TrackSource::Microphone);
  EXPECT_TRUE(mute.muted);
  EXPECT_EQ(errorOf(R"({"type":"mute","source":"screen","muted":true})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"mute","source":"camera","muted":"yes"})").code, "bad-message");
  EXPECT_EQ(messageOf<Chat>(R"({"type":"chat","text":"hello\nworld"})").text, "hello\nworld");
  EXPECT_EQ(errorOf(R"({"type":"chat","text":"  "})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"chat","text":")" + std::string(2001, 'a') + "\"}").code,
            "bad-message");
  messageOf<Leave>(R"({"type":"leave"})");
  messageOf<SubscribeRestart>(R"({"type":"subscribe.restart"})");
  EXPECT_EQ(messageOf<SubscribeAnswer>(R"({"type":"subscribe.answer","sdp":"v=0"})").sdp, "v=0");
}

TEST(Protocol, EncodesMeetingMessages) {
  ParticipantInfo ada{"p1", "Ada", false, {{TrackSource::Camera, true}}};
  auto joined = nlohmann::json::parse(encodeJoined(ada, "sec", "m", false, {ada}, "VP9"));
  EXPECT_EQ(joined["type"], "joined");
  EXPECT_EQ(joined["videoCodec"], "VP9");
  EXPECT_EQ(nlohmann::json::parse(encodeVideoCodec("H264")),
            (nlohmann::json{{"type", "video-codec"}, {"videoCodec", "H264"}}));
  EXPECT_EQ(joined["participant"], "p1");
  EXPECT_EQ(joined["participants"][0]["tracks"][0]["source"], "camera");
  EXPECT_EQ(joined["participants"][0]["tracks"][0]["kind"], "video");
  EXPECT_EQ(joined["participants"][0]["tracks"][0]["muted"], true);
  auto offer =
      nlohmann::json::parse(encodeSubscribeOffer("v=0", {{"3", "p1", TrackSource::Microphone}}));
  EXPECT_EQ(offer["tracks"][0]["kind"], "audio");
  EXPECT_EQ(offer["tracks"][0]["mid"], "3");
  auto chat = nlohmann::json::parse(encodeChat("p1", "Ada", "<b>hi</b>", 1700000000000));
  EXPECT_EQ(chat["text"], "<b>hi</b>");  // text stays text; the page never renders it as HTML
  EXPECT_EQ(chat["time"], 1700000000000);
}

}  // namespace
}  // namespace treff::signaling
