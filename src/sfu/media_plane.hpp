// The media plane as the control plane sees it: the workers, the DTLS certificate, and the
// sessions it can open. Offers are parsed and answered on the caller's (control) thread; the
// session itself is created on its worker.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sdp/session_description.hpp"
#include "sfu/room_specs.hpp"

namespace treff::dtls {
class Certificate;
}

namespace treff::sfu {

class Worker;

struct MediaPlaneConfig {
  std::vector<std::string> listenIps{"127.0.0.1"};
  std::string announceIp;
  uint16_t mediaPort = 10000;
  unsigned workers = 1;
};

struct SessionResult {
  bool ok = false;
  uint64_t session = 0;  // names the session in restartEcho / closeEcho
  std::string sdp;       // the answer, when ok
  std::string error;     // a readable reason, when not
};

class MediaPlane {
 public:
  // Generates the certificate and binds every worker's sockets; throws std::runtime_error naming
  // the address that could not be bound.
  explicit MediaPlane(const MediaPlaneConfig& config);
  ~MediaPlane();

  void start();
  void stop();

  // Control thread only, all three. `done` runs on the session's worker thread once the work is
  // done there, or right away on this thread when the offer is refused.
  //
  // Answers a browser's offer with an echo session on the next worker.
  void createEcho(std::string_view offerSdp, std::function<void(SessionResult)> done);
  // Answers an ICE-restart offer (new ufrag and pwd) for an existing echo session.
  void restartEcho(uint64_t session, std::string_view offerSdp,
                   std::function<void(SessionResult)> done);
  // Ends the session at once (its page left); unknown ids are ignored.
  void closeEcho(uint64_t session);
  size_t openSessions() const { return sessions_.size(); }

  // Meetings (control thread). A room is pinned to one worker; every transport of its
  // participants uses that worker's ports, so their candidates come from roomCandidates().
  uint64_t openRoom(const RoomConfig& config = {});
  void closeRoom(uint64_t room);
  std::vector<sdp::Candidate> roomCandidates(uint64_t room) const;
  // Creates or updates a participant's publish side (an ICE restart when the credentials change).
  void setPublisher(uint64_t room, const std::string& participant, PublishSpec spec);
  // Creates or updates a participant's subscribe side.
  void setSubscriber(uint64_t room, const std::string& participant, SubscribeSpec spec);
  void removeParticipant(uint64_t room, const std::string& participant);
  void setMuted(uint64_t room, const std::string& participant, Source source, bool muted);
  void setView(uint64_t room, const std::string& participant, ViewSpec view);
  // Set before start(): runs on a worker thread for every room event (a transport closed for
  // good, a new dominant speaker, forwarding or publisher layer changes); the handler hops to
  // its own thread.
  void setRoomEventHandler(std::function<void(uint64_t room, RoomEvent event)> handler) {
    roomEvents_ = std::move(handler);
  }

  // Prometheus text exposition of every worker's counters, summed.
  std::string prometheusMetrics() const;
  const std::string& certificateFingerprint() const;
  size_t workerCount() const { return workers_.size(); }

 private:
  MediaPlaneConfig config_;
  std::unique_ptr<dtls::Certificate> certificate_;
  struct SessionRecord;
  // What the next offer for a session needs: its worker, and the senders and candidates the
  // first answer announced (an ICE restart keeps both).
  std::map<uint64_t, std::shared_ptr<SessionRecord>> sessions_;
  std::map<uint64_t, unsigned> rooms_;  // room -> worker
  std::function<void(uint64_t, RoomEvent)> roomEvents_;
  std::vector<std::unique_ptr<Worker>> workers_;
  unsigned nextWorker_ = 0;
  uint64_t nextSessionId_ = 1;
};

}  // namespace treff::sfu
