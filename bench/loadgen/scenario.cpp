#include "scenario.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <thread>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "loop_tasks.hpp"
#include "net/event_loop.hpp"
#include "util/time.hpp"

namespace treff::loadgen {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kTickMs = 2;
constexpr size_t kReceiveBufferSize = 2048;
// Janus VideoRoom ids of a run: kJanusRoomBase * (1 + pid % 1e6) + room index, so that a run
// never joins a room an earlier run created with other settings.
constexpr uint64_t kJanusRoomBase = 1000;

// One event loop thread and the participants pinned to it.
struct LoopThread {
  net::EventLoop loop;
  std::vector<Participant*> participants;
  std::vector<uint8_t> receiveBuffer = std::vector<uint8_t>(kReceiveBufferSize);
  std::thread thread;
};

double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return t.tv_sec + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::string hostOf(const std::string& url) {
  std::string rest = url;
  const auto scheme = rest.find("://");
  if (scheme != std::string::npos) rest = rest.substr(scheme + 3);
  rest = rest.substr(0, rest.find('/'));
  return rest.substr(0, rest.rfind(':'));
}

struct Progress {
  uint32_t joined = 0, publishConnected = 0, subscribeConnected = 0, failed = 0;
  uint64_t sent = 0, received = 0, offeredBytes = 0;
  std::string firstFailure;
};

Progress progressOf(const std::vector<std::unique_ptr<Participant>>& all) {
  Progress p;
  for (const auto& x : all) {
    p.joined += x->joined();
    p.publishConnected += x->publishConnected();
    p.subscribeConnected += x->subscribeConnected();
    p.sent += x->liveSent();
    p.received += x->liveReceived();
    p.offeredBytes += x->liveOfferedBytes();
    if (x->failed()) {
      ++p.failed;
      if (p.firstFailure.empty()) p.firstFailure = x->failure();
    }
  }
  return p;
}

}  // namespace

ScenarioResult runScenario(const ScenarioOptions& o) {
  ScenarioResult result;
  const uint32_t perRoom = o.participants;
  const uint32_t publishersPerRoom = o.publishers == 0 ? perRoom : std::min(o.publishers, perRoom);
  result.publishersPerRoom = publishersPerRoom;
  const uint32_t total = o.rooms * perRoom;
  const uint32_t totalPublishers = o.rooms * publishersPerRoom;
  // Subscribers that have someone to receive from.
  uint32_t expectSubscribers = 0;
  for (uint32_t i = 0; i < perRoom; ++i) {
    expectSubscribers += (publishersPerRoom - (i < publishersPerRoom ? 1 : 0)) > 0;
  }
  expectSubscribers *= o.rooms;
  const double rampTimeoutS = o.rampTimeoutS > 0 ? o.rampTimeoutS : 20.0 + 0.1 * total;

  // One certificate for the process, as one browser profile would have per peer connection.
  dtls::Certificate certificate;
  dtls::Context dtlsContext(certificate);
  auto signaling = startSignalingThread();

  std::vector<std::unique_ptr<LoopThread>> loops;
  for (uint32_t t = 0; t < std::max<uint32_t>(1, o.threads); ++t) {
    loops.push_back(std::make_unique<LoopThread>());
  }
  std::vector<std::unique_ptr<Participant>> all;
  const std::string runTag = std::to_string(getpid());
  const bool janus = !o.janusUrl.empty();
  const std::string url = janus ? o.janusUrl : o.url;
  const std::string host = hostOf(url);
  JanusRoomSettings janusRoom;
  janusRoom.maxPublishers = perRoom + 1;  // everyone joins as a VideoRoom publisher
  janusRoom.bitrateBps = std::max<uint32_t>(2'000'000, o.videoKbps * 1000 * 3 / 2);
  const uint64_t janusFirstRoom = kJanusRoomBase * (1 + getpid() % 1'000'000);
  try {
    for (uint32_t r = 0; r < o.rooms; ++r) {
      for (uint32_t i = 0; i < perRoom; ++i) {
        ParticipantConfig c;
        c.index = r * perRoom + i;
        c.room = r;
        c.roomName = janus ? std::to_string(janusFirstRoom + r)
                     : !o.meeting.empty()
                         ? (o.rooms == 1 ? o.meeting : o.meeting + "-" + std::to_string(r))
                         : "loadgen-" + runTag + "-room" + std::to_string(r);
        c.name = "load-" + std::to_string(r) + "-" + std::to_string(i);
        c.firstInRoom = r * perRoom;
        c.roomSize = perRoom;
        c.publishes = i < publishersPerRoom;
        c.audioOnly = o.audioOnly;
        c.videoKbps = o.videoKbps;
        c.rateScale = o.rateScale;
        c.seed = o.seed;
        c.dropPercent = o.dropPercent;
        if (!o.capacitiesKbps.empty())
          c.capacityKbps = o.capacitiesKbps[c.index % o.capacitiesKbps.size()];
        c.url = url;
        c.janus = janus;
        c.janusRoom = janusRoom;
        c.serverHost = host;
        LoopThread& lt = *loops[c.index % loops.size()];
        all.push_back(std::make_unique<Participant>(
            c, lt.loop, dtlsContext, certificate.fingerprintSha256(), *signaling,
            lt.receiveBuffer.data(), lt.receiveBuffer.size()));
        lt.participants.push_back(all.back().get());
      }
    }
  } catch (const std::exception& e) {
    result.error = std::string("setup: ") + e.what();
    signaling->stop();
    return result;
  }
  for (auto& lt : loops) {
    lt->loop.setTickHandler(kTickMs, [l = lt.get()](uint64_t nowMs) {
      for (Participant* p : l->participants) p->onTick(nowMs);
    });
    lt->thread = std::thread([l = lt.get()] { l->loop.run(); });
  }

  // Ramp-up: join at a steady pace, then wait until every connection is up and every
  // subscriber hears every publisher of its room.
  const uint64_t rampStartMs = util::nowMs();
  for (auto& p : all) {
    p->join();
    std::this_thread::sleep_for(total > 50 ? 20ms : 50ms);
  }
  uint64_t lastPrintMs = 0;
  bool ready = false;
  while (true) {
    const Progress pr = progressOf(all);
    if (pr.failed > 0) {
      result.error = "setup failed: " + pr.firstFailure;
      break;
    }
    bool flowsOk = false;
    if (pr.joined == total && pr.publishConnected == totalPublishers &&
        pr.subscribeConnected >= expectSubscribers) {
      auto count = std::make_shared<std::atomic<uint32_t>>(0);
      onEveryLoop(loops, &LoopThread::participants, [count, publishersPerRoom](Participant& p) {
        if (p.receivingFromAll(publishersPerRoom)) ++*count;
      });
      flowsOk = *count == total;
    }
    const uint64_t nowMs = util::nowMs();
    const double elapsedS = (nowMs - rampStartMs) / 1000.0;
    if (nowMs - lastPrintMs >= 1000) {
      lastPrintMs = nowMs;
      std::fprintf(stderr,
                   "[loadgen] ramp-up %.1f s: joined %u/%u, publish connected %u/%u, subscribe "
                   "connected %u/%u\n",
                   elapsedS, pr.joined, total, pr.publishConnected, totalPublishers,
                   pr.subscribeConnected, expectSubscribers);
    }
    if (flowsOk) {
      ready = true;
      break;
    }
    if (elapsedS > rampTimeoutS) {
      if (pr.joined == total && pr.publishConnected == totalPublishers &&
          pr.subscribeConnected >= expectSubscribers) {
        // Connected, but some flow never delivered: measure anyway, it shows up as loss.
        std::fprintf(stderr,
                     "[loadgen] warning: not every subscriber receives every publisher "
                     "after the ramp-up timeout; measuring anyway\n");
        ready = true;
      } else {
        char buf[256];
        std::snprintf(buf, sizeof(buf),
                      "setup timed out after %.0f s: joined %u/%u, publish connected %u/%u, "
                      "subscribe connected %u/%u",
                      rampTimeoutS, pr.joined, total, pr.publishConnected, totalPublishers,
                      pr.subscribeConnected, expectSubscribers);
        result.error = buf;
      }
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  result.rampUpMs = util::nowMs() - rampStartMs;

  if (ready) {
    result.setupOk = true;
    std::fprintf(stderr, "[loadgen] all %u participants connected after %.1f s; measuring %.0f s\n",
                 total, result.rampUpMs / 1000.0, o.durationS);
    onEveryLoop(loops, &LoopThread::participants, [](Participant& p) { p.beginMeasurement(); });
    const double startCpuS = processCpuSeconds();
    const uint64_t startUs = util::nowUs();
    const uint64_t endUs = startUs + static_cast<uint64_t>(o.durationS * 1e6);
    Progress previous = progressOf(all);
    uint64_t previousUs = startUs;
    while (util::nowUs() < endUs) {
      const uint64_t wakeUs = std::min(endUs, previousUs + 1'000'000);
      std::this_thread::sleep_for(std::chrono::microseconds(wakeUs - util::nowUs()));
      const Progress pr = progressOf(all);
      const uint64_t nowUs = util::nowUs();
      const double dt = (nowUs - previousUs) / 1e6;
      std::fprintf(stderr,
                   "[loadgen] %5.1f/%.0f s: connected %u+%u, sent %.0f pkt/s, received %.0f "
                   "pkt/s, failed %u\n",
                   (nowUs - startUs) / 1e6, o.durationS, pr.publishConnected, pr.subscribeConnected,
                   (pr.sent - previous.sent) / dt, (pr.received - previous.received) / dt,
                   pr.failed);
      result.serverOutputKbps.push_back((pr.offeredBytes - previous.offeredBytes) * 8 / dt / 1000);
      previous = pr;
      previousUs = nowUs;
    }
    result.measuredS = (util::nowUs() - startUs) / 1e6;
    result.loadgenCpuS = processCpuSeconds() - startCpuS;
    auto snapshots = std::make_shared<std::vector<ParticipantSnapshot>>(total);
    onEveryLoop(loops, &LoopThread::participants, [snapshots](Participant& p) {
      (*snapshots)[p.config().index] = p.snapshot();
      p.stopMedia();
    });
    result.participants = std::move(*snapshots);
    const Progress end = progressOf(all);
    if (end.failed > 0) {
      std::fprintf(stderr, "[loadgen] %u participants failed during the run, first: %s\n",
                   end.failed, end.firstFailure.c_str());
    }
  }

  // Close the peer connections (DTLS close_notify), then leave and give the leave messages a
  // moment before the signaling thread ends.
  std::fprintf(stderr, "[loadgen] leaving\n");
  onEveryLoop(loops, &LoopThread::participants, [](Participant& p) { p.closeTransports(); });
  for (auto& p : all) p->leave();
  const uint64_t leaveDeadline = util::nowMs() + 3000;
  while (signaling->openSessions() > 0 && util::nowMs() < leaveDeadline) {
    std::this_thread::sleep_for(20ms);
  }
  for (auto& lt : loops) {
    lt->loop.stop();
    lt->thread.join();
  }
  signaling->stop();
  all.clear();
  return result;
}

}  // namespace treff::loadgen
