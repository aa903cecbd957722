// The two modes of treff-ceiling: the forwarding probe and the plain UDP reflector. Each runs
// for a bounded time, prints progress to stderr and returns its JSON report.
#pragma once

#include <cstdint>
#include <string>

#include "ceiling_config.hpp"

namespace treff::ceiling {

std::string runForwardingProbe(const Config& config);
// `threads` sockets share the port, one thread each.
std::string runReflector(const char* bindIp, uint16_t port, double durationSeconds, size_t batch,
                         size_t threads, bool quiet);

}  // namespace treff::ceiling
