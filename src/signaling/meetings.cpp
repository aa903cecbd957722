#include "signaling/meetings.hpp"

#include <openssl/crypto.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "sdp/answer.hpp"
#include "sdp/parser.hpp"
#include "sdp/subscribe_offer.hpp"
#include "sdp/writer.hpp"
#include "sfu/media_plane.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::signaling {
namespace {

constexpr std::string_view kIdAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
// Every browser sends and receives VP8 (RFC 7742 §5), so a room can always fall back to it.
constexpr const char* kFallbackVideoCodec = "VP8";
constexpr TrackSource kSources[] = {TrackSource::Microphone, TrackSource::Camera,
                                    TrackSource::Screen};

TrackSource toTrackSource(sfu::Source s) {
  switch (s) {
    case sfu::Source::Microphone:
      return TrackSource::Microphone;
    case sfu::Source::Camera:
      return TrackSource::Camera;
    case sfu::Source::Screen:
      return TrackSource::Screen;
  }
  return TrackSource::Camera;
}

sfu::Source toSfu(TrackSource s) {
  switch (s) {
    case TrackSource::Microphone:
      return sfu::Source::Microphone;
    case TrackSource::Camera:
      return sfu::Source::Camera;
    case TrackSource::Screen:
      return sfu::Source::Screen;
  }
  return sfu::Source::Camera;
}

sdp::MediaKind kindFor(TrackSource s) {
  return s == TrackSource::Microphone ? sdp::MediaKind::Audio : sdp::MediaKind::Video;
}

bool sameSecret(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

int64_t unixMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

sfu::CodecSpec codecSpecOf(const sdp::NegotiatedCodec& c) {
  sfu::CodecSpec spec;
  spec.name = c.name;
  spec.clockRate = c.clockRate;
  spec.payloadType = c.payloadType;
  spec.rtxPayloadType = c.rtxPayloadType;
  return spec;
}

rtp::ExtensionIdMap extensionMapOf(const std::map<std::string, uint8_t>& ids,
                                   rtp::ExtensionIdMap map = {}) {
  for (const auto& [uri, id] : ids) map.set(rtp::extensionTypeFromUri(uri), id);
  return map;
}

}  // namespace

struct Meetings::Participant {
  struct Track {
    std::string mid;
    bool muted = false;
    bool stereo = false;  // Opus negotiated with stereo=1: subscribers are offered stereo too
  };
  // One m-section of the subscribe peer connection.
  struct Slot {
    std::string mid;
    sdp::MediaKind kind = sdp::MediaKind::Audio;
    bool active = false;
    std::string publisher;
    TrackSource source = TrackSource::Microphone;
    uint32_t ssrc = 0;
    uint32_t rtxSsrc = 0;
  };

  std::string id;
  std::string secret;
  std::string name;
  std::string whipResource;  // set for a WHIP publisher (no socket)
  uint64_t joinOrder = 0;
  std::weak_ptr<WsConnection> conn;
  uint64_t connId = 0;
  bool reconnecting = false;
  uint64_t disconnectedAtMs = 0;

  std::map<TrackSource, Track> tracks;   // published
  std::map<TrackSource, bool> muted;     // as last said, also before publishing
  std::vector<std::string> videoCodecs;  // what the browser can send and receive (join)

  // Publish side.
  sdp::LocalParameters publishLocal;
  std::string publishRemoteUfrag;

  // Subscribe side.
  std::vector<Slot> slots;
  unsigned nextMid = 0;
  ice::IceCredentials subscribeIce;
  uint64_t subscribeSessionId = 0;
  uint64_t subscribeVersion = 0;
  bool offerInFlight = false;
  bool dirty = false;
  bool forceOffer = false;
  bool restartIce = false;  // the next subscribe offer carries new ICE credentials
  sdp::SessionDescription lastOffer;
  std::string cname;

  void send(const std::string& text) const {
    if (auto c = conn.lock()) c->send(text);
  }
};

struct Meetings::Meeting {
  std::string name;
  uint64_t room = 0;
  std::string dominantSpeaker;  // empty until someone spoke
  uint64_t joins = 0;
  std::string videoCodec = kFallbackVideoCodec;  // what publishers are asked to send
  std::map<std::string, std::unique_ptr<Participant>> participants;

  std::vector<Participant*> inJoinOrder() {
    std::vector<Participant*> out;
    for (auto& [id, p] : participants) out.push_back(p.get());
    std::sort(out.begin(), out.end(), [](const Participant* a, const Participant* b) {
      return a->joinOrder < b->joinOrder;
    });
    return out;
  }
};

Meetings::Meetings(sfu::MediaPlane& media, MeetingLimits limits, RoomSettings rooms)
    : media_(media), limits_(limits), rooms_(std::move(rooms)) {
  auto codec = canonicalVideoCodec(rooms_.videoCodec);
  if (!codec) throw std::invalid_argument("unknown video codec '" + rooms_.videoCodec + "'");
  rooms_.videoCodec = *codec;
}

Meetings::~Meetings() {
  for (auto& [name, meeting] : meetings_) media_.closeRoom(meeting->room);
}

size_t Meetings::participantCount() const {
  size_t n = 0;
  for (const auto& [name, m] : meetings_) n += m->participants.size();
  return n;
}

ParticipantInfo Meetings::infoOf(const Participant& p) const {
  ParticipantInfo info{p.id, p.name, p.reconnecting, {}};
  for (TrackSource s : kSources) {
    auto it = p.tracks.find(s);
    if (it != p.tracks.end()) info.tracks.push_back(TrackInfo{s, it->second.muted});
  }
  return info;
}

Meetings::Participant* Meetings::participantOf(const WsConnection& conn, Meeting** meeting) {
  auto it = byConnection_.find(conn.id());
  if (it == byConnection_.end()) return nullptr;
  auto m = meetings_.find(it->second.first);
  if (m == meetings_.end()) return nullptr;
  auto p = m->second->participants.find(it->second.second);
  if (p == m->second->participants.end()) return nullptr;
  *meeting = m->second.get();
  return p->second.get();
}

void Meetings::broadcast(Meeting& meeting, const std::string& text, const std::string& except) {
  for (auto& [id, p] : meeting.participants) {
    if (id != except) p->send(text);
  }
}

void Meetings::onMessage(const std::shared_ptr<WsConnection>& conn, const ClientMessage& message) {
  if (const auto* j = std::get_if<Join>(&message)) {
    join(conn, *j);
    return;
  }
  Meeting* meeting = nullptr;
  Participant* p = participantOf(*conn, &meeting);
  if (!p) {
    conn->send(encodeError("not-joined", "join a meeting first"));
    return;
  }
  if (const auto* m = std::get_if<Publish>(&message)) {
    publish(*meeting, *p, *m);
  } else if (const auto* m = std::get_if<SubscribeAnswer>(&message)) {
    subscribeAnswer(*meeting, *p, *m);
  } else if (std::holds_alternative<SubscribeRestart>(message)) {
    subscribeRestart(*meeting, *p);
  } else if (const auto* m = std::get_if<Mute>(&message)) {
    mute(*meeting, *p, *m);
  } else if (const auto* m = std::get_if<Chat>(&message)) {
    chat(*meeting, *p, *m);
  } else if (const auto* m = std::get_if<View>(&message)) {
    view(*meeting, *p, *m);
  } else if (std::holds_alternative<Leave>(message)) {
    std::string id = p->id;
    remove(*meeting, id);
    conn->close();
  }
}

Meetings::Participant& Meetings::addParticipant(Meeting& meeting, const std::string& name,
                                                const std::shared_ptr<WsConnection>& conn) {
  auto p = std::make_unique<Participant>();
  do {
    p->id = util::randomString(12, kIdAlphabet);
  } while (meeting.participants.count(p->id));
  p->secret = util::randomString(32, kIdAlphabet);
  p->name = name;
  p->joinOrder = ++meeting.joins;
  if (conn) {
    p->conn = conn;
    p->connId = conn->id();
  }
  p->cname = util::randomString(16, kIdAlphabet);  // RFC 7022: token characters only
  p->publishLocal.fingerprint = {"sha-256", media_.certificateFingerprint()};
  p->publishLocal.candidates = media_.roomCandidates(meeting.room);
  p->publishLocal.sessionId = util::randomU64() >> 1;
  p->subscribeSessionId = util::randomU64() >> 1;
  p->subscribeIce = {util::randomIceString(16), util::randomIceString(32)};
  Participant& self = *p;
  meeting.participants.emplace(p->id, std::move(p));
  return self;
}

void Meetings::join(const std::shared_ptr<WsConnection>& conn, const Join& join) {
  if (byConnection_.count(conn->id())) {
    conn->send(encodeError("already-joined", "this connection is in a meeting already", "join"));
    return;
  }
  auto found = meetings_.find(join.meeting);
  if (join.resume) {
    Participant* p = nullptr;
    if (found != meetings_.end()) {
      auto it = found->second->participants.find(join.resume->participant);
      if (it != found->second->participants.end() &&
          sameSecret(it->second->secret, join.resume->secret)) {
        p = it->second.get();
      }
    }
    if (!p) {
      conn->send(encodeError("resume-failed",
                             "the earlier session of this participant has ended; join again",
                             "join"));
      return;
    }
    Meeting& meeting = *found->second;
    // The same person on a new socket: the old one (if still open) is replaced.
    byConnection_.erase(p->connId);
    if (auto old = p->conn.lock(); old && old->id() != conn->id()) old->close();
    p->conn = conn;
    p->connId = conn->id();
    p->reconnecting = false;
    // The old socket's offer is lost: the next subscribe.restart starts afresh.
    p->offerInFlight = false;
    byConnection_[conn->id()] = {meeting.name, p->id};
    std::vector<ParticipantInfo> others;
    for (Participant* q : meeting.inJoinOrder()) {
      if (q != p) others.push_back(infoOf(*q));
    }
    conn->send(encodeJoined(infoOf(*p), p->secret, meeting.name, true, others, meeting.videoCodec));
    broadcast(meeting, encodeParticipantUpdated(infoOf(*p)), p->id);
    return;
  }

  if (found == meetings_.end()) {
    if (meetings_.size() >= limits_.maxMeetings) {
      conn->send(
          encodeError("server-full", "this server holds as many meetings as it can", "join"));
      return;
    }
    auto meeting = std::make_unique<Meeting>();
    meeting->name = join.meeting;
    meeting->room = openRoom();
    found = meetings_.emplace(join.meeting, std::move(meeting)).first;
  }
  Meeting& meeting = *found->second;
  if (meeting.participants.size() >= limits_.maxParticipantsPerMeeting) {
    conn->send(encodeError("meeting-full",
                           "this meeting is full (" +
                               std::to_string(limits_.maxParticipantsPerMeeting) + " participants)",
                           "join"));
    return;
  }
  Participant& self = addParticipant(meeting, join.name, conn);
  self.videoCodecs = join.videoCodecs;
  byConnection_[conn->id()] = {meeting.name, self.id};
  updateVideoCodec(meeting, self.id);

  std::vector<ParticipantInfo> others;
  for (Participant* q : meeting.inJoinOrder()) {
    if (q != &self) others.push_back(infoOf(*q));
  }
  conn->send(
      encodeJoined(infoOf(self), self.secret, meeting.name, false, others, meeting.videoCodec));
  if (!meeting.dominantSpeaker.empty()) conn->send(encodeDominantSpeaker(meeting.dominantSpeaker));
  broadcast(meeting, encodeParticipantJoined(infoOf(self)), self.id);
  renegotiate(meeting, self);
}

void Meetings::publish(Meeting& meeting, Participant& p, const Publish& publish) {
  std::string answer;
  std::string error = applyPublish(meeting, p, publish, &answer);
  p.send(error.empty() ? encodePublishAnswer(answer) : encodeError("bad-offer", error, "publish"));
}

std::string Meetings::applyPublish(Meeting& meeting, Participant& p, const Publish& publish,
                                   std::string* answerSdp) {
  auto offer = sdp::parse(publish.sdp);
  if (!offer) return "the offer is not valid SDP: " + offer.error();
  // A new remote ufrag is an ICE restart (RFC 8445 §9): the answer gets new credentials too.
  std::string remoteUfrag =
      offer->media.empty() ? offer->iceUfrag : offer->iceUfragFor(offer->media.front());
  if (p.publishLocal.iceUfrag.empty() || remoteUfrag != p.publishRemoteUfrag) {
    p.publishLocal.iceUfrag = util::randomIceString(16);
    p.publishLocal.icePwd = util::randomIceString(32);
  }
  ++p.publishLocal.sessionVersion;
  // The answer's first video codec is the one the browser sends.
  p.publishLocal.codecs.video = publishCodecs(meeting);
  auto answer = sdp::negotiateAnswer(*offer, p.publishLocal);
  if (!answer) return "the offer cannot be served: " + answer.error();
  sfu::PublishSpec spec;
  std::map<std::string, bool> stereo;  // by mid
  spec.localIce = {p.publishLocal.iceUfrag, p.publishLocal.icePwd};
  spec.remote.ice = {answer->remoteIceUfrag, answer->remoteIcePwd};
  spec.remote.fingerprintAlgorithm = answer->remoteFingerprint.algorithm;
  spec.remote.fingerprint = answer->remoteFingerprint.value;
  for (const auto& track : publish.tracks) {
    auto media = std::find_if(answer->media.begin(), answer->media.end(),
                              [&](const sdp::NegotiatedMedia& m) { return m.mid == track.mid; });
    if (media == answer->media.end() || !media->accepted || media->kind != kindFor(track.source) ||
        !sdp::receives(media->direction)) {
      return "track '" + track.mid + "' (" + std::string(toString(track.source)) +
             ") is not a sending " + std::string(kindOf(track.source)) + " m-section of the offer";
    }
    spec.remote.extensions = extensionMapOf(media->extensionIds, spec.remote.extensions);
    // RFC 7587 §7: the answer's stereo=1 says this sender's Opus carries two channels.
    for (const auto& c : media->codecs) {
      if (c.fmtp.find("stereo=1") != std::string::npos) stereo[track.mid] = true;
    }
    sfu::PublicationSpec pub;
    pub.mid = track.mid;
    pub.source = toSfu(track.source);
    for (const auto& c : media->codecs) pub.codecs.push_back(codecSpecOf(c));
    pub.rids = media->remoteRids;
    for (const auto& rs : media->remoteStreams)
      pub.ssrcs.emplace_back(rs.ssrc, rs.rtxSsrc.value_or(0));
    spec.publications.push_back(std::move(pub));
  }
  p.publishRemoteUfrag = remoteUfrag;
  media_.setPublisher(meeting.room, p.id, std::move(spec));
  *answerSdp = sdp::write(answer->description);

  std::map<TrackSource, Participant::Track> tracks;
  for (const auto& track : publish.tracks) {
    tracks[track.source] = Participant::Track{track.mid, p.muted[track.source], stereo[track.mid]};
  }
  bool changed = tracks.size() != p.tracks.size() ||
                 !std::equal(tracks.begin(), tracks.end(), p.tracks.begin(),
                             [](const auto& a, const auto& b) { return a.first == b.first; });
  p.tracks = std::move(tracks);
  if (changed) {
    broadcast(meeting, encodeParticipantUpdated(infoOf(p)), p.id);
    renegotiateOthers(meeting, p.id);
  }
  return {};
}

WhipResult Meetings::whipPublish(const std::string& meetingName, const std::string& name,
                                 const std::string& offerSdp) {
  if (!isValidMeetingName(meetingName)) return {400, "not a valid meeting name", {}, {}};
  auto offer = sdp::parse(offerSdp);
  if (!offer) return {400, "the offer is not valid SDP: " + offer.error(), {}, {}};
  // RFC 9725 carries no track roles: audio is the microphone, the first video the camera,
  // a second video a screen.
  Publish publish{offerSdp, {}};
  bool haveAudio = false;
  int videos = 0;
  for (const auto& m : offer->media) {
    // Port 0 with a=bundle-only is a bundled section (RFC 8843 §6), as GStreamer sends it.
    bool rejected = m.port == 0 && !m.bundleOnly;
    if (m.mid.empty() || rejected || !sdp::sends(m.direction.value_or(sdp::Direction::SendRecv))) {
      continue;
    }
    if (m.kind == sdp::MediaKind::Audio && !haveAudio) {
      haveAudio = true;
      publish.tracks.push_back({m.mid, TrackSource::Microphone});
    } else if (m.kind == sdp::MediaKind::Video && videos < 2) {
      publish.tracks.push_back({m.mid, videos++ == 0 ? TrackSource::Camera : TrackSource::Screen});
    }
  }
  if (publish.tracks.empty()) return {400, "the offer sends no audio or video", {}, {}};
  auto display = normalizeDisplayName(name.empty() ? std::string_view("Stream") : name);
  if (!display) return {400, "a display name has 1 to 64 characters", {}, {}};

  auto found = meetings_.find(meetingName);
  if (found == meetings_.end()) {
    if (meetings_.size() >= limits_.maxMeetings) return {503, "this server is full", {}, {}};
    auto meeting = std::make_unique<Meeting>();
    meeting->name = meetingName;
    meeting->room = openRoom();
    found = meetings_.emplace(meetingName, std::move(meeting)).first;
  }
  Meeting& meeting = *found->second;
  if (meeting.participants.size() >= limits_.maxParticipantsPerMeeting) {
    if (meeting.participants.empty()) meetings_.erase(found);
    return {403, "the meeting is full", {}, {}};
  }
  Participant& p = addParticipant(meeting, *display, nullptr);
  p.whipResource = util::randomString(24, kIdAlphabet);
  whipResources_[p.whipResource] = {meeting.name, p.id};
  broadcast(meeting, encodeParticipantJoined(infoOf(p)), p.id);
  std::string answer;
  std::string error = applyPublish(meeting, p, publish, &answer);
  if (!error.empty()) {
    remove(meeting, p.id);
    return {400, error, {}, {}};
  }
  return {201, {}, answer, p.whipResource};
}

bool Meetings::whipDelete(const std::string& meetingName, const std::string& resource) {
  auto it = whipResources_.find(resource);
  if (it == whipResources_.end() || it->second.first != meetingName) return false;
  auto m = meetings_.find(it->second.first);
  std::string participant = it->second.second;
  whipResources_.erase(it);
  if (m != meetings_.end()) remove(*m->second, participant);
  return true;
}

uint64_t Meetings::openRoom() {
  sfu::RoomConfig config;
  config.lastN = rooms_.lastN;
  config.audioLoudestN = rooms_.audioLoudestN;
  config.audioLoudestMinParticipants = rooms_.audioLoudestMinParticipants;
  return media_.openRoom(config);
}

uint64_t Meetings::roomOf(const std::string& meeting) const {
  auto it = meetings_.find(meeting);
  return it == meetings_.end() ? 0 : it->second->room;
}

Meetings::Meeting* Meetings::meetingOfRoom(uint64_t room) {
  for (auto& [name, meeting] : meetings_) {
    if (meeting->room == room) return meeting.get();
  }
  return nullptr;
}

void Meetings::view(Meeting& meeting, Participant& p, const View& v) {
  sfu::ViewSpec spec;
  spec.reported = true;
  for (const auto& t : v.tiles) {
    spec.tiles.push_back(sfu::TileView{t.participant, toSfu(t.source), t.width, t.height});
  }
  spec.pinned = v.pinned;
  spec.lastN = v.lastN.value_or(-1);
  media_.setView(meeting.room, p.id, std::move(spec));
}

void Meetings::onRoomEvent(uint64_t room, const sfu::RoomEvent& event) {
  using Kind = sfu::RoomEvent::Kind;
  if (event.kind == Kind::MediaClosed) {
    onMediaClosed(room, event.participant);
    return;
  }
  Meeting* meeting = meetingOfRoom(room);
  if (!meeting) return;
  auto it = meeting->participants.find(event.participant);
  if (it == meeting->participants.end()) return;
  Participant& p = *it->second;
  switch (event.kind) {
    case Kind::DominantSpeaker:
      if (meeting->dominantSpeaker == event.participant) return;
      meeting->dominantSpeaker = event.participant;
      broadcast(*meeting, encodeDominantSpeaker(event.participant));
      return;
    case Kind::Forwarding: {
      std::vector<std::pair<std::string, TrackSource>> paused;
      for (const auto& [publisher, source] : event.paused)
        paused.emplace_back(publisher, toTrackSource(source));
      p.send(encodeForwarding(paused));
      return;
    }
    case Kind::PublisherLayers: {
      std::vector<bool> active(event.layerCount, false);
      for (size_t i = 0; i < event.layerCount; ++i)
        active[i] = static_cast<int>(i) <= event.neededLayer;
      p.send(encodeLayers(toTrackSource(event.source), active));
      return;
    }
    case Kind::MediaClosed:
      return;
  }
}

void Meetings::onMediaClosed(uint64_t room, const std::string& participant) {
  // Only publishers without a socket end this way; the others have their reconnection grace.
  for (auto& [name, meeting] : meetings_) {
    if (meeting->room != room) continue;
    auto it = meeting->participants.find(participant);
    if (it != meeting->participants.end() && !it->second->whipResource.empty()) {
      whipResources_.erase(it->second->whipResource);
      remove(*meeting, participant);
    }
    return;
  }
}

void Meetings::renegotiateOthers(Meeting& meeting, const std::string& except) {
  for (Participant* q : meeting.inJoinOrder()) {
    if (q->id != except) renegotiate(meeting, *q);
  }
}

void Meetings::renegotiate(Meeting& meeting, Participant& p) {
  if (p.reconnecting || p.conn.expired() || p.offerInFlight) {
    p.dirty = true;
    return;
  }
  // What p should receive: every other participant's published tracks.
  std::set<std::pair<std::string, TrackSource>> wanted;
  for (Participant* q : meeting.inJoinOrder()) {
    if (q == &p) continue;
    for (const auto& [source, track] : q->tracks) wanted.emplace(q->id, source);
  }
  bool changed = false;
  std::set<std::pair<std::string, TrackSource>> present;
  for (auto& slot : p.slots) {
    if (!slot.active) continue;
    if (wanted.count({slot.publisher, slot.source})) {
      present.emplace(slot.publisher, slot.source);
    } else {
      slot.active = false;
      changed = true;
    }
  }
  for (Participant* q : meeting.inJoinOrder()) {
    if (q == &p) continue;
    for (const auto& [source, track] : q->tracks) {
      if (present.count({q->id, source})) continue;
      sdp::MediaKind kind = kindFor(source);
      auto reuse = std::find_if(p.slots.begin(), p.slots.end(), [&](const Participant::Slot& s) {
        return !s.active && s.kind == kind;
      });
      if (reuse == p.slots.end()) {
        Participant::Slot slot;
        slot.mid = std::to_string(p.nextMid++);
        slot.kind = kind;
        p.slots.push_back(std::move(slot));
        reuse = p.slots.end() - 1;
      }
      reuse->active = true;
      reuse->publisher = q->id;
      reuse->source = source;
      reuse->ssrc = util::randomU32();
      reuse->rtxSsrc = kind == sdp::MediaKind::Video ? util::randomU32() : 0;
      changed = true;
    }
  }
  if (!changed && !p.forceOffer) return;
  p.dirty = false;
  p.forceOffer = false;
  if (p.slots.empty()) return;  // nothing to receive yet: no peer connection needed

  if (p.restartIce) {
    p.subscribeIce = {util::randomIceString(16), util::randomIceString(32)};
    p.restartIce = false;
  }
  sdp::SubscribeOfferParameters params;
  params.iceUfrag = p.subscribeIce.ufrag;
  params.icePwd = p.subscribeIce.pwd;
  params.fingerprint = {"sha-256", media_.certificateFingerprint()};
  params.candidates = media_.roomCandidates(meeting.room);
  params.sessionId = p.subscribeSessionId;
  params.sessionVersion = ++p.subscribeVersion;
  // Both the room's codec and VP8 when they differ: a browser that has both then receives
  // whichever a publisher sends, also while a room switches between them.
  params.codecs.video = subscribeCodecs();
  std::vector<SubscribedTrack> tracks;
  for (const auto& slot : p.slots) {
    sdp::SubscribeSlot s;
    s.mid = slot.mid;
    s.kind = slot.kind;
    s.active = slot.active;
    if (slot.active) {
      s.sender.mid = slot.mid;
      s.sender.ssrc = slot.ssrc;
      s.sender.rtxSsrc = slot.rtxSsrc;
      s.sender.cname = p.cname;
      s.sender.streamId = slot.publisher;
      s.sender.trackId = slot.publisher + "-" + std::string(toString(slot.source));
      auto publisher = meeting.participants.find(slot.publisher);
      if (publisher != meeting.participants.end()) {
        auto track = publisher->second->tracks.find(slot.source);
        s.stereo = track != publisher->second->tracks.end() && track->second.stereo;
      }
      tracks.push_back(SubscribedTrack{slot.mid, slot.publisher, slot.source});
    }
    params.slots.push_back(std::move(s));
  }
  try {
    p.lastOffer = sdp::buildSubscribeOffer(params);
  } catch (const std::exception& e) {
    spdlog::error("meeting: cannot build a subscribe offer: {}", e.what());
    return;
  }
  p.offerInFlight = true;
  p.send(encodeSubscribeOffer(sdp::write(p.lastOffer), tracks));
}

void Meetings::subscribeAnswer(Meeting& meeting, Participant& p, const SubscribeAnswer& message) {
  if (!p.offerInFlight) {
    p.send(encodeError("no-offer", "there is no subscribe offer to answer", "subscribe.answer"));
    return;
  }
  p.offerInFlight = false;
  auto parsed = sdp::parse(message.sdp);
  auto answer = parsed ? sdp::applySubscribeAnswer(p.lastOffer, *parsed)
                       : sdp::Result<sdp::SubscribeAnswer>(sdp::Error{parsed.error()});
  if (!answer) {
    p.send(encodeError("bad-answer", "the answer cannot be used: " + answer.error(),
                       "subscribe.answer"));
  } else if (!answer->remoteIceUfrag.empty()) {
    if (answer->remoteSetup != sdp::Setup::Active) {
      p.send(encodeError("bad-answer", "the server is the DTLS server: answer with a=setup:active",
                         "subscribe.answer"));
    } else {
      sfu::SubscribeSpec spec;
      spec.localIce = p.subscribeIce;
      spec.remote.ice = {answer->remoteIceUfrag, answer->remoteIcePwd};
      spec.remote.fingerprintAlgorithm = answer->remoteFingerprint.algorithm;
      spec.remote.fingerprint = answer->remoteFingerprint.value;
      spec.cname = p.cname;
      for (size_t i = 0; i < p.slots.size() && i < answer->media.size(); ++i) {
        const auto& slot = p.slots[i];
        const auto& media = answer->media[i];
        spec.remote.extensions = extensionMapOf(media.extensionIds, spec.remote.extensions);
        if (!slot.active || !media.receiving()) continue;
        sfu::SubscriptionSpec sub;
        sub.mid = slot.mid;
        sub.publisher = slot.publisher;
        sub.source = toSfu(slot.source);
        sub.ssrc = slot.ssrc;
        for (const auto& c : media.codecs) sub.codecs.push_back(codecSpecOf(c));
        bool rtx = std::any_of(sub.codecs.begin(), sub.codecs.end(), [](const sfu::CodecSpec& c) {
          return c.rtxPayloadType.has_value();
        });
        sub.rtxSsrc = rtx ? slot.rtxSsrc : 0;
        spec.subscriptions.push_back(std::move(sub));
      }
      media_.setSubscriber(meeting.room, p.id, std::move(spec));
    }
  }
  if (p.dirty || p.forceOffer) renegotiate(meeting, p);
}

void Meetings::subscribeRestart(Meeting& meeting, Participant& p) {
  // New credentials go into the next offer. An offer still in flight is answered first with
  // the credentials it carried, so the browser's answer and the server's transport agree.
  p.restartIce = true;
  p.forceOffer = true;
  renegotiate(meeting, p);
}

void Meetings::mute(Meeting& meeting, Participant& p, const Mute& m) {
  p.muted[m.source] = m.muted;
  media_.setMuted(meeting.room, p.id, toSfu(m.source), m.muted);
  auto it = p.tracks.find(m.source);
  if (it != p.tracks.end()) it->second.muted = m.muted;
  broadcast(meeting, encodeParticipantUpdated(infoOf(p)), p.id);
}

void Meetings::chat(Meeting& meeting, Participant& p, const Chat& c) {
  broadcast(meeting, encodeChat(p.id, p.name, c.text, unixMs()));
}

void Meetings::remove(Meeting& meeting, std::string participantId) {
  auto it = meeting.participants.find(participantId);
  if (it == meeting.participants.end()) return;
  if (it->second->connId) byConnection_.erase(it->second->connId);
  if (!it->second->whipResource.empty()) whipResources_.erase(it->second->whipResource);
  meeting.participants.erase(it);
  if (meeting.dominantSpeaker == participantId) meeting.dominantSpeaker.clear();
  media_.removeParticipant(meeting.room, participantId);
  broadcast(meeting, encodeParticipantLeft(participantId));
  updateVideoCodec(meeting);
  renegotiateOthers(meeting, {});
  if (meeting.participants.empty()) {
    // Nothing about a meeting outlives it.
    media_.closeRoom(meeting.room);
    meetings_.erase(meeting.name);
  }
}

void Meetings::updateVideoCodec(Meeting& meeting, const std::string& except) {
  std::string codec = rooms_.videoCodec;
  for (auto& [id, p] : meeting.participants) {
    // A WHIP publisher receives nothing, and its offer decides what it sends (VP8 is always
    // accepted): only browsers hold a room back.
    if (!p->whipResource.empty()) continue;
    if (std::find(p->videoCodecs.begin(), p->videoCodecs.end(), codec) == p->videoCodecs.end()) {
      codec = kFallbackVideoCodec;
      break;
    }
  }
  if (codec == meeting.videoCodec) return;
  spdlog::info("meeting: a room's video codec is now {}", codec);
  meeting.videoCodec = codec;
  broadcast(meeting, encodeVideoCodec(codec), except);
}

std::vector<std::string> Meetings::publishCodecs(const Meeting& meeting) const {
  if (meeting.videoCodec == kFallbackVideoCodec) return {kFallbackVideoCodec};
  return {meeting.videoCodec, kFallbackVideoCodec};
}

std::vector<std::string> Meetings::subscribeCodecs() const {
  if (rooms_.videoCodec == kFallbackVideoCodec) return {kFallbackVideoCodec};
  return {rooms_.videoCodec, kFallbackVideoCodec};
}

void Meetings::onClose(const std::shared_ptr<WsConnection>& conn) {
  Meeting* meeting = nullptr;
  Participant* p = participantOf(*conn, &meeting);
  byConnection_.erase(conn->id());
  if (!p || p->connId != conn->id()) return;
  p->reconnecting = true;
  p->disconnectedAtMs = util::nowMs();
  broadcast(*meeting, encodeParticipantUpdated(infoOf(*p)), p->id);
}

void Meetings::onTick(uint64_t nowMs) {
  std::vector<std::pair<Meeting*, std::string>> expired;
  for (auto& [name, meeting] : meetings_) {
    for (auto& [id, p] : meeting->participants) {
      if (p->reconnecting && nowMs - p->disconnectedAtMs >= limits_.reconnectGraceMs) {
        expired.emplace_back(meeting.get(), id);
      }
    }
  }
  // remove() may erase a meeting: each entry is looked up again.
  for (auto& [meeting, id] : expired) {
    for (auto& [name, m] : meetings_) {
      if (m.get() == meeting) {
        remove(*meeting, id);
        break;
      }
    }
  }
}

}  // namespace treff::signaling
