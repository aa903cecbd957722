// Logging setup. Privacy: nothing here logs addresses unless the operator asked for it.
#pragma once

#include <string_view>

namespace treff::util {

// level: trace, debug, info, warn, error, off. Throws std::invalid_argument on an unknown name.
void setupLogging(std::string_view level);
// Whether remote addresses may appear in logs (off by default: privacy).
bool logAddresses();
void setLogAddresses(bool on);

}  // namespace treff::util
