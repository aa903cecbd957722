#include "system_stats.hpp"

#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace treff::ceiling {

namespace {
double toSeconds(const timespec& ts) {
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
}  // namespace

double threadCpuSeconds(pthread_t thread) {
  clockid_t clock{};
  if (pthread_getcpuclockid(thread, &clock) != 0) return 0;
  timespec ts{};
  clock_gettime(clock, &ts);
  return toSeconds(ts);
}

double processCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return toSeconds(ts);
}

double monotonicSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return toSeconds(ts);
}

TaskTimes readTaskTimes(int tid) {
  TaskTimes times;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  FILE* f = std::fopen(path, "r");
  if (!f) return times;
  char line[1024];
  const size_t n = std::fread(line, 1, sizeof line - 1, f);
  std::fclose(f);
  line[n] = 0;
  // Fields after the command name, which is in parentheses and may hold spaces.
  const char* p = std::strrchr(line, ')');
  if (!p) return times;
  unsigned long long utime = 0, stime = 0;
  if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
                  &stime) != 2)
    return times;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  times.userSeconds = static_cast<double>(utime) / hz;
  times.systemSeconds = static_cast<double>(stime) / hz;
  return times;
}

MachineCpu readMachineCpu() {
  MachineCpu cpu;
  FILE* f = std::fopen("/proc/stat", "r");
  if (!f) return cpu;
  unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                     steal = 0;
  const int fields = std::fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user, &nice,
                                 &system, &idle, &iowait, &irq, &softirq, &steal);
  std::fclose(f);
  if (fields < 7) return cpu;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  cpu.busySeconds = static_cast<double>(user + nice + system + irq + softirq + steal) / hz;
  cpu.softirqSeconds = static_cast<double>(softirq) / hz;
  cpu.systemSeconds = static_cast<double>(system) / hz;
  cpu.valid = true;
  return cpu;
}

}  // namespace treff::ceiling
