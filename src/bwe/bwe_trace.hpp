// A diagnostic record of what one transport's bandwidth estimator saw: every packet sent with
// its transport-wide sequence number, send time and size, and every feedback packet as it
// arrived (the RTCP bytes). Replaying a trace into a fresh estimator reproduces the run, so
// traces recorded from real browsers on shaped links become unit tests. Off unless asked for
// (TREFF_BWE_TRACE_DIR); the writer buffers in memory and the kernel, and is never on by default.
//
// Format, one event per line, times in microseconds on the sender's monotonic clock:
//   s <transport seq> <send us> <bytes> <probe 0|1>
//   f <arrival us> <RTCP packet as hex>
//   r <arrival us> <REMB bit/s>
//   p <us> <desired bit/s> <duration us>     a probe cluster was asked for (nextProbe)
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "util/bytes.hpp"

namespace treff::bwe {

class BweTraceWriter {
 public:
  // Opens `path` for writing; throws std::runtime_error naming it when that fails.
  explicit BweTraceWriter(const std::string& path);
  ~BweTraceWriter();
  BweTraceWriter(const BweTraceWriter&) = delete;
  BweTraceWriter& operator=(const BweTraceWriter&) = delete;

  void sent(uint16_t seq, uint64_t sendUs, size_t bytes, bool probe);
  void feedback(uint64_t arrivalUs, util::ConstBytes rtcp);
  void remb(uint64_t arrivalUs, uint64_t bitrateBps);
  void probe(uint64_t nowUs, uint64_t desiredBps, uint32_t durationUs);

 private:
  std::FILE* file_;
};

struct BweTraceEvent {
  enum class Kind : uint8_t { Sent, Feedback, Remb, Probe };
  Kind kind = Kind::Sent;
  uint64_t timeUs = 0;
  uint16_t seq = 0;
  size_t bytes = 0;
  bool probe = false;
  uint64_t rembBps = 0;     // Remb; Probe: the desired rate
  uint32_t durationUs = 0;  // Probe
  std::vector<uint8_t> rtcp;
};

// Reads a trace; a malformed line throws std::invalid_argument naming its number.
std::vector<BweTraceEvent> readBweTrace(const std::string& path);

}  // namespace treff::bwe
