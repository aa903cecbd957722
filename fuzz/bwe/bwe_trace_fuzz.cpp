// libFuzzer target: the bandwidth trace reader (the format of bwe/bwe_trace.hpp). Any input is
// either read into events or refused with std::invalid_argument; nothing else may happen, and
// every feedback event it reads carries the bytes its hex spelled.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "bwe/bwe_trace.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/treff-bwe-trace-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    const auto events = treff::bwe::readBweTrace(path);
    for (const auto& e : events) {
      if (e.kind != treff::bwe::BweTraceEvent::Kind::Feedback && !e.rtcp.empty()) __builtin_trap();
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
