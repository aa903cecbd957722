// Reads the captured browser SDP in tests/data.
#pragma once

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace treff::sdp::testing {

inline std::string readTestSdp(const std::string& name) {
  const std::string path = std::string(TREFF_TEST_DATA) + "/" + name;
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace treff::sdp::testing
