#include "sfu/media_plane.hpp"

#include <spdlog/spdlog.h>

#include "dtls/certificate.hpp"
#include "rtp/header_extensions.hpp"
#include "sdp/answer.hpp"
#include "sdp/parser.hpp"
#include "sdp/writer.hpp"
#include "sfu/echo_session.hpp"
#include "sfu/room.hpp"
#include "sfu/worker.hpp"
#include "util/random.hpp"

namespace treff::sfu {
namespace {

// RFC 8445 §5.1.2.1: priority = 2^24 type preference + 2^8 local preference + (256 - component).
// Host candidates (type preference 126); UDP above TCP, earlier listen addresses first.
uint32_t candidatePriority(bool tcp, size_t addressIndex) {
  uint32_t local = (tcp ? 0x3fffu : 0xffffu) - static_cast<uint32_t>(addressIndex);
  return (126u << 24) | (local << 8) | 255u;
}

std::vector<sdp::Candidate> candidatesFor(const MediaPlaneConfig& config, const Worker& worker) {
  std::vector<sdp::Candidate> out;
  auto addresses = worker.localAddresses();
  for (size_t i = 0; i < addresses.size(); ++i) {
    std::string ip = config.announceIp.empty() ? addresses[i].ipString() : config.announceIp;
    for (bool tcp : {false, true}) {
      sdp::Candidate c;
      c.foundation = std::to_string(i * 2 + (tcp ? 2 : 1));
      c.component = 1;
      c.transport = tcp ? "tcp" : "udp";
      c.priority = candidatePriority(tcp, i);
      c.address = ip;
      c.port = addresses[i].port();
      c.type = "host";
      if (tcp) c.tcpType = "passive";
      out.push_back(std::move(c));
    }
    if (!config.announceIp.empty()) break;  // one announced address stands for all
  }
  return out;
}

bool offersRtx(const sdp::MediaSection& m) {
  for (const auto& c : m.codecs) {
    if (c.name == "rtx" || c.name == "RTX") return true;
  }
  return false;
}

}  // namespace

MediaPlane::MediaPlane(const MediaPlaneConfig& config)
    : config_(config), certificate_(std::make_unique<dtls::Certificate>()) {
  for (unsigned i = 0; i < config.workers; ++i) {
    WorkerConfig wc;
    wc.index = i;
    for (const auto& ip : config.listenIps) {
      auto address =
          net::SocketAddress::fromString(ip, static_cast<uint16_t>(config.mediaPort + i));
      if (!address) throw std::runtime_error("listen address '" + ip + "' is not an IP address");
      wc.listen.push_back(*address);
    }
    workers_.push_back(std::make_unique<Worker>(wc, *certificate_));
  }
}

MediaPlane::~MediaPlane() { stop(); }

void MediaPlane::start() {
  for (auto& w : workers_) w->start();
}

void MediaPlane::stop() {
  for (auto& w : workers_) w->stop();
}

const std::string& MediaPlane::certificateFingerprint() const {
  return certificate_->fingerprintSha256();
}

struct MediaPlane::SessionRecord {
  unsigned worker = 0;
  sdp::LocalParameters local;  // senders, candidates, fingerprint of the first answer
};

namespace {

// Parses and answers an offer with `local` (fresh ICE credentials each time).
sdp::Result<sdp::Answer> answerOffer(std::string_view offerSdp, sdp::LocalParameters& local) {
  auto offer = sdp::parse(offerSdp);
  if (!offer) return sdp::Error{"the offer is not valid SDP: " + offer.error()};
  local.iceUfrag = util::randomIceString(16);
  local.icePwd = util::randomIceString(32);
  auto answer = sdp::negotiateAnswer(*offer, local);
  if (!answer) return sdp::Error{"the offer cannot be served: " + answer.error()};
  return answer;
}

ice::IceCredentials remoteIce(const sdp::Answer& answer) {
  return {answer.remoteIceUfrag, answer.remoteIcePwd};
}

}  // namespace

void MediaPlane::createEcho(std::string_view offerSdp, std::function<void(SessionResult)> done) {
  auto offer = sdp::parse(offerSdp);
  if (!offer) {
    done(SessionResult{false, 0, {}, "the offer is not valid SDP: " + offer.error()});
    return;
  }
  auto record = std::make_shared<SessionRecord>();
  record->worker = nextWorker_++ % workers_.size();
  Worker& worker = *workers_[record->worker];
  sdp::LocalParameters& local = record->local;
  local.fingerprint = {"sha-256", certificate_->fingerprintSha256()};
  local.sessionId = util::randomU64() >> 1;  // JSEP: one origin for the session's answers
  local.sessionVersion = 1;
  local.candidates = candidatesFor(config_, worker);
  std::string cname = util::randomString(16, "abcdefghijklmnopqrstuvwxyz0123456789");
  for (const auto& m : offer->media) {
    if (m.kind != sdp::MediaKind::Audio && m.kind != sdp::MediaKind::Video) continue;
    if (m.direction != sdp::Direction::SendRecv || m.mid.empty()) continue;
    sdp::LocalSender sender;
    sender.mid = m.mid;
    sender.ssrc = util::randomU32();
    if (m.kind == sdp::MediaKind::Video && offersRtx(m)) sender.rtxSsrc = util::randomU32();
    sender.cname = cname;
    sender.streamId = "treff-echo";
    sender.trackId = "echo-" + m.mid;
    local.senders.push_back(sender);
  }
  if (local.senders.empty()) {
    done(SessionResult{
        false, 0, {}, "the echo test needs at least one sendrecv audio or video track"});
    return;
  }
  auto answer = answerOffer(offerSdp, local);
  if (!answer) {
    done(SessionResult{false, 0, {}, answer.error()});
    return;
  }

  EchoConfig config;
  config.localIce = {local.iceUfrag, local.icePwd};
  config.remote.ice = remoteIce(*answer);
  config.remote.fingerprintAlgorithm = answer->remoteFingerprint.algorithm;
  config.remote.fingerprint = answer->remoteFingerprint.value;
  config.cname = cname;
  for (const auto& media : answer->media) {
    if (!media.accepted) continue;
    for (const auto& [uri, id] : media.extensionIds) {
      // BUNDLE: one id space for the transport; set() ignores repeats of the same mapping.
      config.remote.extensions.set(rtp::extensionTypeFromUri(uri), id);
    }
    for (const auto& codec : media.codecs)
      config.hints.payloadTypeMids.emplace_back(codec.payloadType, media.mid);
    for (const auto& [rtx, apt] : media.rtxToApt) {
      config.hints.payloadTypeMids.emplace_back(rtx, media.mid);
      config.hints.repairPayloadTypes.push_back(rtx);
    }
    for (const auto& rs : media.remoteStreams) {
      config.hints.ssrcMids.emplace_back(rs.ssrc, media.mid);
      if (rs.rtxSsrc) config.hints.repairOf.emplace_back(*rs.rtxSsrc, rs.ssrc);
    }
    for (const auto& sender : local.senders) {
      if (sender.mid != media.mid) continue;
      EchoStreamConfig stream;
      stream.mid = media.mid;
      stream.video = media.kind == sdp::MediaKind::Video;
      stream.clockRate = media.codecs.empty() ? 90000 : media.codecs.front().clockRate;
      stream.outSsrc = sender.ssrc;
      stream.outRtxSsrc = media.rtxToApt.empty() ? 0 : sender.rtxSsrc;
      config.streams.push_back(stream);
    }
  }
  uint64_t id = nextSessionId_++;
  sessions_[id] = record;
  std::string answerSdp = sdp::write(answer->description);
  worker.post([&worker, id, config = std::move(config), answerSdp = std::move(answerSdp),
               done = std::move(done)]() mutable {
    try {
      auto session = std::make_unique<EchoSession>(worker, config);
      session->setId(id);
      worker.addSession(id, std::move(session));
      done(SessionResult{true, id, std::move(answerSdp), {}});
    } catch (const std::exception& e) {
      done(SessionResult{false, 0, {}, std::string("cannot start the session: ") + e.what()});
    }
  });
}

void MediaPlane::restartEcho(uint64_t session, std::string_view offerSdp,
                             std::function<void(SessionResult)> done) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) {
    done(SessionResult{false, 0, {}, "there is no echo session to restart"});
    return;
  }
  std::shared_ptr<SessionRecord> record = it->second;
  ++record->local.sessionVersion;
  auto answer = answerOffer(offerSdp, record->local);
  if (!answer) {
    done(SessionResult{false, 0, {}, answer.error()});
    return;
  }
  ice::IceCredentials local{record->local.iceUfrag, record->local.icePwd};
  Worker& worker = *workers_[record->worker];
  worker.post([&worker, session, local, remote = remoteIce(*answer),
               answerSdp = sdp::write(answer->description), done = std::move(done)]() mutable {
    auto* echo = dynamic_cast<EchoSession*>(worker.findSession(session));
    if (!echo) {
      done(SessionResult{false, 0, {}, "the echo session has ended"});
      return;
    }
    echo->restartIce(local, remote);
    done(SessionResult{true, session, std::move(answerSdp), {}});
  });
}

void MediaPlane::closeEcho(uint64_t session) {
  auto it = sessions_.find(session);
  if (it == sessions_.end()) return;
  Worker& worker = *workers_[it->second->worker];
  sessions_.erase(it);
  worker.post([&worker, session] { worker.removeSession(session); });
}

uint64_t MediaPlane::openRoom(const RoomConfig& config) {
  uint64_t id = nextSessionId_++;
  unsigned index = nextWorker_++ % workers_.size();
  rooms_[id] = index;
  Worker& worker = *workers_[index];
  auto handler = roomEvents_;
  worker.post([&worker, id, handler, config] {
    worker.addSession(id, std::make_unique<Room>(worker, config, [id, handler](RoomEvent e) {
                        if (handler) handler(id, std::move(e));
                      }));
  });
  return id;
}

void MediaPlane::closeRoom(uint64_t room) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  Worker& worker = *workers_[it->second];
  rooms_.erase(it);
  worker.post([&worker, room] { worker.removeSession(room); });
}

std::vector<sdp::Candidate> MediaPlane::roomCandidates(uint64_t room) const {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return {};
  return candidatesFor(config_, *workers_[it->second]);
}

namespace {
// Runs fn with the room on its worker; a room closed meanwhile is skipped.
template <typename F>
void withRoom(Worker& worker, uint64_t room, F fn) {
  worker.post([&worker, room, fn = std::move(fn)]() mutable {
    if (auto* r = dynamic_cast<Room*>(worker.findSession(room))) fn(*r);
  });
}
}  // namespace

void MediaPlane::setPublisher(uint64_t room, const std::string& participant, PublishSpec spec) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  withRoom(*workers_[it->second], room, [participant, spec = std::move(spec)](Room& r) {
    try {
      r.setPublisher(participant, spec);
    } catch (const std::exception& e) {
      spdlog::error("room: cannot set a publisher: {}", e.what());
    }
  });
}

void MediaPlane::setSubscriber(uint64_t room, const std::string& participant, SubscribeSpec spec) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  withRoom(*workers_[it->second], room, [participant, spec = std::move(spec)](Room& r) {
    try {
      r.setSubscriber(participant, spec);
    } catch (const std::exception& e) {
      spdlog::error("room: cannot set a subscriber: {}", e.what());
    }
  });
}

void MediaPlane::removeParticipant(uint64_t room, const std::string& participant) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  withRoom(*workers_[it->second], room,
           [participant](Room& r) { r.removeParticipant(participant); });
}

void MediaPlane::setMuted(uint64_t room, const std::string& participant, Source source,
                          bool muted) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  withRoom(*workers_[it->second], room,
           [participant, source, muted](Room& r) { r.setMuted(participant, source, muted); });
}

void MediaPlane::setView(uint64_t room, const std::string& participant, ViewSpec view) {
  auto it = rooms_.find(room);
  if (it == rooms_.end()) return;
  withRoom(*workers_[it->second], room,
           [participant, view = std::move(view)](Room& r) { r.setView(participant, view); });
}

std::string MediaPlane::prometheusMetrics() const {
  std::string out;
  out.reserve(4096);
  for (size_t c = 0; c < static_cast<size_t>(Counter::kCount); ++c) {
    uint64_t sum = 0;
    for (const auto& w : workers_) sum += w->stats().get(static_cast<Counter>(c));
    std::string name = std::string("treff_") + counterName(static_cast<Counter>(c)) + "_total";
    out += "# TYPE " + name + " counter\n" + name + " " + std::to_string(sum) + "\n";
  }
  out += "# TYPE treff_packets_dropped_total counter\n";
  for (size_t r = 0; r < static_cast<size_t>(DropReason::kCount); ++r) {
    uint64_t sum = 0;
    for (const auto& w : workers_) sum += w->stats().dropped(static_cast<DropReason>(r));
    out += std::string("treff_packets_dropped_total{reason=\"") +
           dropReasonName(static_cast<DropReason>(r)) + "\"} " + std::to_string(sum) + "\n";
  }
  out += "# TYPE treff_media_workers gauge\ntreff_media_workers " +
         std::to_string(workers_.size()) + "\n";
  return out;
}

}  // namespace treff::sfu
