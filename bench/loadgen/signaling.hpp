// Signaling as the load generator needs it, independent of the server's protocol: join a room,
// publish an offer, answer the server's subscribe offers, leave. Treff's WebSocket protocol is
// one backend (treff_signaling.cpp); another (Janus VideoRoom over HTTP) can implement the
// same interface (janus_signaling.cpp). Calls may come from any thread; Listener callbacks arrive
// on the signaling thread, one at a time per participant.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace treff::loadgen {

struct PublishedTrack {
  std::string mid;
  std::string source;  // "microphone", "camera"
};

class Signaling {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onJoined(const std::string& participantId) = 0;
    virtual void onPublishAnswer(const std::string& sdp) = 0;
    // The server's offer of what we receive; answer it with answerSubscribe().
    virtual void onSubscribeOffer(const std::string& sdp) = 0;
    // A refused request, or the connection failed or closed early.
    virtual void onSignalingError(const std::string& what) = 0;
  };

  virtual ~Signaling() = default;
  // Connects and joins `room` under `name`.
  virtual void join(const std::string& room, const std::string& name) = 0;
  virtual void publish(const std::string& offerSdp, const std::vector<PublishedTrack>& tracks) = 0;
  virtual void answerSubscribe(const std::string& answerSdp) = 0;
  // Leaves the room and closes the connection.
  virtual void leave() = 0;
};

// The VideoRoom a Janus backend creates (if it does not exist yet) and joins.
struct JanusRoomSettings {
  uint32_t maxPublishers = 10;
  uint32_t bitrateBps = 2'000'000;  // the REMB cap Janus applies to each publisher
};

// The thread the signaling of all participants runs on.
class SignalingThread {
 public:
  virtual ~SignalingThread() = default;
  // A Treff backend for one participant; `url` is the server's http://host:port/.
  virtual std::unique_ptr<Signaling> makeTreffSignaling(const std::string& url,
                                                        Signaling::Listener& listener) = 0;
  // A Janus VideoRoom backend for one participant; `url` is the HTTP API's base,
  // http://host:port/janus. join()'s room is the numeric room id.
  virtual std::unique_ptr<Signaling> makeJanusSignaling(const std::string& url,
                                                        const JanusRoomSettings& room,
                                                        Signaling::Listener& listener) = 0;
  // Ends the thread (pending messages are dropped); call after every session has closed or
  // its time is up, and before the Listeners are destroyed.
  virtual void stop() = 0;
  // Sessions whose connection is still open.
  virtual size_t openSessions() const = 0;
};

std::unique_ptr<SignalingThread> startSignalingThread();

}  // namespace treff::loadgen
