// A load run: R rooms of N participants (the first P of each room publish), spread over T event
// loop threads; ramp-up until everyone is connected and media flows (bounded), a measured phase
// of fixed length with a one-line summary a second on stderr, then leave and close.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "participant.hpp"

namespace treff::loadgen {

struct ScenarioOptions {
  std::string url = "http://127.0.0.1:8080/";
  // Non-empty: run against this Janus HTTP API (VideoRoom plugin) instead of Treff at url.
  std::string janusUrl;
  // Non-empty (HOST:PORT): no server and no signaling, ICE, DTLS or SRTP; the media goes as
  // plain UDP through this reflector (reflector_scenario.hpp), the delay baseline.
  std::string reflector;
  uint32_t rooms = 1;
  // Treff: the meeting to join (rooms > 1: NAME-0, NAME-1, ...); empty: a name of its own.
  std::string meeting;
  // Downlink capacities in kbit/s given to the participants in turn (0: unlimited).
  std::vector<uint32_t> capacitiesKbps;
  uint32_t participants = 2;  // per room
  uint32_t publishers = 0;    // per room; 0 means all
  bool audioOnly = false;
  double durationS = 10;
  uint32_t threads = 1;
  uint32_t videoKbps = 1500;
  // Multiplies every publisher's packet rate (frames per second); sizes stay as they are.
  double rateScale = 1.0;
  uint64_t seed = 1;
  double rampTimeoutS = 0;  // 0: 20 s plus 0.1 s per participant
  // Drop this share of RTP arriving on subscribe connections, as if lost on the way, to
  // exercise NACK and retransmission.
  double dropPercent = 0;
};

struct ScenarioResult {
  bool setupOk = false;
  std::string error;
  // Flows that had no packet when the measured phase began (setup still counted as done).
  uint64_t flowsMissingAtStart = 0;
  uint64_t rampUpMs = 0;
  double measuredS = 0;
  double loadgenCpuS = 0;  // this process, user + system, during the measured phase
  uint32_t publishersPerRoom = 0;
  std::vector<ParticipantSnapshot> participants;
  // What the server sent all subscribers, kbit/s, second by second of the measured phase.
  std::vector<double> serverOutputKbps;
};

ScenarioResult runScenario(const ScenarioOptions& options);

}  // namespace treff::loadgen
