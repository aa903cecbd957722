#include "util/log.hpp"

#include <spdlog/spdlog.h>

#include <atomic>
#include <stdexcept>
#include <string>

namespace treff::util {
namespace {
std::atomic<bool> gLogAddresses{false};
}

void setupLogging(std::string_view level) {
  auto parsed = spdlog::level::from_str(std::string(level));
  if (parsed == spdlog::level::off && level != "off") {
    throw std::invalid_argument("unknown log level '" + std::string(level) + "'");
  }
  spdlog::set_level(parsed);
  spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %^%l%$ %v");
}

bool logAddresses() { return gLogAddresses.load(std::memory_order_relaxed); }
void setLogAddresses(bool on) { gLogAddresses.store(on, std::memory_order_relaxed); }

}  // namespace treff::util
