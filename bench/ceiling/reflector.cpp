// A plain UDP reflector: every datagram goes straight back to its sender, read with recvmmsg
// and written with sendmmsg from the same buffers. The delay baseline for the load generator.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "json_writer.hpp"
#include "probe.hpp"
#include "system_stats.hpp"
#include "udp.hpp"

namespace treff::ceiling {
namespace {

struct ReflectorCounters {
  uint64_t received = 0;
  uint64_t sent = 0;
  uint64_t errors = 0;
  uint64_t batches = 0;
  double cpuSeconds = 0;
};

// One socket's loop: every datagram read goes back to its sender from the same buffer.
void reflect(int fd, size_t batch, const std::atomic<bool>& stop, ReflectorCounters& out,
             std::atomic<uint64_t>& receivedLive) {
  constexpr size_t kBuffer = 2048;
  std::vector<uint8_t> buffers(batch * kBuffer);
  std::vector<mmsghdr> headers(batch);
  std::vector<iovec> iovs(batch);
  std::vector<sockaddr_storage> from(batch);
  for (size_t i = 0; i < batch; ++i) {
    iovs[i] = iovec{buffers.data() + i * kBuffer, kBuffer};
    std::memset(&headers[i], 0, sizeof(mmsghdr));
    headers[i].msg_hdr.msg_iov = &iovs[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = &from[i];
  }
  const double cpuStart = threadCpuSeconds(pthread_self());
  while (!stop.load(std::memory_order_relaxed)) {
    for (size_t i = 0; i < batch; ++i) {
      headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      iovs[i].iov_len = kBuffer;
    }
    int n = recvmmsg(fd, headers.data(), static_cast<unsigned>(batch), MSG_WAITFORONE, nullptr);
    if (n <= 0) continue;  // the receive timeout: look at the stop flag
    ++out.batches;
    out.received += static_cast<uint64_t>(n);
    receivedLive.fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    // The same headers go back out: msg_name already holds each sender's address.
    for (int i = 0; i < n; ++i) iovs[i].iov_len = headers[i].msg_len;
    int done = 0;
    while (done < n) {
      int m = sendmmsg(fd, headers.data() + done, static_cast<unsigned>(n - done), 0);
      if (m <= 0) {
        ++out.errors;
        ++done;
        continue;
      }
      out.sent += static_cast<uint64_t>(m);
      done += m;
    }
  }
  out.cpuSeconds = threadCpuSeconds(pthread_self()) - cpuStart;
}

}  // namespace

std::string runReflector(const char* bindIp, uint16_t port, double durationSeconds, size_t batch,
                         size_t threads, bool quiet) {
  if (threads == 0) threads = 1;
  // Every thread has its own socket on the one port; the kernel keeps each sender on one of
  // them, so a sender's copies come back in order.
  std::vector<int> fds;
  fds.push_back(openUdp(bindIp, port, 50, 4 << 20, true));
  const uint16_t boundPort = ntohs(localAddress(fds[0]).sin_port);
  while (fds.size() < threads) fds.push_back(openUdp(bindIp, boundPort, 50, 4 << 20, true));
  if (!quiet)
    std::fprintf(stderr, "reflector on %s:%u, %zu threads, for %.1f s\n", bindIp, boundPort,
                 threads, durationSeconds);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> receivedLive{0};
  std::vector<ReflectorCounters> counters(threads);
  std::vector<std::thread> workers;
  const double start = monotonicSeconds();
  for (size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { reflect(fds[t], batch, stop, counters[t], receivedLive); });
  }
  while (monotonicSeconds() - start < durationSeconds) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    if (!quiet)
      std::fprintf(stderr, "reflector: %llu received\n",
                   static_cast<unsigned long long>(receivedLive.load(std::memory_order_relaxed)));
  }
  stop = true;
  for (auto& w : workers) w.join();
  const double wall = monotonicSeconds() - start;
  for (int fd : fds) close(fd);
  ReflectorCounters total;
  for (const auto& c : counters) {
    total.received += c.received;
    total.sent += c.sent;
    total.errors += c.errors;
    total.batches += c.batches;
    total.cpuSeconds += c.cpuSeconds;
  }
  JsonWriter json;
  json.add("mode", "reflector");
  json.add("port", static_cast<uint64_t>(boundPort));
  json.add("threads", static_cast<uint64_t>(threads));
  json.add("duration_s", wall);
  json.add("received", total.received);
  json.add("sent", total.sent);
  json.add("send_errors", total.errors);
  json.add("avg_batch",
           total.batches ? static_cast<double>(total.received) / static_cast<double>(total.batches)
                         : 0.0);
  json.add("cpu_s", total.cpuSeconds);
  json.add("packets_per_cpu_s",
           total.cpuSeconds > 0 ? static_cast<double>(total.sent) / total.cpuSeconds : 0.0);
  return json.finish();
}

}  // namespace treff::ceiling
