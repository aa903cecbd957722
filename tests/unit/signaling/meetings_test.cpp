// The meeting logic of the control plane against a real media plane: joins, the publish and
// subscribe negotiation, mute, chat, leave, limits, and the reconnection grace.
#include "signaling/meetings.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "meetings_test_support.hpp"
#include "sfu/media_plane.hpp"
#include "util/time.hpp"

namespace treff::signaling {
namespace {

using Json = nlohmann::json;
using FakeConnection = test_support::RecordingSocket;
using test_support::browserAnswerTo;
using test_support::freePort;
using test_support::readFile;

class MeetingsTest : public test_support::MeetingsOnMediaPlane {
 protected:
  void SetUp() override {
    MeetingLimits limits;
    limits.maxParticipantsPerMeeting = 3;
    limits.maxMeetings = 2;
    limits.reconnectGraceMs = 20000;
    startMeetings(limits);
  }

  // Starts over with rooms configured as given.
  void useRooms(RoomSettings rooms) {
    MeetingLimits limits;
    meetings_ = std::make_unique<Meetings>(*media_, limits, std::move(rooms));
  }

  std::shared_ptr<FakeConnection> connect() { return std::make_shared<FakeConnection>(++ids_); }

  void say(const std::shared_ptr<FakeConnection>& c, const std::string& json) {
    auto parsed = parseClientMessage(json);
    ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed)) << json;
    meetings_->onMessage(c, std::get<ClientMessage>(parsed));
  }

  std::shared_ptr<FakeConnection> join(const std::string& meeting, const std::string& name) {
    auto c = connect();
    say(c, Json{{"type", "join"}, {"meeting", meeting}, {"name", name}}.dump());
    return c;
  }

  std::shared_ptr<FakeConnection> joinWithCodecs(const std::string& meeting,
                                                 const std::string& name, Json codecs) {
    auto c = connect();
    say(c, Json{{"type", "join"}, {"meeting", meeting}, {"name", name}, {"videoCodecs", codecs}}
               .dump());
    return c;
  }

  void publishCameraAndMicrophone(const std::shared_ptr<FakeConnection>& c) {
    std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
    say(c, Json{{"type", "publish"},
                {"sdp", offer},
                {"tracks", Json::array({Json{{"mid", "0"}, {"source", "microphone"}},
                                        Json{{"mid", "1"}, {"source", "camera"}}})}}
               .dump());
  }

  uint64_t ids_ = 0;
};

TEST_F(MeetingsTest, JoinTellsEachSideAboutTheOther) {
  auto ada = join("standup", "Ada");
  ASSERT_EQ(ada->of("joined").size(), 1u);
  EXPECT_EQ(ada->of("joined")[0]["participants"].size(), 0u);
  std::string adaId = ada->of("joined")[0]["participant"];
  EXPECT_FALSE(ada->of("joined")[0]["secret"].get<std::string>().empty());

  auto bob = join("standup", "Bob");
  auto joined = bob->of("joined");
  ASSERT_EQ(joined.size(), 1u);
  ASSERT_EQ(joined[0]["participants"].size(), 1u);
  EXPECT_EQ(joined[0]["participants"][0]["id"], adaId);
  EXPECT_EQ(joined[0]["participants"][0]["name"], "Ada");
  ASSERT_EQ(ada->of("participant.joined").size(), 1u);
  EXPECT_EQ(ada->of("participant.joined")[0]["participant"]["name"], "Bob");
  EXPECT_EQ(meetings_->meetingCount(), 1u);
}

TEST_F(MeetingsTest, RoomEventsReachTheRightPeople) {
  auto ada = join("standup", "Ada");
  auto bob = join("standup", "Bob");
  std::string adaId = ada->of("joined")[0]["participant"];
  std::string bobId = bob->of("joined")[0]["participant"];
  const uint64_t room = meetings_->roomOf("standup");
  ASSERT_NE(room, 0u);
  EXPECT_EQ(meetings_->roomOf("elsewhere"), 0u);

  // The dominant speaker goes to everyone, once per change.
  sfu::RoomEvent speaker;
  speaker.kind = sfu::RoomEvent::Kind::DominantSpeaker;
  speaker.participant = adaId;
  meetings_->onRoomEvent(room, speaker);
  meetings_->onRoomEvent(room, speaker);
  ASSERT_EQ(ada->of("dominant-speaker").size(), 1u);
  ASSERT_EQ(bob->of("dominant-speaker").size(), 1u);
  EXPECT_EQ(bob->of("dominant-speaker")[0]["participant"], adaId);
  // Who joins later learns who speaks.
  auto cleo = join("standup", "Cleo");
  ASSERT_EQ(cleo->of("dominant-speaker").size(), 1u);
  EXPECT_EQ(cleo->of("dominant-speaker")[0]["participant"], adaId);

  // What a subscriber is not sent goes to that subscriber only.
  sfu::RoomEvent forwarding;
  forwarding.kind = sfu::RoomEvent::Kind::Forwarding;
  forwarding.participant = bobId;
  forwarding.paused = {{adaId, sfu::Source::Camera}};
  meetings_->onRoomEvent(room, forwarding);
  ASSERT_EQ(bob->of("forwarding").size(), 1u);
  EXPECT_EQ(bob->of("forwarding")[0]["paused"][0]["participant"], adaId);
  EXPECT_EQ(bob->of("forwarding")[0]["paused"][0]["source"], "camera");
  EXPECT_TRUE(ada->of("forwarding").empty());

  // The layers a publisher must send go to that publisher.
  sfu::RoomEvent layers;
  layers.kind = sfu::RoomEvent::Kind::PublisherLayers;
  layers.participant = adaId;
  layers.source = sfu::Source::Camera;
  layers.neededLayer = 1;
  layers.layerCount = 3;
  meetings_->onRoomEvent(room, layers);
  ASSERT_EQ(ada->of("layers").size(), 1u);
  EXPECT_EQ(ada->of("layers")[0]["active"], Json::array({true, true, false}));
  EXPECT_TRUE(bob->of("layers").empty());

  // Events for rooms or people that are gone change nothing.
  meetings_->onRoomEvent(room + 1000, speaker);
  forwarding.participant = "nobody";
  meetings_->onRoomEvent(room, forwarding);
  EXPECT_EQ(ada->of("dominant-speaker").size(), 1u);
}

TEST_F(MeetingsTest, AViewNeedsAJoin) {
  auto stranger = connect();
  say(stranger, R"({"type":"view","tiles":[]})");
  ASSERT_EQ(stranger->of("error").size(), 1u);
  EXPECT_EQ(stranger->of("error")[0]["code"], "not-joined");
  auto ada = join("standup", "Ada");
  say(ada,
      R"({"type":"view","tiles":[{"participant":"x","source":"camera","width":320,"height":180}],"pinned":["x"]})");
  EXPECT_TRUE(ada->of("error").empty());
}

TEST_F(MeetingsTest, PublishingSendsAnAnswerAndOffersTheTracksToOthers) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  publishCameraAndMicrophone(ada);
  auto answers = ada->of("publish.answer");
  ASSERT_EQ(answers.size(), 1u);
  std::string answer = answers[0]["sdp"];
  EXPECT_NE(answer.find("a=ice-lite"), std::string::npos);
  EXPECT_NE(answer.find("a=simulcast:recv q;h;f"), std::string::npos);

  // Bob learns Ada's tracks and gets a subscribe offer for both.
  auto updated = bob->of("participant.updated");
  ASSERT_FALSE(updated.empty());
  EXPECT_EQ(updated.back()["participant"]["tracks"].size(), 2u);
  auto offers = bob->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 1u);
  ASSERT_EQ(offers[0]["tracks"].size(), 2u);
  EXPECT_EQ(offers[0]["tracks"][0]["source"], "microphone");
  EXPECT_EQ(offers[0]["tracks"][1]["source"], "camera");
  std::string offer = offers[0]["sdp"];
  EXPECT_NE(offer.find("a=setup:actpass"), std::string::npos);
  EXPECT_NE(offer.find("a=sendonly"), std::string::npos);
  // Ada receives nothing yet: Bob publishes nothing.
  EXPECT_TRUE(ada->of("subscribe.offer").empty());

  // One offer in flight: a change before the answer waits, then comes as the next offer.
  say(ada,
      R"({"type":"publish","sdp":)" +
          Json(readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp")).dump() +
          R"(,"tracks":[{"mid":"0","source":"microphone"}]})");
  EXPECT_EQ(bob->of("subscribe.offer").size(), 1u);
  say(bob, Json{{"type", "subscribe.answer"}, {"sdp", browserAnswerTo(offer)}}.dump());
  EXPECT_TRUE(bob->of("error").empty()) << bob->of("error")[0].dump();
  offers = bob->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 2u);
  ASSERT_EQ(offers[1]["tracks"].size(), 1u);
  EXPECT_EQ(offers[1]["tracks"][0]["source"], "microphone");
  // The camera's m-section stays, inactive, for reuse.
  std::string second = offers[1]["sdp"];
  EXPECT_NE(second.find("a=inactive"), std::string::npos);
}

// The media codec names of the first video m-section, in the order written (no rtx, red, fec).
std::vector<std::string> videoCodecsOf(const std::string& sdp) {
  std::vector<std::string> out;
  std::stringstream in(sdp);
  std::string line;
  bool inVideo = false;
  std::regex rtpmap(R"(^a=rtpmap:\d+ ([A-Za-z0-9]+)/)");
  while (std::getline(in, line)) {
    if (line.rfind("m=", 0) == 0) {
      if (inVideo) break;
      inVideo = line.rfind("m=video", 0) == 0;
    }
    std::smatch m;
    if (inVideo && std::regex_search(line, m, rtpmap)) {
      std::string name = m[1];
      if (name != "rtx" && name != "red" && name != "ulpfec") out.push_back(name);
    }
  }
  return out;
}

TEST_F(MeetingsTest, ARoomUsesItsCodecWhileEveryBrowserHasItAndVp8Otherwise) {
  useRooms(RoomSettings{"VP9"});
  const Json all = Json::array({"VP8", "VP9", "H264", "AV1"});
  auto ada = joinWithCodecs("m", "Ada", all);
  EXPECT_EQ(ada->of("joined")[0]["videoCodec"], "VP9");
  publishCameraAndMicrophone(ada);
  ASSERT_EQ(ada->of("publish.answer").size(), 1u);
  // The answer's first video codec is what Chromium sends.
  EXPECT_EQ(videoCodecsOf(ada->of("publish.answer")[0]["sdp"]),
            (std::vector<std::string>{"VP9", "VP8"}));

  // Bob's browser has only VP8: the room falls back, and Ada is told so.
  auto bob = joinWithCodecs("m", "Bob", Json::array({"VP8"}));
  EXPECT_EQ(bob->of("joined")[0]["videoCodec"], "VP8");
  ASSERT_EQ(ada->of("video-codec").size(), 1u);
  EXPECT_EQ(ada->of("video-codec")[0]["videoCodec"], "VP8");
  EXPECT_TRUE(bob->of("video-codec").empty()) << "the joiner learns it from 'joined'";
  // Ada's next offer is answered with VP8 alone.
  publishCameraAndMicrophone(ada);
  ASSERT_EQ(ada->of("publish.answer").size(), 2u);
  EXPECT_EQ(videoCodecsOf(ada->of("publish.answer")[1]["sdp"]), std::vector<std::string>{"VP8"});
  // Bob is offered the room's codec and VP8; his browser keeps what it can decode.
  ASSERT_EQ(bob->of("subscribe.offer").size(), 1u);
  EXPECT_EQ(videoCodecsOf(bob->of("subscribe.offer")[0]["sdp"]),
            (std::vector<std::string>{"VP9", "VP8"}));

  // A WHIP publisher (no browser) does not hold the room back; a client that names no codecs
  // is taken to have VP8 only.
  say(bob, R"({"type":"leave"})");
  ASSERT_EQ(ada->of("video-codec").size(), 2u);
  EXPECT_EQ(ada->of("video-codec")[1]["videoCodec"], "VP9");
  auto whip = meetings_->whipPublish(
      "m", "OBS", readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp"));
  EXPECT_EQ(whip.status, 201) << whip.error;
  EXPECT_EQ(videoCodecsOf(whip.answer), (std::vector<std::string>{"VP9", "VP8"}));
  EXPECT_EQ(ada->of("video-codec").size(), 2u);
  auto old = join("m", "Old client");
  EXPECT_EQ(old->of("joined")[0]["videoCodec"], "VP8");
  EXPECT_EQ(ada->of("video-codec").back()["videoCodec"], "VP8");
}

TEST_F(MeetingsTest, Vp8RoomsAnswerAndOfferVp8Only) {
  auto ada = joinWithCodecs("m", "Ada", Json::array({"VP8", "VP9", "H264", "AV1"}));
  EXPECT_EQ(ada->of("joined")[0]["videoCodec"], "VP8");
  auto bob = join("m", "Bob");
  publishCameraAndMicrophone(ada);
  EXPECT_EQ(videoCodecsOf(ada->of("publish.answer")[0]["sdp"]), std::vector<std::string>{"VP8"});
  EXPECT_EQ(videoCodecsOf(bob->of("subscribe.offer")[0]["sdp"]), std::vector<std::string>{"VP8"});
  EXPECT_TRUE(ada->of("video-codec").empty());
  EXPECT_THROW(Meetings(*media_, MeetingLimits{}, RoomSettings{"H265"}), std::invalid_argument);
}

TEST_F(MeetingsTest, AnIceRestartWaitsForTheOfferInFlight) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  publishCameraAndMicrophone(ada);
  ASSERT_EQ(bob->of("subscribe.offer").size(), 1u);
  std::string first = bob->of("subscribe.offer")[0]["sdp"];
  // Bob asks for an ICE restart before answering: his answer to the first offer still counts.
  say(bob, R"({"type":"subscribe.restart"})");
  EXPECT_EQ(bob->of("subscribe.offer").size(), 1u);
  say(bob, Json{{"type", "subscribe.answer"}, {"sdp", browserAnswerTo(first)}}.dump());
  EXPECT_TRUE(bob->of("error").empty());
  auto offers = bob->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 2u);
  std::smatch a, b;
  std::string second = offers[1]["sdp"];
  std::regex ufrag("a=ice-ufrag:(\\S+)");
  ASSERT_TRUE(std::regex_search(first, a, ufrag));
  ASSERT_TRUE(std::regex_search(second, b, ufrag));
  EXPECT_NE(a[1].str(), b[1].str());
}

TEST_F(MeetingsTest, AStereoSenderIsOfferedAsStereo) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  offer.replace(offer.find("a=fmtp:111 minptime=10;useinbandfec=1"), 37,
                "a=fmtp:111 minptime=10;useinbandfec=1;stereo=1;sprop-stereo=1");
  say(ada, Json{{"type", "publish"},
                {"sdp", offer},
                {"tracks", Json::array({Json{{"mid", "0"}, {"source", "microphone"}}})}}
               .dump());
  auto answer = ada->of("publish.answer");
  ASSERT_EQ(answer.size(), 1u);
  EXPECT_NE(answer[0]["sdp"].get<std::string>().find("stereo=1"), std::string::npos);
  auto offers = bob->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_NE(offers[0]["sdp"].get<std::string>().find("stereo=1"), std::string::npos);

  // A mono sender is offered as mono.
  auto cy = join("n", "Cy");
  auto dee = join("n", "Dee");
  publishCameraAndMicrophone(cy);
  ASSERT_EQ(dee->of("subscribe.offer").size(), 1u);
  EXPECT_EQ(dee->of("subscribe.offer")[0]["sdp"].get<std::string>().find("stereo=1"),
            std::string::npos);
}

TEST_F(MeetingsTest, MuteChatAndLeaveReachTheOthers) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  publishCameraAndMicrophone(ada);
  say(ada, R"({"type":"mute","source":"microphone","muted":true})");
  auto updated = bob->of("participant.updated").back()["participant"];
  EXPECT_EQ(updated["tracks"][0]["source"], "microphone");
  EXPECT_EQ(updated["tracks"][0]["muted"], true);

  say(bob, R"({"type":"chat","text":"hello <b>all</b>"})");
  ASSERT_EQ(ada->of("chat").size(), 1u);
  EXPECT_EQ(ada->of("chat")[0]["text"], "hello <b>all</b>");
  EXPECT_EQ(ada->of("chat")[0]["name"], "Bob");
  EXPECT_EQ(bob->of("chat").size(), 1u);  // the sender sees its message come back

  std::string adaId = ada->of("joined")[0]["participant"];
  say(ada, R"({"type":"leave"})");
  EXPECT_TRUE(ada->closed);
  ASSERT_EQ(bob->of("participant.left").size(), 1u);
  EXPECT_EQ(bob->of("participant.left")[0]["participant"], adaId);
  // After leaving, the socket is no longer in the meeting.
  say(ada, R"({"type":"chat","text":"ghost"})");
  EXPECT_EQ(ada->of("error").back()["code"], "not-joined");
  EXPECT_EQ(bob->of("chat").size(), 1u);
}

TEST_F(MeetingsTest, FullMeetingsAndServersSaySo) {
  join("m", "A");
  join("m", "B");
  join("m", "C");
  auto d = join("m", "D");
  ASSERT_EQ(d->of("error").size(), 1u);
  EXPECT_EQ(d->of("error")[0]["code"], "meeting-full");
  join("n", "E");
  auto f = join("o", "F");
  EXPECT_EQ(f->of("error")[0]["code"], "server-full");
}

TEST_F(MeetingsTest, ALostSocketIsReconnectingUntilResumeOrGraceEnd) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  std::string adaId = ada->of("joined")[0]["participant"];
  std::string secret = ada->of("joined")[0]["secret"];
  meetings_->onClose(ada);
  auto updated = bob->of("participant.updated");
  ASSERT_FALSE(updated.empty());
  EXPECT_EQ(updated.back()["participant"]["reconnecting"], true);
  EXPECT_TRUE(bob->of("participant.left").empty());

  // A wrong secret does not take over the participant.
  auto thief = connect();
  say(thief, Json{{"type", "join"},
                  {"meeting", "m"},
                  {"name", "Ada"},
                  {"resume", {{"participant", adaId}, {"secret", "guess"}}}}
                 .dump());
  EXPECT_EQ(thief->of("error")[0]["code"], "resume-failed");

  auto again = connect();
  say(again, Json{{"type", "join"},
                  {"meeting", "m"},
                  {"name", "Ada"},
                  {"resume", {{"participant", adaId}, {"secret", secret}}}}
                 .dump());
  auto joined = again->of("joined");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0]["participant"], adaId);
  EXPECT_EQ(joined[0]["resumed"], true);
  EXPECT_EQ(bob->of("participant.updated").back()["participant"]["reconnecting"], false);

  // Lost again, and the grace runs out: then the others see a leave.
  meetings_->onClose(again);
  meetings_->onTick(util::nowMs() + 19000);
  EXPECT_TRUE(bob->of("participant.left").empty());
  meetings_->onTick(util::nowMs() + 21000);
  ASSERT_EQ(bob->of("participant.left").size(), 1u);
  auto late = connect();
  say(late, Json{{"type", "join"},
                 {"meeting", "m"},
                 {"name", "Ada"},
                 {"resume", {{"participant", adaId}, {"secret", secret}}}}
                .dump());
  EXPECT_EQ(late->of("error")[0]["code"], "resume-failed");
}

TEST_F(MeetingsTest, MessagesBeforeJoinAndBadOffersGetErrors) {
  auto c = connect();
  say(c, R"({"type":"chat","text":"hi"})");
  EXPECT_EQ(c->of("error")[0]["code"], "not-joined");
  auto ada = join("m", "Ada");
  say(ada, R"({"type":"publish","sdp":"not sdp","tracks":[]})");
  EXPECT_EQ(ada->of("error").back()["code"], "bad-offer");
  // A track that names an m-section the offer does not send on.
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  say(ada, Json{{"type", "publish"},
                {"sdp", offer},
                {"tracks", Json::array({Json{{"mid", "7"}, {"source", "camera"}}})}}
               .dump());
  EXPECT_EQ(ada->of("error").back()["code"], "bad-offer");
  say(ada, R"({"type":"subscribe.answer","sdp":"v=0"})");
  EXPECT_EQ(ada->of("error").back()["code"], "no-offer");
  say(ada, R"({"type":"join","meeting":"m","name":"Again"})");
  EXPECT_EQ(ada->of("error").back()["code"], "already-joined");
}

TEST_F(MeetingsTest, AWhipPublisherJoinsWithoutASocketAndLeavesOnDelete) {
  auto ada = join("m", "Ada");
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  WhipResult result = meetings_->whipPublish("m", "Studio feed", offer);
  ASSERT_EQ(result.status, 201) << result.error;
  EXPECT_NE(result.answer.find("a=ice-lite"), std::string::npos);
  EXPECT_FALSE(result.resource.empty());
  auto joined = ada->of("participant.joined");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_EQ(joined[0]["participant"]["name"], "Studio feed");
  // Its audio and video are offered to the others like anyone's microphone and camera.
  auto offers = ada->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["tracks"].size(), 2u);

  EXPECT_FALSE(meetings_->whipDelete("other-meeting", result.resource));
  EXPECT_FALSE(meetings_->whipDelete("m", "no-such-resource"));
  EXPECT_TRUE(meetings_->whipDelete("m", result.resource));
  EXPECT_EQ(ada->of("participant.left").size(), 1u);
  EXPECT_FALSE(meetings_->whipDelete("m", result.resource));  // only once
}

TEST_F(MeetingsTest, WhipTakesBundleOnlySectionsAsGStreamerSendsThem) {
  auto ada = join("m", "Ada");
  // webrtcbin's max-bundle offer: every section after the first has port 0 and a=bundle-only.
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  offer.replace(offer.find("m=video 9 "), 10, "m=video 0 ");
  offer.replace(offer.find("a=mid:1\r\n"), 9, "a=mid:1\r\na=bundle-only\r\n");
  WhipResult result = meetings_->whipPublish("m", "Feed", offer);
  ASSERT_EQ(result.status, 201) << result.error;
  auto offers = ada->of("subscribe.offer");
  ASSERT_EQ(offers.size(), 1u);
  EXPECT_EQ(offers[0]["tracks"].size(), 2u);  // the bundle-only video is a camera
}

TEST_F(MeetingsTest, WhipRefusesWhatItCannotServe) {
  EXPECT_EQ(meetings_->whipPublish("../x", "", "v=0").status, 400);
  EXPECT_EQ(meetings_->whipPublish("m", "", "not sdp").status, 400);
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  EXPECT_EQ(meetings_
                ->whipPublish("m",
                              "\xff\xfe"
                              "bad",
                              offer)
                .status,
            400);
  std::string unencrypted =
      readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast-unencrypted.sdp");
  WhipResult plain = meetings_->whipPublish("m", "", unencrypted);
  EXPECT_EQ(plain.status, 400);
  EXPECT_NE(plain.error.find("DTLS"), std::string::npos) << plain.error;
  // A refused publisher leaves no meeting behind.
  EXPECT_EQ(meetings_->participantCount(), 0u);
}

TEST_F(MeetingsTest, TheLastOneOutEndsTheMeeting) {
  auto ada = join("m", "Ada");
  auto bob = join("m", "Bob");
  say(ada, R"({"type":"leave"})");
  EXPECT_EQ(meetings_->meetingCount(), 1u);
  say(bob, R"({"type":"leave"})");
  EXPECT_EQ(meetings_->meetingCount(), 0u);
  EXPECT_EQ(meetings_->participantCount(), 0u);
}

}  // namespace
}  // namespace treff::signaling
