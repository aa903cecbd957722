// Shared pieces of the meeting tests: a socket that records what the server sends, test data
// files, a free UDP port for a media plane, and a browser's answer to a subscribe offer.
// Test code only.
#pragma once

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "../sfu/free_port.hpp"
#include "sfu/media_plane.hpp"
#include "signaling/http_server.hpp"
#include "signaling/meetings.hpp"

namespace treff::signaling::test_support {

// A socket as the meeting logic sees it; it keeps what the server sent, for the test to read.
class RecordingSocket : public WsConnection {
 public:
  explicit RecordingSocket(uint64_t id) : id_(id) {}
  void send(std::string text) override { sent.push_back(nlohmann::json::parse(text)); }
  void close() override { closed = true; }
  uint64_t id() const override { return id_; }

  // The messages of one type, in order.
  std::vector<nlohmann::json> of(const std::string& type) const {
    std::vector<nlohmann::json> out;
    for (const auto& m : sent) {
      if (m["type"] == type) out.push_back(m);
    }
    return out;
  }
  std::vector<nlohmann::json> sent;
  bool closed = false;

 private:
  uint64_t id_;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

using treff::test_support::freePort;

// A browser's answer to the server's subscribe offer: recvonly where the offer sends, inactive
// stays inactive, setup active, the browser's own ICE credentials and fingerprint, no
// candidates (as Chromium writes it, reduced to what matters).
inline std::string browserAnswerTo(const std::string& offer) {
  std::stringstream in(offer), out;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line == "a=ice-lite" || line.rfind("a=candidate", 0) == 0 ||
        line == "a=end-of-candidates" || line.rfind("a=ssrc", 0) == 0 ||
        line.rfind("a=msid:", 0) == 0) {
      continue;
    }
    if (line == "a=sendonly") line = "a=recvonly";
    if (line == "a=setup:actpass") line = "a=setup:active";
    if (line.rfind("a=ice-ufrag:", 0) == 0) line = "a=ice-ufrag:brws";
    if (line.rfind("a=ice-pwd:", 0) == 0) line = "a=ice-pwd:browserpasswordbrowserpassword";
    if (line.rfind("a=fingerprint:", 0) == 0) {
      line =
          "a=fingerprint:sha-256 "
          "2F:CA:DC:65:0C:BF:5C:1F:60:1A:63:AB:20:5D:FA:67:4E:AA:8D:46:4A:2D:73:D1:8C:05:51:"
          "71:66:35:88:1C";
    }
    out << line << "\r\n";
  }
  return out.str();
}

// A real media plane with one worker on a free loopback port, and the meeting logic over it.
class MeetingsOnMediaPlane : public ::testing::Test {
 protected:
  void startMeetings(MeetingLimits limits) {
    sfu::MediaPlaneConfig config;
    config.workers = 1;
    if (media_) media_->stop();
    media_.reset();
    // Another test may take the port between asking and binding (tests run in parallel): try
    // a few.
    for (int attempt = 0; !media_; ++attempt) {
      config.mediaPort = freePort();
      try {
        media_ = std::make_unique<sfu::MediaPlane>(config);
      } catch (const std::runtime_error&) {
        if (attempt == 4) throw;
      }
    }
    media_->start();
    meetings_ = std::make_unique<Meetings>(*media_, limits);
  }
  void TearDown() override {
    meetings_.reset();
    if (media_) media_->stop();
  }

  std::unique_ptr<sfu::MediaPlane> media_;
  std::unique_ptr<Meetings> meetings_;
};

}  // namespace treff::signaling::test_support
