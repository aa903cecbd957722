// The two modes of treff-ceiling: the forwarding probe and the plain UDP reflector. Each runs
// for a bounded time, prints progress to stderr and returns its JSON report.
#pragma once

#include <cstdint>
#include <string>

#include "ceiling_config.hpp"

namespace treff::ceiling {

std::string runForwardingProbe(const Config& config);
std::string runReflector(const char* bindIp, uint16_t port, double durationSeconds, size_t batch,
                         bool quiet);

}  // namespace treff::ceiling
