// A plain UDP reflector: every datagram goes straight back to its sender, read with recvmmsg
// and written with sendmmsg from the same buffers. The delay baseline for the load generator.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "json_writer.hpp"
#include "probe.hpp"
#include "system_stats.hpp"
#include "udp.hpp"

namespace treff::ceiling {

std::string runReflector(const char* bindIp, uint16_t port, double durationSeconds, size_t batch,
                         bool quiet) {
  constexpr size_t kBuffer = 2048;
  const int fd = openUdp(bindIp, port, 50);
  const uint16_t boundPort = ntohs(localAddress(fd).sin_port);
  if (!quiet)
    std::fprintf(stderr, "reflector on %s:%u for %.1f s\n", bindIp, boundPort, durationSeconds);
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
  uint64_t received = 0, sent = 0, errors = 0, batches = 0;
  const double start = monotonicSeconds();
  const double cpuStart = threadCpuSeconds(pthread_self());
  double nextReport = start + 1;
  while (monotonicSeconds() - start < durationSeconds) {
    for (size_t i = 0; i < batch; ++i) {
      headers[i].msg_hdr.msg_namelen = sizeof(sockaddr_storage);
      iovs[i].iov_len = kBuffer;
    }
    int n = recvmmsg(fd, headers.data(), static_cast<unsigned>(batch), MSG_WAITFORONE, nullptr);
    if (n > 0) {
      ++batches;
      received += static_cast<uint64_t>(n);
      // The same headers go back out: msg_name already holds each sender's address.
      for (int i = 0; i < n; ++i) iovs[i].iov_len = headers[i].msg_len;
      int done = 0;
      while (done < n) {
        int m = sendmmsg(fd, headers.data() + done, static_cast<unsigned>(n - done), 0);
        if (m <= 0) {
          ++errors;
          ++done;
          continue;
        }
        sent += static_cast<uint64_t>(m);
        done += m;
      }
    }
    if (!quiet && monotonicSeconds() >= nextReport) {
      std::fprintf(stderr, "reflector: %llu received, %llu sent\n",
                   static_cast<unsigned long long>(received),
                   static_cast<unsigned long long>(sent));
      nextReport += 1;
    }
  }
  const double wall = monotonicSeconds() - start;
  const double cpu = threadCpuSeconds(pthread_self()) - cpuStart;
  close(fd);
  JsonWriter json;
  json.add("mode", "reflector");
  json.add("port", static_cast<uint64_t>(boundPort));
  json.add("duration_s", wall);
  json.add("received", received);
  json.add("sent", sent);
  json.add("send_errors", errors);
  json.add("avg_batch",
           batches ? static_cast<double>(received) / static_cast<double>(batches) : 0.0);
  json.add("cpu_s", cpu);
  json.add("packets_per_cpu_s", cpu > 0 ? static_cast<double>(sent) / cpu : 0.0);
  return json.finish();
}

}  // namespace treff::ceiling
