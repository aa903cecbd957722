// The forwarding probe: sinks, forwarder and generators in one process, measured over a window
// after a warm-up, then stopped and drained so that every sent datagram is accounted for.
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "forwarder.hpp"
#include "generator.hpp"
#include "json_writer.hpp"
#include "probe.hpp"
#include "sink.hpp"
#include "system_stats.hpp"
#include "topology.hpp"

namespace treff::ceiling {

namespace {

// Everything the report compares between the start and the end of the window.
struct Snapshot {
  double wall = 0;
  double forwarderCpu = 0;
  TaskTimes forwarderTimes;
  double generatorCpu = 0;
  double sinkCpu = 0;
  double processCpu = 0;
  MachineCpu machine;
  uint64_t generated = 0;
  uint64_t generatedBytes = 0;
  uint64_t received = 0;
  uint64_t forwarded = 0;
  uint64_t sent = 0;
  uint64_t sendMessages = 0;
  uint64_t sendSyscalls = 0;
  uint64_t recvBatches = 0;
  uint64_t sinkDatagrams = 0;
  uint64_t sinkBytes = 0;
};

struct Threads {
  std::atomic<int> forwarderTid{0};
  std::thread forwarder;
  std::thread sink;
  std::vector<std::thread> generators;
};

Snapshot take(const Forwarder& fwd, const Sink& sink,
              const std::vector<std::unique_ptr<Generator>>& gens, Threads& threads) {
  constexpr auto relaxed = std::memory_order_relaxed;
  Snapshot s;
  s.wall = monotonicSeconds();
  s.forwarderCpu = threadCpuSeconds(threads.forwarder.native_handle());
  s.forwarderTimes = readTaskTimes(threads.forwarderTid.load());
  s.sinkCpu = threadCpuSeconds(threads.sink.native_handle());
  for (auto& t : threads.generators) s.generatorCpu += threadCpuSeconds(t.native_handle());
  s.processCpu = processCpuSeconds();
  s.machine = readMachineCpu();
  for (const auto& g : gens) {
    s.generated += g->packetsSent.load(relaxed);
    s.generatedBytes += g->bytesSent.load(relaxed);
  }
  const auto& c = fwd.counters();
  s.received = c.received.load(relaxed);
  s.forwarded = c.forwarded.load(relaxed);
  s.sent = c.sent.load(relaxed);
  s.sendMessages = c.sendMessages.load(relaxed);
  s.sendSyscalls = c.sendSyscalls.load(relaxed);
  s.recvBatches = c.recvBatches.load(relaxed);
  s.sinkDatagrams = sink.datagrams.load(relaxed);
  s.sinkBytes = sink.bytes.load(relaxed);
  return s;
}

double ratio(double a, double b) { return b > 0 ? a / b : 0.0; }
double ratio(uint64_t a, uint64_t b) {
  return ratio(static_cast<double>(a), static_cast<double>(b));
}

void sleepSeconds(double s) { std::this_thread::sleep_for(std::chrono::duration<double>(s)); }

}  // namespace

std::string runForwardingProbe(const Config& config) {
  const Topology topology(config);
  const size_t pubs = topology.publisherCount();
  const size_t fanOutTotal = topology.totalFanOut();
  const double fanOut = ratio(static_cast<double>(fanOutTotal), static_cast<double>(pubs));

  Sink sink(config, topology);
  Forwarder forwarder(config, topology, sink.addresses());
  const size_t genThreads = std::clamp<size_t>(config.generatorThreads, 1, pubs);
  std::vector<std::unique_ptr<Generator>> gens;
  for (size_t g = 0; g < genThreads; ++g) {
    const size_t first = pubs * g / genThreads;
    const size_t last = pubs * (g + 1) / genThreads;
    gens.push_back(std::make_unique<Generator>(config, first, last - first, forwarder.address()));
    const auto ports = gens.back()->sourcePorts();
    for (size_t i = 0; i < ports.size(); ++i) forwarder.registerPublisher(ports[i], first + i);
  }

  const double perPublisherPps =
      config.rateScale *
      ((config.audioOnly ? 0.0 : config.videoPacketsPerSecond) + config.audioPacketsPerSecond);
  const double offeredIn = perPublisherPps * static_cast<double>(pubs);
  const double offeredOut = perPublisherPps * static_cast<double>(fanOutTotal);
  if (!config.quiet)
    std::fprintf(stderr,
                 "ceiling: %zu publishers, %zu subscribers, fan-out %.1f, %s%s: offered %.0f "
                 "packets/s in, %.0f out\n",
                 pubs, topology.subscriberCount(), fanOut, srtp::profileName(config.profile),
                 config.gso ? " + GSO" : "", offeredIn, offeredOut);

  std::atomic<bool> stopGenerators{false}, stopForwarder{false}, stopSink{false};
  Threads threads;
  threads.sink = std::thread([&] {
    pthread_setname_np(pthread_self(), "ceiling-sink");
    // The sinks stand in for remote clients: behind the forwarder when the CPUs are scarce.
    // Their socket buffers absorb the lag and the drain at the end counts everything.
    if (config.sinkNice != 0)
      setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), config.sinkNice);
    sink.run(stopSink);
  });
  threads.forwarder = std::thread([&] {
    pthread_setname_np(pthread_self(), "ceiling-fwd");
    threads.forwarderTid = static_cast<int>(gettid());
    if (config.forwarderCpu >= 0) {
      cpu_set_t set;
      CPU_ZERO(&set);
      CPU_SET(config.forwarderCpu, &set);
      pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
    }
    forwarder.run(stopForwarder);
  });
  for (auto& g : gens)
    threads.generators.emplace_back([&stopGenerators, gen = g.get()] {
      pthread_setname_np(pthread_self(), "ceiling-gen");
      gen->run(stopGenerators);
    });

  sleepSeconds(config.warmupSeconds);
  const Snapshot a = take(forwarder, sink, gens, threads);
  Snapshot last = a;
  const double end = a.wall + config.durationSeconds;
  while (monotonicSeconds() < end) {
    sleepSeconds(std::min(1.0, std::max(0.0, end - monotonicSeconds())));
    const Snapshot now = take(forwarder, sink, gens, threads);
    const double dt = now.wall - last.wall;
    if (!config.quiet && dt > 0)
      std::fprintf(
          stderr,
          "  in %.0f/s  forwarded %.0f/s  sinks %.0f/s  forwarder cpu %.0f%%  "
          "%.0f forwarded per cpu-s\n",
          static_cast<double>(now.received - last.received) / dt,
          static_cast<double>(now.sent - last.sent) / dt,
          static_cast<double>(now.sinkDatagrams - last.sinkDatagrams) / dt,
          100.0 * (now.forwarderCpu - last.forwarderCpu) / dt,
          ratio(static_cast<double>(now.sent - last.sent), now.forwarderCpu - last.forwarderCpu));
    last = now;
  }
  const Snapshot b = take(forwarder, sink, gens, threads);

  // Stop in flow order and let each stage drain, so the totals compare like with like.
  stopGenerators = true;
  for (auto& t : threads.generators) t.join();
  uint64_t generatedAtStop = 0;
  for (const auto& g : gens) generatedAtStop += g->packetsSent.load();
  // Let the forwarder work off its backlog (it may have been held back by the scheduler).
  for (int i = 0; i < 100 && forwarder.counters().received.load() < generatedAtStop; ++i)
    sleepSeconds(0.05);
  sleepSeconds(0.1);
  stopForwarder = true;
  threads.forwarder.join();
  // The sink yields to the forwarder, so it may be seconds behind: wait while it progresses.
  uint64_t seen = sink.datagrams.load();
  for (int idle = 0; idle < 10 && seen < forwarder.counters().sent.load();) {
    sleepSeconds(0.1);
    const uint64_t now = sink.datagrams.load();
    idle = now == seen ? idle + 1 : 0;
    seen = now;
  }
  stopSink = true;
  threads.sink.join();

  // Run totals (warm-up and drain included): every generated packet should reach every leg.
  uint64_t generatedTotal = 0, generatorErrors = 0, lateWakeups = 0;
  for (const auto& g : gens) {
    generatedTotal += g->packetsSent.load();
    generatorErrors += g->sendErrors.load();
    lateWakeups += g->lateWakeups.load();
  }
  const auto& c = forwarder.counters();
  const uint64_t fwdReceived = c.received.load();
  const uint64_t fwdForwarded = c.forwarded.load();
  const uint64_t fwdSent = c.sent.load();
  const uint64_t sinkTotal = sink.datagrams.load();
  // Expected at the sinks: each publisher's packets times its fan-out. Publishers have equal
  // rates and fan-outs differ only at room edges, so the per-packet average is exact here.
  const double expectedAtSinks = static_cast<double>(generatedTotal) * fanOut;
  size_t mismatched = 0;
  uint64_t maxDeficit = 0;
  const auto& perFwd = forwarder.forwardedPerSubscriber();
  const auto& perSink = sink.datagramsPerSubscriber();
  for (size_t i = 0; i < perFwd.size(); ++i) {
    if (perFwd[i] != perSink[i]) ++mismatched;
    if (perFwd[i] > perSink[i]) maxDeficit = std::max(maxDeficit, perFwd[i] - perSink[i]);
  }

  const double wall = b.wall - a.wall;
  const double fwdCpu = b.forwarderCpu - a.forwarderCpu;
  const uint64_t wSent = b.sent - a.sent;
  const uint64_t wReceived = b.received - a.received;
  const double keptPace =
      ratio(static_cast<double>(wSent), static_cast<double>(b.generated - a.generated) * fanOut);
  const double lossIn = 1.0 - ratio(fwdReceived, generatedTotal);
  const double lossOut =
      1.0 - ratio(static_cast<double>(sinkTotal), static_cast<double>(fwdReceived) * fanOut);
  const double lossTotal = 1.0 - ratio(static_cast<double>(sinkTotal), expectedAtSinks);

  JsonWriter json;
  json.add("mode", "forward");
  json.begin("scenario");
  json.add("publishers", static_cast<uint64_t>(pubs));
  json.add("subscribers", static_cast<uint64_t>(topology.subscriberCount()));
  json.add("rooms", static_cast<uint64_t>(config.rooms));
  json.add("participants", static_cast<uint64_t>(config.participants));
  json.add("audio_only", config.audioOnly);
  json.add("fan_out", fanOut);
  json.add("profile", srtp::profileName(config.profile));
  json.add("gso", config.gso);
  json.add("rate_scale", config.rateScale);
  json.add("video_bytes", static_cast<uint64_t>(config.videoBytes));
  json.add("audio_bytes", static_cast<uint64_t>(config.audioBytes));
  json.add("recv_batch", static_cast<uint64_t>(config.recvBatch));
  json.add("send_batch", static_cast<uint64_t>(config.sendBatch));
  json.add("forwarder_rcvbuf_bytes", static_cast<uint64_t>(forwarder.receiveBuffer()));
  json.add("sink_nice", static_cast<double>(config.sinkNice));
  json.add("sink_sweep_ms", static_cast<double>(config.sinkSweepMs));
  json.end();
  json.begin("offered");
  json.add("in_packets_per_s", offeredIn);
  json.add("out_packets_per_s", offeredOut);
  json.add("in_measured_per_s", ratio(static_cast<double>(b.generated - a.generated), wall));
  json.add("in_bits_per_s",
           ratio(8.0 * static_cast<double>(b.generatedBytes - a.generatedBytes), wall));
  json.end();
  json.begin("window");
  json.add("seconds", wall);
  json.add("forwarder_cpu_s", fwdCpu);
  json.add("forwarder_cpu_share", ratio(fwdCpu, wall));
  // Tick-sampled split; without IRQ time accounting, the loopback delivery into the sinks'
  // sockets that runs as softirq in the forwarder's context counts as its system time.
  json.add("forwarder_user_s", b.forwarderTimes.userSeconds - a.forwarderTimes.userSeconds);
  json.add("forwarder_system_s", b.forwarderTimes.systemSeconds - a.forwarderTimes.systemSeconds);
  json.add("received", wReceived);
  json.add("forwarded", wSent);
  json.add("forwarded_per_s", ratio(static_cast<double>(wSent), wall));
  // Below 1 the forwarder fell behind during the window (its socket buffer holds the rest).
  json.add("forwarded_vs_offered", keptPace);
  json.add("forwarded_per_cpu_s", ratio(static_cast<double>(wSent), fwdCpu));
  json.add("received_per_cpu_s", ratio(static_cast<double>(wReceived), fwdCpu));
  json.add("avg_recv_batch", ratio(wReceived, b.recvBatches - a.recvBatches));
  json.add("avg_datagrams_per_message", ratio(wSent, b.sendMessages - a.sendMessages));
  json.add("avg_messages_per_sendmmsg",
           ratio(b.sendMessages - a.sendMessages, b.sendSyscalls - a.sendSyscalls));
  json.add("sink_received_per_s",
           ratio(static_cast<double>(b.sinkDatagrams - a.sinkDatagrams), wall));
  json.add("generator_cpu_s", b.generatorCpu - a.generatorCpu);
  json.add("sink_cpu_s", b.sinkCpu - a.sinkCpu);
  json.add("process_cpu_s", b.processCpu - a.processCpu);
  if (a.machine.valid && b.machine.valid) {
    json.add("machine_busy_cpu_s", b.machine.busySeconds - a.machine.busySeconds);
    json.add("machine_softirq_s", b.machine.softirqSeconds - a.machine.softirqSeconds);
    json.add("machine_system_s", b.machine.systemSeconds - a.machine.systemSeconds);
    const double cores = static_cast<double>(sysconf(_SC_NPROCESSORS_ONLN));
    json.add("machine_busy_share",
             ratio(b.machine.busySeconds - a.machine.busySeconds, wall * cores));
  }
  json.add("cores", static_cast<uint64_t>(sysconf(_SC_NPROCESSORS_ONLN)));
  json.end();
  json.begin("totals");
  json.add("generated", generatedTotal);
  json.add("generator_send_errors", generatorErrors);
  json.add("generator_late_wakeups", lateWakeups);
  json.add("forwarder_received", fwdReceived);
  json.add("forwarder_dropped", c.dropped.load());
  json.add("forwarder_unprotect_failed", c.unprotectFailed.load());
  json.add("forwarder_forwarded", fwdForwarded);
  json.add("forwarder_sent", fwdSent);
  json.add("forwarder_send_errors", c.sendErrors.load());
  json.add("expected_at_sinks", expectedAtSinks);
  json.add("sink_received", sinkTotal);
  json.add("loss_in", lossIn);
  json.add("loss_out", lossOut);
  json.add("loss", lossTotal);
  json.add("subscribers_mismatched", static_cast<uint64_t>(mismatched));
  json.add("max_subscriber_deficit", maxDeficit);
  json.add("kept_up", lossTotal < 0.001 && keptPace > 0.99);
  json.end();
  if (config.verify) {
    json.begin("verify");
    json.add("checked",
             sink.verified.load() + sink.verifyFailed.load() + sink.wrongSubscriber.load());
    json.add("valid", sink.verified.load());
    json.add("failed", sink.verifyFailed.load());
    json.add("wrong_subscriber", sink.wrongSubscriber.load());
    json.end();
  }
  return json.finish();
}

}  // namespace treff::ceiling
