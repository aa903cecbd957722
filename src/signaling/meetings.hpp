// Meetings as the control plane keeps them: who is in which meeting, their tracks and mute
// state, both peer connections' negotiation, chat, and the reconnection grace. Media lives on
// a worker (sfu::Room); this side turns signaling into the worker's plain specs.
// Control thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "signaling/http_server.hpp"
#include "signaling/protocol.hpp"

namespace treff::sfu {
class MediaPlane;
struct RoomEvent;
}  // namespace treff::sfu

namespace treff::signaling {

struct MeetingLimits {
  unsigned maxParticipantsPerMeeting = 100;
  unsigned maxMeetings = 1000;
  uint32_t reconnectGraceMs = 20000;
};

// Settings every room starts with.
struct RoomSettings {
  // The video codec rooms use: "VP8", "VP9", "H264" or "AV1". A room falls back to VP8 while
  // anyone in it cannot send and receive this codec; VP8 every browser has.
  std::string videoCodec = "VP8";
  // At most this many camera videos forwarded to each participant (pins and recent speakers
  // first); -1: no limit.
  int lastN = -1;
  // In meetings of at least audioLoudestMinParticipants, only the audio of the
  // audioLoudestN most recent speakers is forwarded; 0 turns this off.
  int audioLoudestN = 5;
  unsigned audioLoudestMinParticipants = 30;
};

// The outcome of a WHIP request (RFC 9725), as an HTTP status and body.
struct WhipResult {
  int status = 500;
  std::string error;     // text body when status is not 201
  std::string answer;    // the SDP answer, with 201
  std::string resource;  // the resource id for the Location header, with 201
};

class Meetings {
 public:
  Meetings(sfu::MediaPlane& media, MeetingLimits limits, RoomSettings rooms = {});
  ~Meetings();

  // Every meeting message of a socket (join, publish, subscribe.*, mute, chat, leave).
  void onMessage(const std::shared_ptr<WsConnection>& conn, const ClientMessage& message);
  // The socket closed: a participant that did not leave starts its reconnection grace.
  void onClose(const std::shared_ptr<WsConnection>& conn);
  // Called periodically: ends graces that ran out.
  void onTick(uint64_t nowMs);

  // WHIP: a publisher without a socket (OBS, GStreamer) joins `meeting` as `name`.
  WhipResult whipPublish(const std::string& meeting, const std::string& name,
                         const std::string& offerSdp);
  // Ends a WHIP publication; false if the resource is unknown.
  bool whipDelete(const std::string& meeting, const std::string& resource);
  // A participant's media transport closed on its worker (ICE consent lost).
  void onMediaClosed(uint64_t room, const std::string& participant);
  // Everything else a room reports: the dominant speaker, what a subscriber is not sent, which
  // layers a publisher must send.
  void onRoomEvent(uint64_t room, const sfu::RoomEvent& event);

  size_t meetingCount() const { return meetings_.size(); }
  // The media room of a meeting, 0 if there is no such meeting.
  uint64_t roomOf(const std::string& meeting) const;
  size_t participantCount() const;

 private:
  struct Participant;
  struct Meeting;

  void join(const std::shared_ptr<WsConnection>& conn, const Join& join);
  void publish(Meeting& meeting, Participant& p, const Publish& publish);
  // Answers a publish offer and hands the tracks to the worker; an error text, or empty.
  std::string applyPublish(Meeting& meeting, Participant& p, const Publish& publish,
                           std::string* answerSdp);
  Participant& addParticipant(Meeting& meeting, const std::string& name,
                              const std::shared_ptr<WsConnection>& conn);
  void subscribeAnswer(Meeting& meeting, Participant& p, const SubscribeAnswer& answer);
  void subscribeRestart(Meeting& meeting, Participant& p);
  void mute(Meeting& meeting, Participant& p, const Mute& mute);
  void chat(Meeting& meeting, Participant& p, const Chat& chat);
  void view(Meeting& meeting, Participant& p, const View& view);
  uint64_t openRoom();
  Meeting* meetingOfRoom(uint64_t room);
  void remove(Meeting& meeting, std::string participantId);  // by value: it may die inside

  // Sends the next subscribe offer if none is in flight (else marks the change for later).
  void renegotiate(Meeting& meeting, Participant& p);
  void renegotiateOthers(Meeting& meeting, const std::string& except);
  void broadcast(Meeting& meeting, const std::string& text, const std::string& except = {});
  ParticipantInfo infoOf(const Participant& p) const;
  // The room's codec now: the configured one if every participant with a browser handles it,
  // else VP8. A change is announced to everyone but `except`, whose publishers then re-offer.
  void updateVideoCodec(Meeting& meeting, const std::string& except = {});
  // The video codecs a publish answer accepts (the room's first) and a subscribe offer offers.
  std::vector<std::string> publishCodecs(const Meeting& meeting) const;
  std::vector<std::string> subscribeCodecs() const;
  Participant* participantOf(const WsConnection& conn, Meeting** meeting);

  sfu::MediaPlane& media_;
  MeetingLimits limits_;
  RoomSettings rooms_;
  std::map<std::string, std::unique_ptr<Meeting>> meetings_;
  // Socket id -> (meeting name, participant id).
  std::unordered_map<uint64_t, std::pair<std::string, std::string>> byConnection_;
  // WHIP resource id -> (meeting name, participant id).
  std::unordered_map<std::string, std::pair<std::string, std::string>> whipResources_;
};

}  // namespace treff::signaling
