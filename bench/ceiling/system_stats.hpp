// CPU clocks the probe reports: a thread's own CPU time, the process's, and the machine-wide
// /proc/stat view (softirq is where loopback delivery is partly charged).
#pragma once

#include <pthread.h>

#include <cstdint>

namespace treff::ceiling {

double threadCpuSeconds(pthread_t thread);
double processCpuSeconds();
double monotonicSeconds();

// utime and stime of one thread of this process from /proc (tick resolution).
struct TaskTimes {
  double userSeconds = 0;
  double systemSeconds = 0;
};
TaskTimes readTaskTimes(int tid);

struct MachineCpu {
  double busySeconds = 0;     // all CPUs, everything but idle and iowait
  double softirqSeconds = 0;  // all CPUs
  double systemSeconds = 0;
  bool valid = false;
};
MachineCpu readMachineCpu();

}  // namespace treff::ceiling
