// Meetings under churn: participants join, publish, share and stop sharing a screen, mute, lose
// their socket and resume, leave or time out, in a seeded random order, while each simulated
// browser answers its subscribe offers late, one at a time and in the order it received them.
// Checked at every step: no glare (a second subscribe.offer on a socket before the first one was
// answered), no error to anyone, each subscribe peer connection's m-sections only grow and never
// change kind, and every offered track is a live track of another participant. Checked at
// quiescence: each participant's last offer carries exactly the others' published tracks, each
// page's participant list is right, and the media plane holds one transport per live peer
// connection.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "meetings_test_support.hpp"
#include "sfu/media_plane.hpp"
#include "signaling/meetings.hpp"
#include "util/time.hpp"

namespace treff::signaling {
namespace {

using Json = nlohmann::json;
using test_support::browserAnswerTo;
using test_support::freePort;
using test_support::readFile;
using test_support::RecordingSocket;

void replaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// The captured Chromium publish offer (microphone mid 0, simulcast camera mid 1), optionally
// with a third m-section for a screen share as Chromium adds one: a video section, mid 2, no
// simulcast; `screenSending` false is the share stopped (the section stays, inactive).
std::string publishOffer(bool screenSection, bool screenSending, const std::string& ufrag,
                         const std::string& pwd) {
  std::string offer = readFile(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  if (screenSection) {
    size_t video = offer.find("m=video");
    std::string screen = offer.substr(video);
    replaceAll(screen, "a=mid:1\r\n", "a=mid:2\r\n");
    for (const char* drop : {"a=rid:q send\r\n", "a=rid:h send\r\n", "a=rid:f send\r\n",
                             "a=simulcast:send q;h;f\r\n"}) {
      replaceAll(screen, drop, "");
    }
    replaceAll(screen, "f0536ea7-472f-421d-a0fa-e9f9d75a27aa",
               "5c1e7a02-6a1b-4c43-9e0e-2d5d3c1b9a11");
    if (!screenSending) replaceAll(screen, "a=sendonly\r\n", "a=inactive\r\n");
    offer += screen;
    replaceAll(offer, "a=group:BUNDLE 0 1\r\n", "a=group:BUNDLE 0 1 2\r\n");
  }
  // A restarted ICE agent (after a resume) has new credentials.
  replaceAll(offer, "a=ice-ufrag:sVZN", "a=ice-ufrag:" + ufrag);
  replaceAll(offer, "a=ice-pwd:aDzMSnnDbotwDAi3mGVwhGpm", "a=ice-pwd:" + pwd);
  return offer;
}

// One m-section of a subscribe offer, as the browser reads it.
struct OfferedSection {
  std::string mid;
  std::string kind;       // "audio" or "video"
  std::string direction;  // "sendonly" or "inactive"
  std::string msidStream;
};

std::vector<OfferedSection> sectionsOf(const std::string& sdp) {
  std::vector<OfferedSection> out;
  std::stringstream in(sdp);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("m=", 0) == 0) {
      out.push_back({});
      out.back().kind = line.substr(2, line.find(' ') - 2);
    } else if (out.empty()) {
      continue;
    } else if (line.rfind("a=mid:", 0) == 0) {
      out.back().mid = line.substr(6);
    } else if (line == "a=sendonly" || line == "a=inactive" || line == "a=recvonly" ||
               line == "a=sendrecv") {
      out.back().direction = line.substr(2);
    } else if (line.rfind("a=msid:", 0) == 0) {
      out.back().msidStream = line.substr(7, line.find(' ') - 7);
    }
  }
  return out;
}

const char* kindOfSource(const std::string& source) {
  return source == "microphone" ? "audio" : "video";
}

// One participant's page: what it published, what it was offered, what it shows.
struct Page {
  std::string name;
  std::shared_ptr<RecordingSocket> socket;  // the current one
  size_t read = 0;                          // messages of `socket` read so far
  bool connected = false;
  bool departed = false;
  std::string id;
  std::string secret;
  // Publish side.
  bool published = false;
  bool screenSection = false;
  bool sharing = false;
  std::map<std::string, bool> muted{{"microphone", false}, {"camera", false}};
  int iceGeneration = 0;
  // Subscribe side: offers received and not yet answered, with the socket each came on.
  struct Pending {
    std::string sdp;
    uint64_t socket;
  };
  std::deque<Pending> pending;
  std::vector<std::string> mids;               // the peer connection's m-sections, in order
  std::map<std::string, std::string> midKind;  // mid -> kind, over the connection's life
  Json lastOffer;
  int offers = 0;
  bool subscribeTransport = false;  // an answer reached the server: it has a transport
  // The others as this page knows them: id -> participant info.
  std::map<std::string, Json> others;

  std::set<std::string> sources() const {
    if (!published) return {};
    std::set<std::string> s{"microphone", "camera"};
    if (sharing) s.insert("screen");
    return s;
  }
};

class MeetingsChurnBase : public test_support::MeetingsOnMediaPlane {
 protected:
  void SetUp() override {
    MeetingLimits limits;
    limits.maxParticipantsPerMeeting = 16;
    limits.reconnectGraceMs = 20000;
    startMeetings(limits);
  }

  void say(Page& page, const Json& message) {
    ASSERT_TRUE(page.connected) << page.name << " has no socket";
    auto parsed = parseClientMessage(message.dump());
    ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed)) << message.dump();
    meetings_->onMessage(page.socket, std::get<ClientMessage>(parsed));
    deliverAll();
  }

  Page* find(const std::string& id) {
    for (auto& p : pages_) {
      if (!p->departed && p->id == id) return p.get();
    }
    return nullptr;
  }

  std::vector<Page*> present() {
    std::vector<Page*> out;
    for (auto& p : pages_) {
      if (!p->departed) out.push_back(p.get());
    }
    return out;
  }

  // ---- the browser's side of each message -------------------------------------------------

  // Every page reads what its current socket got since last time. The server's sends are
  // synchronous, so this runs after each action and sees the state the server acted on.
  void deliverAll() {
    for (auto& p : pages_) {
      if (p->departed || !p->connected) continue;
      while (p->read < p->socket->sent.size()) receive(*p, p->socket->sent[p->read++]);
    }
  }

  void receive(Page& page, const Json& m) {
    const std::string type = m["type"];
    if (type == "error") {
      ADD_FAILURE() << context_ << ": " << page.name << " got an error: " << m.dump();
    } else if (type == "joined") {
      page.id = m["participant"];
      page.secret = m["secret"];
      page.others.clear();
      for (const auto& q : m["participants"]) page.others[q["id"]] = q;
    } else if (type == "participant.joined" || type == "participant.updated") {
      page.others[m["participant"]["id"]] = m["participant"];
    } else if (type == "participant.left") {
      page.others.erase(m["participant"].get<std::string>());
    } else if (type == "subscribe.offer") {
      receiveOffer(page, m);
    }
  }

  void receiveOffer(Page& page, const Json& m) {
    ++page.offers;
    // One offer in flight per participant: an offer on a socket that still owes the server an
    // answer to an earlier offer on the same socket would be glare.
    for (const auto& earlier : page.pending) {
      EXPECT_NE(earlier.socket, page.socket->id())
          << context_ << ": glare: " << page.name << " got a second subscribe.offer on socket "
          << page.socket->id() << " before answering the first";
    }
    const std::string sdp = m["sdp"];
    auto sections = sectionsOf(sdp);
    // m-sections are never removed or reordered (JSEP: an offer keeps every m-line), and a mid
    // keeps its kind for the life of the peer connection (inactive sections are reused by kind).
    ASSERT_GE(sections.size(), page.mids.size())
        << context_ << ": " << page.name << "'s offer dropped an m-section";
    for (size_t i = 0; i < sections.size(); ++i) {
      const auto& s = sections[i];
      if (i < page.mids.size()) {
        EXPECT_EQ(s.mid, page.mids[i]) << context_ << ": " << page.name << " m-section " << i;
      } else {
        page.mids.push_back(s.mid);
      }
      auto [kind, fresh] = page.midKind.emplace(s.mid, s.kind);
      EXPECT_EQ(kind->second, s.kind)
          << context_ << ": " << page.name << "'s mid " << s.mid << " changed kind";
      EXPECT_TRUE(s.direction == "sendonly" || s.direction == "inactive")
          << context_ << ": mid " << s.mid << " is " << s.direction;
    }
    // Every offered track is a live track of another participant, in a sending m-section of
    // its kind whose msid names that participant; no track twice.
    std::set<std::string> activeMids;
    for (const auto& s : sections) {
      if (s.direction == "sendonly") activeMids.insert(s.mid);
    }
    std::set<std::pair<std::string, std::string>> offered;
    for (const auto& t : m["tracks"]) {
      const std::string mid = t["mid"], who = t["participant"], source = t["source"];
      EXPECT_NE(who, page.id) << context_ << ": " << page.name << " is offered its own " << source;
      Page* publisher = find(who);
      EXPECT_TRUE(publisher && publisher->sources().count(source))
          << context_ << ": " << page.name << " is offered " << who << "'s " << source
          << ", which is not published";
      EXPECT_EQ(t["kind"], kindOfSource(source));
      EXPECT_TRUE(offered.emplace(who, source).second)
          << context_ << ": " << who << "'s " << source << " offered twice";
      auto s = std::find_if(sections.begin(), sections.end(),
                            [&](const OfferedSection& x) { return x.mid == mid; });
      ASSERT_NE(s, sections.end()) << context_ << ": track mid " << mid << " not in the offer";
      EXPECT_EQ(s->direction, "sendonly") << context_ << ": mid " << mid;
      EXPECT_EQ(s->kind, kindOfSource(source)) << context_ << ": mid " << mid;
      EXPECT_EQ(s->msidStream, who) << context_ << ": mid " << mid;
    }
    EXPECT_EQ(offered.size(), activeMids.size())
        << context_ << ": " << page.name << "'s offer has sending m-sections without a track";
    page.lastOffer = m;
    page.pending.push_back({sdp, page.socket->id()});
  }

  // The browser answers the oldest offer it holds (as the web client does: one after the
  // other). An answer made without a socket is lost, and so is one to an offer of an earlier
  // socket: the server forgot that offer on the resume and sends a fresh one after
  // subscribe.restart (answering it on the new socket would answer the wrong offer).
  void answerOne(Page& page) {
    if (page.pending.empty()) return;
    auto offer = page.pending.front();
    page.pending.pop_front();
    if (!page.connected || offer.socket != page.socket->id()) return;
    page.subscribeTransport = true;
    say(page, Json{{"type", "subscribe.answer"}, {"sdp", browserAnswerTo(offer.sdp)}});
  }

  // ---- what people do ------------------------------------------------------------------------

  Page& joinNew(const std::string& name) {
    pages_.push_back(std::make_unique<Page>());
    Page& page = *pages_.back();
    page.name = name;
    page.socket = std::make_shared<RecordingSocket>(++socketIds_);
    page.connected = true;
    say(page, Json{{"type", "join"}, {"meeting", "churn"}, {"name", name}});
    EXPECT_FALSE(page.id.empty()) << context_ << ": " << name << " did not join";
    return page;
  }

  void publish(Page& page) {
    Json tracks = Json::array(
        {Json{{"mid", "0"}, {"source", "microphone"}}, Json{{"mid", "1"}, {"source", "camera"}}});
    if (page.sharing) tracks.push_back(Json{{"mid", "2"}, {"source", "screen"}});
    std::string g = std::to_string(page.iceGeneration);
    std::string offer = publishOffer(page.screenSection, page.sharing, "uf" + g + "x",
                                     "icepasswordgeneration" + g + "padding");
    page.published = true;
    say(page, Json{{"type", "publish"}, {"sdp", offer}, {"tracks", tracks}});
  }

  void toggleScreen(Page& page) {
    page.sharing = !page.sharing;
    if (page.sharing) page.screenSection = true;
    publish(page);
  }

  void mute(Page& page, const std::string& source) {
    page.muted[source] = !page.muted[source];
    say(page, Json{{"type", "mute"}, {"source", source}, {"muted", page.muted[source]}});
  }

  void leave(Page& page) {
    say(page, Json{{"type", "leave"}});
    EXPECT_TRUE(page.socket->closed);
    page.departed = true;
  }

  void loseSocket(Page& page) {
    meetings_->onClose(page.socket);
    page.connected = false;
  }

  // As the web client does on a new socket: join with resume, then restart ICE on both peer
  // connections (subscribe.restart, and a new publish offer with new credentials).
  void resume(Page& page) {
    page.socket = std::make_shared<RecordingSocket>(++socketIds_);
    page.read = 0;
    page.connected = true;
    say(page, Json{{"type", "join"},
                   {"meeting", "churn"},
                   {"name", page.name},
                   {"resume", {{"participant", page.id}, {"secret", page.secret}}}});
    ASSERT_FALSE(page.socket->sent.empty());
    ASSERT_EQ(page.socket->sent[0]["type"], "joined") << page.socket->sent[0].dump();
    EXPECT_EQ(page.socket->sent[0]["resumed"], true);
    say(page, Json{{"type", "subscribe.restart"}});
    if (page.published) {
      ++page.iceGeneration;
      publish(page);
    }
  }

  // The grace of every participant without a socket runs out. The server removes them one by
  // one, so an offer made between two removals may still carry the second one's tracks: the
  // pages read the offers while the model still counts them present.
  void graceEnds() {
    meetings_->onTick(util::nowMs() + 21000);
    deliverAll();
    for (auto& p : pages_) {
      if (!p->departed && !p->connected) p->departed = true;
    }
  }

  // Resumes everyone without a socket and lets every browser answer until no offer is left.
  void settle() {
    for (auto& p : pages_) {
      if (!p->departed && !p->connected) resume(*p);
    }
    for (int round = 0; round < 100; ++round) {
      bool any = false;
      for (auto& p : pages_) {
        if (p->departed || p->pending.empty()) continue;
        answerOne(*p);
        any = true;
      }
      if (!any) return;
    }
    ADD_FAILURE() << context_ << ": offers keep coming after 100 rounds of answers";
  }

  // ---- the state at quiescence -------------------------------------------------------------

  void checkSettled() {
    auto here = present();
    EXPECT_EQ(meetings_->participantCount(), here.size()) << context_;
    for (Page* p : here) {
      // Exactly the others' published tracks, each once, none of its own or of departed ones.
      std::set<std::pair<std::string, std::string>> want, got;
      for (Page* q : here) {
        if (q == p) continue;
        for (const auto& s : q->sources()) want.emplace(q->id, s);
      }
      if (!p->lastOffer.is_null()) {
        for (const auto& t : p->lastOffer["tracks"]) got.emplace(t["participant"], t["source"]);
      }
      EXPECT_EQ(got, want) << context_ << ": " << p->name << "'s last subscribe offer";
      EXPECT_TRUE(p->pending.empty());

      // Its list of the others: who is there, what they publish, and their mute states.
      std::set<std::string> ids, shown;
      for (Page* q : here) {
        if (q != p) ids.insert(q->id);
      }
      for (const auto& [id, info] : p->others) shown.insert(id);
      EXPECT_EQ(shown, ids) << context_ << ": " << p->name << "'s participant list";
      for (Page* q : here) {
        if (q == p || !p->others.count(q->id)) continue;
        const Json& info = p->others[q->id];
        EXPECT_EQ(info["reconnecting"], false) << context_ << ": " << q->name;
        std::set<std::string> sources;
        for (const auto& t : info["tracks"]) {
          sources.insert(t["source"]);
          if (t["source"] != "screen") {
            EXPECT_EQ(t["muted"], q->muted[t["source"]])
                << context_ << ": " << p->name << " sees " << q->name << "'s " << t["source"];
          }
        }
        EXPECT_EQ(sources, q->sources()) << context_ << ": " << p->name << " sees " << q->name;
      }
    }
    // The media plane: one transport per publishing participant and one per subscribe
    // connection the server got an answer for; none left of the departed. The worker applies
    // the changes on its own thread: wait for it.
    size_t want = 0;
    for (Page* p : here) want += (p->published ? 1 : 0) + (p->subscribeTransport ? 1 : 0);
    size_t live = 0;
    for (int i = 0; i < 100; ++i) {
      live = liveTransports();
      if (live == want) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(live, want) << context_ << ": transports on the media plane";
  }

  size_t liveTransports() const {
    std::string text = media_->prometheusMetrics();
    auto value = [&](const std::string& name) -> long long {
      size_t at = text.find("\n" + name + " ");
      if (at == std::string::npos) return -1;
      return std::stoll(text.substr(at + name.size() + 2));
    };
    long long opened = value("treff_transports_opened_total");
    long long closed = value("treff_transports_closed_total");
    EXPECT_GE(opened, 0);
    EXPECT_GE(closed, 0);
    return static_cast<size_t>(opened - closed);
  }

  std::vector<std::unique_ptr<Page>> pages_;
  uint64_t socketIds_ = 0;
  std::string context_;  // seed and step, for failure messages
};

class MeetingsChurn : public MeetingsChurnBase, public ::testing::WithParamInterface<uint32_t> {};

// A few hundred random actions; every step checks the per-offer invariants (in receiveOffer),
// and the end checks the settled state.
TEST_P(MeetingsChurn, RandomJoinLeaveResumeNeverGlaresAndSettlesRight) {
  const uint32_t seed = GetParam();
  std::mt19937 rng(seed);
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  auto pick = [&](const std::vector<Page*>& from) {
    return from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
  };
  int names = 0;
  std::map<std::string, int> actions;
  for (int step = 0; step < 400 && !HasFailure(); ++step) {
    context_ = "seed " + std::to_string(seed) + " step " + std::to_string(step);
    auto here = present();
    std::vector<Page*> online, offline;
    for (Page* p : here) (p->connected ? online : offline).push_back(p);
    int action = std::uniform_int_distribution<int>(0, 9)(rng);
    if (here.size() < 2 || (action == 0 && here.size() < 8)) {
      joinNew("P" + std::to_string(++names));
      ++actions["join"];
    } else if (action == 1 && !online.empty()) {
      Page* p = pick(online);
      if (!p->published) {
        publish(*p);
        ++actions["publish"];
      } else {
        toggleScreen(*p);
        ++actions["screen"];
      }
    } else if (action == 2 && !online.empty()) {
      Page* p = pick(online);
      if (!p->published) {
        publish(*p);
        ++actions["publish"];
      } else {
        mute(*p, chance(0.5) ? "microphone" : "camera");
        ++actions["mute"];
      }
    } else if (action == 3 && !online.empty() && here.size() > 2) {
      leave(*pick(online));
      ++actions["leave"];
    } else if (action == 4 && !online.empty() && chance(0.5)) {
      loseSocket(*pick(online));
      ++actions["lose socket"];
    } else if (action == 5 && !offline.empty()) {
      resume(*pick(offline));
      ++actions["resume"];
    } else if (action == 6 && !offline.empty() && chance(0.3)) {
      graceEnds();
      ++actions["grace ends"];
    } else if (action == 7 && !online.empty()) {
      Page* p = pick(online);
      if (!p->published) {
        publish(*p);
        ++actions["publish"];
      }
    }
    // Browsers answer late: each holding offers answers its oldest one with some chance.
    for (auto& p : pages_) {
      if (!p->departed && !p->pending.empty() && chance(0.3)) answerOne(*p);
    }
    // Now and then everything settles, and the settled state is checked mid-run too.
    if (step % 100 == 99) {
      context_ += " (settled)";
      settle();
      checkSettled();
    }
  }
  context_ = "seed " + std::to_string(seed) + " settled";
  settle();
  checkSettled();
  std::string summary;
  for (const auto& [what, n] : actions) summary += what + " " + std::to_string(n) + ", ";
  int offers = 0;
  for (auto& p : pages_) offers += p->offers;
  std::printf("seed %u: %s%zu pages, %zu present at the end, %d subscribe offers\n", seed,
              summary.c_str(), pages_.size(), present().size(), offers);
}

INSTANTIATE_TEST_SUITE_P(Seeds, MeetingsChurn, ::testing::Values(1u, 7u, 42u, 1234u, 90210u));

// Six joins and five leaves in one burst with no answer in between: each participant still gets
// at most two offers (the one in flight, then one merged offer), and the final state is right.
class MeetingsChurnBurst : public MeetingsChurnBase {};

TEST_F(MeetingsChurnBurst, ABurstOfJoinsAndLeavesIsMergedIntoFewOffers) {
  context_ = "burst setup";
  Page& ada = joinNew("Ada");
  Page& bob = joinNew("Bob");
  publish(ada);
  publish(bob);
  settle();
  checkSettled();
  ASSERT_FALSE(HasFailure());
  const int adaBefore = ada.offers, bobBefore = bob.offers;

  context_ = "burst";
  std::vector<Page*> newcomers;
  for (int i = 0; i < 6; ++i) {
    Page& p = joinNew(std::string(1, static_cast<char>('C' + i)));
    publish(p);
    if (i == 3) toggleScreen(p);  // one shares a screen too, and leaves with it
    newcomers.push_back(&p);
    if (i > 0) leave(*newcomers[i - 1]);  // the one before leaves: five leaves in all
  }
  ASSERT_EQ(present().size(), 3u);
  // Nobody answered yet: one offer in flight each.
  for (Page* p : present()) EXPECT_EQ(p->pending.size(), 1u) << p->name;

  context_ = "burst settled";
  settle();
  checkSettled();
  Page& last = *newcomers.back();
  std::printf("burst of 6 joins and 5 leaves: subscribe offers Ada %d, Bob %d, %s %d\n",
              ada.offers - adaBefore, bob.offers - bobBefore, last.name.c_str(), last.offers);
  EXPECT_LE(ada.offers - adaBefore, 2);
  EXPECT_LE(bob.offers - bobBefore, 2);
  EXPECT_LE(last.offers, 2);
  // Ada's connection: two m-sections for Bob, two for C (the first newcomer) that the
  // merged offer reuses for the one who stayed; nothing of the others who came and went.
  std::printf("Ada's subscribe connection has %zu m-sections for %zu tracks\n", ada.mids.size(),
              ada.lastOffer["tracks"].size());
  EXPECT_EQ(ada.mids.size(), 4u) << "inactive m-sections are reused";
  EXPECT_EQ(ada.lastOffer["tracks"].size(), 4u);
}

// The contract the web client relies on when its socket drops with an offer unanswered: the
// server forgets that offer on the resume, and subscribe.restart brings one fresh offer on the
// new socket with every current track (changes made meanwhile included) and new ICE
// credentials. The old offer's answer has no place on the new socket: after the fresh offer is
// answered it finds no offer to answer.
TEST_F(MeetingsChurnBurst, AnOfferLostWithItsSocketIsReplacedByTheRestartOffer) {
  context_ = "resume";
  Page& ada = joinNew("Ada");
  Page& bob = joinNew("Bob");
  publish(ada);
  ASSERT_EQ(bob.pending.size(), 1u);
  const std::string lost = bob.pending.front().sdp;
  loseSocket(bob);
  toggleScreen(ada);  // a change while Bob is away
  resume(bob);
  // The old offer, then the fresh one on the new socket (no glare: the old one is void).
  ASSERT_EQ(bob.pending.size(), 2u);
  EXPECT_EQ(bob.lastOffer["tracks"].size(), 3u) << "microphone, camera and screen";
  auto ufrag = [](const std::string& sdp) {
    size_t at = sdp.find("a=ice-ufrag:");
    return sdp.substr(at, sdp.find('\r', at) - at);
  };
  EXPECT_NE(ufrag(bob.pending.back().sdp), ufrag(lost)) << "an ICE restart";
  settle();
  checkSettled();
  EXPECT_EQ(bob.offers, 2);
  EXPECT_FALSE(HasFailure());
  // What the client must not do: answer the lost offer late on the new socket.
  // (Sent without the page reading the reply: the error is what this line expects.)
  auto late =
      parseClientMessage(Json{{"type", "subscribe.answer"}, {"sdp", browserAnswerTo(lost)}}.dump());
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(late));
  meetings_->onMessage(bob.socket, std::get<ClientMessage>(late));
  ASSERT_FALSE(bob.socket->sent.empty());
  EXPECT_EQ(bob.socket->sent.back()["code"], "no-offer");
}

}  // namespace
}  // namespace treff::signaling
