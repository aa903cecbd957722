#include "janus_signaling.hpp"

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_set>
#include <utility>
#include <vector>

namespace treff::loadgen {
namespace {

using json = nlohmann::json;

constexpr uint32_t kRequestTimeoutS = 10;
// Janus answers an idle long poll after 30 s with a keepalive event.
constexpr uint32_t kPollTimeoutS = 70;
constexpr uint32_t kPollMaxEvents = 16;
// Well inside Janus's session_timeout (120 s in bench/compare/janus-config.sh, 60 s by default).
constexpr auto kKeepaliveInterval = std::chrono::seconds(25);
// VideoRoom's JANUS_VIDEOROOM_ERROR_ROOM_EXISTS: another participant created the room first.
constexpr int kRoomExists = 427;

// The plugin's reply, data of plugindata, or null.
const json* pluginData(const json& message) {
  auto it = message.find("plugindata");
  if (it == message.end() || !it->is_object()) return nullptr;
  auto data = it->find("data");
  return data != it->end() && data->is_object() ? &*data : nullptr;
}

std::string stringField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int intField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_number_integer() ? it->get<int>() : 0;
}

uint64_t idField(const json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_number_unsigned() ? it->get<uint64_t>() : 0;
}

// One participant's Janus session. Everything runs on the signaling thread.
class VideoRoomSession : public std::enable_shared_from_this<VideoRoomSession> {
 public:
  VideoRoomSession(std::shared_ptr<HttpClient> http, std::string basePath,
                   const JanusRoomSettings& settings, std::atomic<size_t>& open,
                   Signaling::Listener& listener)
      : http_(std::move(http)),
        basePath_(std::move(basePath)),
        settings_(settings),
        open_(open),
        listener_(listener) {}

  HttpClient& http() { return *http_; }

  void start(const std::string& room, const std::string& display) {
    ++open_;
    counted_ = true;
    try {
      size_t used = 0;
      room_ = std::stoull(room, &used);
      if (used != room.size()) throw std::invalid_argument(room);
    } catch (const std::exception&) {
      return fail("a Janus VideoRoom id is a number, got \"" + room + "\"");
    }
    display_ = display;
    call("", {{"janus", "create"}}, [this](const json& r) {
      session_ = idField(r.value("data", json::object()), "id");
      if (session_ == 0) return fail("Janus created no session");
      lastKeepalive_ = std::chrono::steady_clock::now();
      poll();
      attach([this](uint64_t handle) {
        publisher_ = handle;
        createRoom();
      });
    });
  }

  void publish(const std::string& offerSdp) {
    message(publisher_, {{"request", "publish"}}, {{"type", "offer"}, {"sdp", offerSdp}},
            [](const json&) {});
  }

  // Our answer to the subscriber handle's latest offer; then the next subscribe may go out.
  void answer(const std::string& answerSdp) {
    message(subscriber_, {{"request", "start"}}, {{"type", "answer"}, {"sdp", answerSdp}},
            [this](const json&) {
              subscribeInFlight_ = false;
              subscribePending();
            });
  }

  // leave, detach both handles, destroy the session; each step whatever the previous one got.
  void leave() {
    leaving_ = true;
    if (session_ == 0) return finish();
    auto destroy = [this, self = shared_from_this()] {
      callThen(sessionPath(), {{"janus", "destroy"}}, [this] { finish(); });
    };
    auto detachPublisher = [this, destroy] {
      if (publisher_ == 0) return destroy();
      callThen(handlePath(publisher_), {{"janus", "detach"}}, destroy);
    };
    auto detachSubscriber = [this, detachPublisher] {
      if (subscriber_ == 0) return detachPublisher();
      callThen(handlePath(subscriber_), {{"janus", "detach"}}, detachPublisher);
    };
    if (publisher_ == 0) return detachSubscriber();
    callThen(handlePath(publisher_), {{"janus", "message"}, {"body", {{"request", "leave"}}}},
             detachSubscriber);
  }

 private:
  using Reply = std::function<void(const json&)>;

  // Appends, rather than "/" + ...: g++ 12 warns falsely on the latter (PR 105651).
  std::string sessionPath() const {
    std::string path(1, '/');
    path += std::to_string(session_);
    return path;
  }
  std::string handlePath(uint64_t handle) const {
    std::string path = sessionPath();
    path += '/';
    path += std::to_string(handle);
    return path;
  }

  // A Janus API request whose failure (transport, "janus":"error", or a plugin error code other
  // than `tolerated`) fails the participant; `reply` gets the response otherwise.
  void call(const std::string& suffix, json request, Reply reply, int tolerated = 0) {
    request["transaction"] = std::to_string(++transactions_);
    const std::string what = request.value("janus", "request");
    http_->request(basePath_ + suffix, request.dump(), kRequestTimeoutS,
                   [this, self = shared_from_this(), what, reply = std::move(reply), tolerated](
                       const std::string& error, const std::string& body) {
                     if (finished_) return;
                     if (!error.empty()) return fail("Janus " + what + ": " + error);
                     const json response = json::parse(body, nullptr, false);
                     if (!response.is_object())
                       return fail("Janus " + what + ": the reply is not JSON");
                     if (stringField(response, "janus") == "error") {
                       const json& e = response.value("error", json::object());
                       return fail("Janus " + what +
                                   " refused: " + std::to_string(intField(e, "code")) + " " +
                                   stringField(e, "reason"));
                     }
                     if (const json* data = pluginData(response)) {
                       const int code = intField(*data, "error_code");
                       if (code != 0 && code != tolerated) {
                         return fail("Janus VideoRoom refused " + what + ": " +
                                     std::to_string(code) + " " + stringField(*data, "error"));
                       }
                     }
                     reply(response);
                   });
  }

  // During leave: errors are expected (the server may be gone) and only end the step.
  void callThen(const std::string& suffix, json request, std::function<void()> next) {
    request["transaction"] = std::to_string(++transactions_);
    http_->request(basePath_ + suffix, request.dump(), kRequestTimeoutS,
                   [self = shared_from_this(), next = std::move(next)](const std::string&,
                                                                       const std::string&) {
                     if (!self->finished_) next();
                   });
  }

  void message(uint64_t handle, json body, json jsep, Reply reply, int tolerated = 0) {
    json request = {{"janus", "message"}, {"body", std::move(body)}};
    if (!jsep.is_null()) request["jsep"] = std::move(jsep);
    call(handlePath(handle), std::move(request), std::move(reply), tolerated);
  }

  void attach(std::function<void(uint64_t)> attached) {
    call(sessionPath(), {{"janus", "attach"}, {"plugin", "janus.plugin.videoroom"}},
         [this, attached = std::move(attached)](const json& r) {
           const uint64_t handle = idField(r.value("data", json::object()), "id");
           if (handle == 0) return fail("Janus attached no handle");
           attached(handle);
         });
  }

  // Whoever comes first creates the room; the others get "room exists" and join it.
  void createRoom() {
    json create = {{"request", "create"},
                   {"room", room_},
                   {"publishers", settings_.maxPublishers},
                   {"bitrate", settings_.bitrateBps},
                   {"videocodec", "vp8"},
                   {"audiocodec", "opus"}};
    message(
        publisher_, std::move(create), nullptr, [this](const json&) { joinRoom(); }, kRoomExists);
  }

  // Every participant joins as a publisher, so that it hears of the room's publishers; only the
  // publishing ones send an offer afterwards.
  void joinRoom() {
    message(publisher_,
            {{"request", "join"}, {"ptype", "publisher"}, {"room", room_}, {"display", display_}},
            nullptr, [](const json&) {});
  }

  void poll() {
    const std::string target =
        basePath_ + sessionPath() + "?maxev=" + std::to_string(kPollMaxEvents);
    http_->request(
        target, "", kPollTimeoutS,
        [this, self = shared_from_this()](const std::string& error, const std::string& body) {
          if (finished_ || leaving_) return;
          if (!error.empty()) return fail("Janus long poll: " + error);
          const json events = json::parse(body, nullptr, false);
          if (events.is_array()) {
            for (const auto& e : events) {
              if (e.is_object()) onEvent(e);
            }
          } else if (events.is_object()) {
            onEvent(events);
          }
          if (finished_ || leaving_) return;
          keepAlive();
          poll();
        });
  }

  void keepAlive() {
    const auto now = std::chrono::steady_clock::now();
    if (now - lastKeepalive_ < kKeepaliveInterval) return;
    lastKeepalive_ = now;
    call(sessionPath(), {{"janus", "keepalive"}}, [](const json&) {});
  }

  void onEvent(const json& e) {
    const std::string kind = stringField(e, "janus");
    if (kind == "timeout") return fail("Janus timed the session out");
    if (kind != "event") return;  // ack, keepalive, webrtcup, media, slowlink, hangup
    const json* data = pluginData(e);
    if (!data) return;
    const uint64_t sender = idField(e, "sender");
    auto jsep = e.find("jsep");
    const json* offerOrAnswer = jsep != e.end() && jsep->is_object() ? &*jsep : nullptr;
    if (const int code = intField(*data, "error_code")) {
      return fail("Janus VideoRoom error " + std::to_string(code) + ": " +
                  stringField(*data, "error"));
    }
    if (sender == publisher_) onPublisherEvent(*data, offerOrAnswer);
    if (sender != 0 && sender == subscriber_) onSubscriberEvent(*data, offerOrAnswer);
  }

  void onPublisherEvent(const json& data, const json* jsep) {
    const std::string what = stringField(data, "videoroom");
    if (what == "joined") {
      feed_ = idField(data, "id");
      privateId_ = idField(data, "private_id");
      listener_.onJoined(std::to_string(feed_));
    } else if (what == "destroyed") {
      return fail("Janus destroyed the room");
    }
    if (jsep && stringField(*jsep, "type") == "answer") {
      listener_.onPublishAnswer(stringField(*jsep, "sdp"));
    }
    learnPublishers(data);
  }

  void onSubscriberEvent(const json&, const json* jsep) {
    if (jsep && stringField(*jsep, "type") == "offer") {
      listener_.onSubscribeOffer(stringField(*jsep, "sdp"));
    }
  }

  // "joined" and later events list the room's publishers (others than us).
  void learnPublishers(const json& data) {
    auto list = data.find("publishers");
    if (list == data.end() || !list->is_array()) return;
    for (const auto& p : *list) {
      const uint64_t id = idField(p, "id");
      if (id == 0 || id == feed_ || !known_.insert(id).second) continue;
      pending_.push_back(id);
    }
    subscribePending();
  }

  // One subscription change in flight at a time: the subscriber handle's offer has to be
  // answered before the next change can be negotiated.
  void subscribePending() {
    if (pending_.empty() || subscribeInFlight_ || leaving_) return;
    subscribeInFlight_ = true;
    json streams = json::array();
    for (uint64_t feed : pending_) streams.push_back({{"feed", feed}});
    pending_.clear();
    if (subscriber_ != 0) {
      message(subscriber_, {{"request", "subscribe"}, {"streams", std::move(streams)}}, nullptr,
              [](const json&) {});
      return;
    }
    attach([this, streams = std::move(streams)](uint64_t handle) {
      subscriber_ = handle;
      json join = {
          {"request", "join"}, {"ptype", "subscriber"}, {"room", room_}, {"streams", streams}};
      if (privateId_ != 0) join["private_id"] = privateId_;
      message(subscriber_, std::move(join), nullptr, [](const json&) {});
    });
  }

  void fail(const std::string& what) {
    if (leaving_ || failed_) return;
    failed_ = true;
    listener_.onSignalingError(what);
  }

  void finish() {
    finished_ = true;
    if (counted_) --open_;
    counted_ = false;
  }

  std::shared_ptr<HttpClient> http_;
  std::string basePath_;
  JanusRoomSettings settings_;
  std::atomic<size_t>& open_;
  Signaling::Listener& listener_;
  uint64_t room_ = 0;
  std::string display_;
  uint64_t transactions_ = 0;
  uint64_t session_ = 0;
  uint64_t publisher_ = 0;
  uint64_t subscriber_ = 0;
  uint64_t feed_ = 0;
  uint64_t privateId_ = 0;
  std::unordered_set<uint64_t> known_;  // feeds subscribed or about to be
  std::vector<uint64_t> pending_;       // feeds to subscribe to next
  bool subscribeInFlight_ = false;
  bool counted_ = false;
  bool leaving_ = false;
  bool failed_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point lastKeepalive_{};
};

// The Signaling face: calls from any thread, run on the signaling thread.
class JanusSignaling final : public Signaling {
 public:
  explicit JanusSignaling(std::shared_ptr<VideoRoomSession> session)
      : session_(std::move(session)) {}

  void join(const std::string& room, const std::string& name) override {
    session_->http().dispatch([s = session_, room, name] { s->start(room, name); });
  }
  void publish(const std::string& offerSdp, const std::vector<PublishedTrack>&) override {
    session_->http().dispatch([s = session_, offerSdp] { s->publish(offerSdp); });
  }
  void answerSubscribe(const std::string& answerSdp) override {
    session_->http().dispatch([s = session_, answerSdp] { s->answer(answerSdp); });
  }
  void leave() override {
    session_->http().dispatch([s = session_] { s->leave(); });
  }

 private:
  std::shared_ptr<VideoRoomSession> session_;
};

}  // namespace

std::unique_ptr<Signaling> makeJanusVideoRoomSignaling(std::shared_ptr<HttpClient> http,
                                                       std::string basePath,
                                                       const JanusRoomSettings& room,
                                                       std::atomic<size_t>& openSessions,
                                                       Signaling::Listener& listener) {
  return std::make_unique<JanusSignaling>(std::make_shared<VideoRoomSession>(
      std::move(http), std::move(basePath), room, openSessions, listener));
}

}  // namespace treff::loadgen
