#include "util/time.hpp"

#include <time.h>

namespace treff::util {

uint64_t nowUs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000u + static_cast<uint64_t>(ts.tv_nsec) / 1000u;
}

uint64_t ntpNow() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  constexpr uint64_t kUnixToNtpSeconds = 2208988800u;
  uint64_t seconds = static_cast<uint64_t>(ts.tv_sec) + kUnixToNtpSeconds;
  uint64_t fraction = (static_cast<uint64_t>(ts.tv_nsec) << 32) / 1000000000u;
  return seconds << 32 | fraction;
}

}  // namespace treff::util
