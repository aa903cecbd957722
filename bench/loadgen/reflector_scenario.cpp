#include "reflector_scenario.hpp"

#include <sys/resource.h>
#include <sys/socket.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>
#include <stdexcept>
#include <thread>

#include "loop_tasks.hpp"
#include "media_source.hpp"
#include "media_stamp.hpp"
#include "net/event_loop.hpp"
#include "reflector_endpoint.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::loadgen {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kTickMs = 2;
constexpr size_t kReceiveBufferSize = 2048;
constexpr double kDefaultRampTimeoutS = 10;
// Publishers start spread evenly over one key frame interval, as participants that join one
// after another would: key frames of all publishers in one tick would be a burst no real
// meeting sends.
constexpr uint64_t kStartSpreadUs = VideoSource::kKeyframeIntervalMs * 1000ULL;
// Copies per sendmmsg; all copies of a batch carry the send time stamped just before it.
constexpr size_t kCopiesPerBatch = 16;
constexpr size_t kCopyCapacity = 1600;

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

net::SocketAddress parseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw std::invalid_argument("--reflector wants HOST:PORT, got '" + text + "'");
  }
  const int port = std::stoi(text.substr(colon + 1));
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  auto address = net::SocketAddress::fromString(host, static_cast<uint16_t>(port));
  if (!address || port <= 0 || port > 65535) {
    throw std::invalid_argument("--reflector: not an IP address and port: '" + text + "'");
  }
  return *address;
}

// One simulated participant's receiving side: its socket, on one of the receive loops.
struct Member {
  uint32_t index = 0;
  uint32_t room = 0;
  uint32_t firstInRoom = 0;
  bool publishes = false;
  std::unique_ptr<ReflectorEndpoint> endpoint;
  ReflectorReceiveCounters receiveBase;  // at the start of the measured phase
};

// A publisher's sending side, on the sender loop: its sources, its socket and the room members
// its packets stand copies for. The fan-out runs on a thread of its own, as it would in the
// server, so that it never holds up a receive loop (whose delay it would add).
struct Publisher {
  uint32_t index = 0;
  std::unique_ptr<AudioSource> audio;
  std::unique_ptr<VideoSource> video;
  ReflectorEndpoint* endpoint = nullptr;
  std::vector<uint32_t> recipients;
  uint64_t startUs = 0;  // sends nothing before
  bool mediaOn = true;
  uint64_t copiesSent = 0;
  uint64_t bytesSent = 0;
  std::atomic<uint64_t> liveSent{0};
  // At the start of the measured phase.
  SourceCounters audioBase, videoBase;
  uint64_t copiesBase = 0, bytesBase = 0;
};

struct LoopThread {
  net::EventLoop loop;
  std::vector<Member*> members;
  std::vector<uint8_t> receiveBuffer = std::vector<uint8_t>(kReceiveBufferSize);
  std::thread thread;
};

struct SenderThread {
  net::EventLoop loop;
  std::vector<Publisher*> publishers;
  alignas(16) std::array<uint8_t, kCopyCapacity> sendBuffer{};
  // One batch of copies: a buffer and a message header each.
  std::array<std::array<uint8_t, kCopyCapacity>, kCopiesPerBatch> copies{};
  std::array<iovec, kCopiesPerBatch> iovs{};
  std::array<mmsghdr, kCopiesPerBatch> messages{};
  std::thread thread;
};

// Sends one copy of a built packet per recipient through the publisher's socket, in batches;
// each copy's stamp names its recipient and the time just before its batch went out.
void fanOut(SenderThread& t, Publisher& p, const uint8_t* packet, size_t size) {
  const size_t at = findStampOffset(const_cast<uint8_t*>(packet), size);
  if (at == 0 || size > kCopyCapacity) return;
  MediaStamp stamp;
  stamp.read(packet + at, size - at);
  for (size_t first = 0; first < p.recipients.size(); first += kCopiesPerBatch) {
    const size_t count = std::min(kCopiesPerBatch, p.recipients.size() - first);
    stamp.sendUs = util::nowUs();
    for (size_t j = 0; j < count; ++j) {
      uint8_t* copy = t.copies[j].data();
      std::memcpy(copy, packet, size);
      stamp.publisher = p.recipients[first + j];
      stamp.write(copy + at);
      t.iovs[j] = iovec{copy, size};
      t.messages[j] = mmsghdr{};
      t.messages[j].msg_hdr.msg_iov = &t.iovs[j];
      t.messages[j].msg_hdr.msg_iovlen = 1;
    }
    const size_t sent = p.endpoint->sendBatch(t.messages.data(), count);
    p.copiesSent += sent;
    p.bytesSent += sent * size;
  }
  p.liveSent.store(p.liveSent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
}

void sendDue(SenderThread& t, Publisher& p) {
  const uint64_t nowUs = util::nowUs();
  if (!p.mediaOn || nowUs < p.startUs) return;
  uint8_t* buf = t.sendBuffer.data();
  const size_t cap = t.sendBuffer.size();
  if (p.audio) {
    while (size_t n = p.audio->nextPacket(nowUs, buf, cap, nullptr)) fanOut(t, p, buf, n);
  }
  if (p.video) {
    while (size_t n = p.video->nextPacket(nowUs, buf, cap, nullptr)) fanOut(t, p, buf, n);
  }
}

// Runs fn(publisher) for every publisher on the sender loop and waits.
template <typename Fn>
void onSender(SenderThread& sender, Fn fn) {
  auto promise = std::make_shared<std::promise<void>>();
  auto done = promise->get_future();
  sender.loop.post([&sender, fn, promise] {
    for (Publisher* p : sender.publishers) fn(*p);
    promise->set_value();
  });
  done.wait_for(10s);
}

// Whether every recipient's copies of both tracks come back (publisher's loop).
bool copiesReturning(const Member& m, uint32_t roomSize, bool audioOnly) {
  if (!m.publishes) return true;
  for (uint32_t r = 0; r < roomSize; ++r) {
    const uint32_t recipient = m.firstInRoom + r;
    if (recipient == m.index) continue;
    if (!m.endpoint->flow(recipient, 0).started()) return false;
    if (!audioOnly && !m.endpoint->flow(recipient, 1).started()) return false;
  }
  return true;
}

// The receiving half of a participant's snapshot (its socket's loop); `flows` holds, for now,
// its socket's flows by recipient.
ParticipantSnapshot receiveSnapshotOf(const Member& m, uint32_t roomSize) {
  ParticipantSnapshot s;
  s.index = m.index;
  s.room = m.room;
  s.id = "reflector-" + std::to_string(m.index);
  s.publishes = m.publishes;
  const ReflectorReceiveCounters& r = m.endpoint->counters();
  s.datagramsReceived = r.datagrams - m.receiveBase.datagrams;
  s.bytesReceived = r.bytes - m.receiveBase.bytes;
  s.receive.rtpPackets = s.datagramsReceived;
  s.receive.noStamp = r.noStamp - m.receiveBase.noStamp;
  s.receive.foreignPublisher = r.foreignRecipient - m.receiveBase.foreignRecipient;
  s.flows.reserve(size_t{roomSize} * 2);
  for (uint32_t p = 0; p < roomSize; ++p) {
    s.flows.push_back(m.endpoint->flow(m.firstInRoom + p, 0));
    s.flows.push_back(m.endpoint->flow(m.firstInRoom + p, 1));
  }
  return s;
}

// Turns the flows from "by recipient, on the publisher's socket" into what the report expects,
// "by publisher, for each recipient" (a participant's flows from every member of its room).
void regroupFlowsByRecipient(std::vector<ParticipantSnapshot>& snapshots, uint32_t perRoom) {
  std::vector<std::vector<FlowStats>> bySocket(snapshots.size());
  for (size_t i = 0; i < snapshots.size(); ++i) bySocket[i] = std::move(snapshots[i].flows);
  for (size_t r = 0; r < snapshots.size(); ++r) {
    const size_t first = r - r % perRoom;
    std::vector<FlowStats>& flows = snapshots[r].flows;
    flows.assign(size_t{perRoom} * 2, FlowStats{});
    for (size_t p = first; p < first + perRoom; ++p) {
      if (p == r || bySocket[p].empty()) continue;
      for (size_t kind = 0; kind < 2; ++kind) {
        flows[(p - first) * 2 + kind] = bySocket[p][(r - first) * 2 + kind];
      }
    }
  }
}

// The sending half (sender loop).
void addSendSnapshot(const Publisher& p, ParticipantSnapshot& s) {
  auto minus = [](SourceCounters c, const SourceCounters& base) {
    c.packets -= base.packets;
    c.payloadBytes -= base.payloadBytes;
    c.frames -= base.frames;
    c.keyframes -= base.keyframes;
    return c;
  };
  if (p.audio) s.audioSent = minus(p.audio->counters(), p.audioBase);
  if (p.video) s.videoSent = minus(p.video->counters(), p.videoBase);
  s.datagramsSent = p.copiesSent - p.copiesBase;
  s.bytesSent = p.bytesSent - p.bytesBase;
}

}  // namespace

ScenarioResult runReflectorScenario(const ScenarioOptions& o) {
  ScenarioResult result;
  const net::SocketAddress reflector = parseHostPort(o.reflector);
  const uint32_t perRoom = o.participants;
  const uint32_t publishersPerRoom = o.publishers == 0 ? perRoom : std::min(o.publishers, perRoom);
  result.publishersPerRoom = publishersPerRoom;
  const uint32_t total = o.rooms * perRoom;
  const double rampTimeoutS = o.rampTimeoutS > 0 ? o.rampTimeoutS : kDefaultRampTimeoutS;

  std::vector<std::unique_ptr<LoopThread>> loops;
  for (uint32_t t = 0; t < std::max<uint32_t>(1, o.threads); ++t) {
    loops.push_back(std::make_unique<LoopThread>());
  }
  std::vector<std::unique_ptr<Member>> all;
  try {
    for (uint32_t r = 0; r < o.rooms; ++r) {
      for (uint32_t i = 0; i < perRoom; ++i) {
        auto m = std::make_unique<Member>();
        m->index = r * perRoom + i;
        m->room = r;
        m->firstInRoom = r * perRoom;
        m->publishes = i < publishersPerRoom;
        LoopThread& lt = *loops[m->index % loops.size()];
        m->endpoint = std::make_unique<ReflectorEndpoint>(
            lt.loop, m->firstInRoom, perRoom, lt.receiveBuffer.data(), lt.receiveBuffer.size());
        m->endpoint->open(reflector);
        lt.members.push_back(m.get());
        all.push_back(std::move(m));
      }
    }
  } catch (const std::exception& e) {
    result.error = std::string("setup: ") + e.what();
    return result;
  }
  // Sources as a server run would set them up, with our own payload types and no extensions.
  SenderThread sender;
  std::vector<std::unique_ptr<Publisher>> publishers;
  for (auto& m : all) {
    if (!m->publishes) continue;
    auto p = std::make_unique<Publisher>();
    p->index = m->index;
    p->endpoint = m->endpoint.get();
    for (uint32_t i = 0; i < perRoom; ++i) {
      if (m->firstInRoom + i != m->index) p->recipients.push_back(m->firstInRoom + i);
    }
    SourceConfig audio;
    audio.ssrc = util::randomU32();
    audio.payloadType = kReflectorAudioPayloadType;
    audio.publisher = m->index;
    audio.mid = std::string(1, '0');
    audio.seed = o.seed * 1000003 + m->index * 2 + 1;
    audio.rateScale = o.rateScale;
    p->audio = std::make_unique<AudioSource>(audio);
    if (!o.audioOnly) {
      SourceConfig video = audio;
      video.ssrc = util::randomU32();
      video.payloadType = kReflectorVideoPayloadType;
      video.mid = std::string(1, '1');
      video.seed = o.seed * 1000003 + m->index * 2 + 2;
      p->video = std::make_unique<VideoSource>(video, o.videoKbps);
    }
    sender.publishers.push_back(p.get());
    publishers.push_back(std::move(p));
  }
  const uint64_t firstStartUs = util::nowUs();
  for (size_t i = 0; i < publishers.size(); ++i) {
    publishers[i]->startUs = firstStartUs + kStartSpreadUs * i / publishers.size();
  }
  for (auto& lt : loops) {
    lt->thread = std::thread([l = lt.get()] { l->loop.run(); });
  }
  sender.loop.setTickHandler(kTickMs, [&sender](uint64_t) {
    for (Publisher* p : sender.publishers) sendDue(sender, *p);
  });
  sender.thread = std::thread([&sender] { sender.loop.run(); });

  // Ramp-up: nothing to connect; wait until every socket hears every publisher of its room.
  const uint64_t rampStartMs = util::nowMs();
  bool ready = false;
  while (true) {
    auto count = std::make_shared<std::atomic<uint32_t>>(0);
    onEveryLoop(loops, &LoopThread::members, [&o, count, perRoom](Member& m) {
      if (copiesReturning(m, perRoom, o.audioOnly)) ++*count;
    });
    const double elapsedS = (util::nowMs() - rampStartMs) / 1000.0;
    if (*count == total) {
      ready = true;
      break;
    }
    if (elapsedS > rampTimeoutS) {
      char buf[200];
      std::snprintf(buf, sizeof(buf),
                    "after %.0f s the copies of only %u of %u participants come back from "
                    "the reflector at %s",
                    rampTimeoutS, count->load(), total, o.reflector.c_str());
      result.error = buf;
      break;
    }
    std::this_thread::sleep_for(50ms);
  }
  result.rampUpMs = util::nowMs() - rampStartMs;

  if (ready) {
    result.setupOk = true;
    std::fprintf(stderr,
                 "[loadgen] all %u participants connected after %.1f s (reflector %s); "
                 "measuring %.0f s\n",
                 total, result.rampUpMs / 1000.0, o.reflector.c_str(), o.durationS);
    onEveryLoop(loops, &LoopThread::members, [](Member& m) {
      m.endpoint->resetFlows();
      m.receiveBase = m.endpoint->counters();
    });
    onSender(sender, [](Publisher& p) {
      if (p.audio) p.audioBase = p.audio->counters();
      if (p.video) p.videoBase = p.video->counters();
      p.copiesBase = p.copiesSent;
      p.bytesBase = p.bytesSent;
    });
    const double startCpuS = processCpuSeconds();
    const uint64_t startUs = util::nowUs();
    const uint64_t endUs = startUs + static_cast<uint64_t>(o.durationS * 1e6);
    auto live = [&all, &publishers](uint64_t* sent, uint64_t* received) {
      *sent = *received = 0;
      for (const auto& p : publishers) *sent += p->liveSent.load(std::memory_order_relaxed);
      for (const auto& m : all) *received += m->endpoint->liveReceived();
    };
    uint64_t prevSent = 0, prevReceived = 0;
    live(&prevSent, &prevReceived);
    uint64_t previousUs = startUs;
    while (util::nowUs() < endUs) {
      const uint64_t wakeUs = std::min(endUs, previousUs + 1'000'000);
      std::this_thread::sleep_for(std::chrono::microseconds(wakeUs - util::nowUs()));
      uint64_t sent = 0, received = 0;
      live(&sent, &received);
      const uint64_t nowUs = util::nowUs();
      const double dt = (nowUs - previousUs) / 1e6;
      std::fprintf(stderr,
                   "[loadgen] %5.1f/%.0f s: reflector, sent %.0f pkt/s, received %.0f pkt/s\n",
                   (nowUs - startUs) / 1e6, o.durationS, (sent - prevSent) / dt,
                   (received - prevReceived) / dt);
      prevSent = sent;
      prevReceived = received;
      previousUs = nowUs;
    }
    result.measuredS = (util::nowUs() - startUs) / 1e6;
    result.loadgenCpuS = processCpuSeconds() - startCpuS;
    auto snapshots = std::make_shared<std::vector<ParticipantSnapshot>>(total);
    // Sending stops first, so that the sent counts cover no more than the receivers saw.
    auto sendSide = std::make_shared<std::vector<ParticipantSnapshot>>(total);
    onSender(sender, [sendSide](Publisher& p) {
      addSendSnapshot(p, (*sendSide)[p.index]);
      p.mediaOn = false;
    });
    onEveryLoop(loops, &LoopThread::members, [snapshots, perRoom](Member& m) {
      (*snapshots)[m.index] = receiveSnapshotOf(m, perRoom);
    });
    regroupFlowsByRecipient(*snapshots, perRoom);
    for (uint32_t i = 0; i < total; ++i) {
      ParticipantSnapshot& s = (*snapshots)[i];
      const ParticipantSnapshot& sent = (*sendSide)[i];
      s.audioSent = sent.audioSent;
      s.videoSent = sent.videoSent;
      s.datagramsSent = sent.datagramsSent;
      s.bytesSent = sent.bytesSent;
    }
    result.participants = std::move(*snapshots);
  }

  std::fprintf(stderr, "[loadgen] leaving\n");
  sender.loop.stop();
  sender.thread.join();
  for (auto& lt : loops) {
    lt->loop.stop();
    lt->thread.join();
  }
  // The sockets close only now that no loop thread can send through them.
  all.clear();
  return result;
}

}  // namespace treff::loadgen
