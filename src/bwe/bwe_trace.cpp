#include "bwe/bwe_trace.hpp"

#include <cinttypes>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "util/encoding.hpp"

namespace treff::bwe {

BweTraceWriter::BweTraceWriter(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
  if (!file_) throw std::runtime_error("cannot write the bandwidth trace " + path);
  std::setvbuf(file_, nullptr, _IOFBF, 1 << 20);
}

BweTraceWriter::~BweTraceWriter() { std::fclose(file_); }

void BweTraceWriter::sent(uint16_t seq, uint64_t sendUs, size_t bytes, bool probe) {
  std::fprintf(file_, "s %u %" PRIu64 " %zu %d\n", seq, sendUs, bytes, probe ? 1 : 0);
}

void BweTraceWriter::feedback(uint64_t arrivalUs, util::ConstBytes rtcp) {
  std::fprintf(file_, "f %" PRIu64 " ", arrivalUs);
  for (uint8_t b : rtcp) std::fprintf(file_, "%02x", b);
  std::fputc('\n', file_);
}

void BweTraceWriter::remb(uint64_t arrivalUs, uint64_t bitrateBps) {
  std::fprintf(file_, "r %" PRIu64 " %" PRIu64 "\n", arrivalUs, bitrateBps);
}

void BweTraceWriter::probe(uint64_t nowUs, uint64_t desiredBps, uint32_t durationUs) {
  std::fprintf(file_, "p %" PRIu64 " %" PRIu64 " %u\n", nowUs, desiredBps, durationUs);
}

std::vector<BweTraceEvent> readBweTrace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("cannot read the bandwidth trace " + path);
  std::vector<BweTraceEvent> events;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty()) continue;
    std::istringstream fields(line);
    char kind = 0;
    BweTraceEvent e;
    bool ok = static_cast<bool>(fields >> kind);
    if (ok && kind == 's') {
      unsigned seq = 0;
      int probe = 0;
      ok = static_cast<bool>(fields >> seq >> e.timeUs >> e.bytes >> probe) && seq <= 0xffff;
      e.kind = BweTraceEvent::Kind::Sent;
      e.seq = static_cast<uint16_t>(seq);
      e.probe = probe != 0;
    } else if (ok && kind == 'f') {
      std::string hex;
      ok = static_cast<bool>(fields >> e.timeUs >> hex);
      auto bytes = ok ? util::fromHex(hex) : std::nullopt;
      ok = bytes.has_value();
      if (ok) e.rtcp = std::move(*bytes);
      e.kind = BweTraceEvent::Kind::Feedback;
    } else if (ok && kind == 'p') {
      ok = static_cast<bool>(fields >> e.timeUs >> e.rembBps >> e.durationUs);
      e.kind = BweTraceEvent::Kind::Probe;
    } else if (ok && kind == 'r') {
      ok = static_cast<bool>(fields >> e.timeUs >> e.rembBps);
      e.kind = BweTraceEvent::Kind::Remb;
    } else {
      ok = false;
    }
    if (!ok) {
      throw std::invalid_argument(path + ":" + std::to_string(number) +
                                  ": not a bandwidth trace line");
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace treff::bwe
