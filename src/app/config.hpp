// Server configuration: embedded defaults, then a TOML file, then command-line flags.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace treff::app {

struct Config {
  std::vector<std::string> listenIps{"127.0.0.1"};
  std::string announceIp;  // public address announced in candidates (server behind NAT)
  uint16_t httpPort = 8080;
  uint16_t mediaPort = 10000;  // worker i uses mediaPort + i, for UDP and for TCP (below the
                               // kernel's ephemeral range, so no outgoing socket takes it)
  unsigned workers = 0;        // 0: one per core
  std::string logLevel = "info";
  // Meetings.
  unsigned maxParticipantsPerMeeting = 100;
  unsigned maxMeetings = 1000;
  // The rooms' video codec: VP8, VP9, H264 or AV1. A room falls back to VP8 while one of its
  // browsers lacks the codec.
  std::string videoCodec = "VP8";
  // Camera videos forwarded to each participant, chosen by pins and recent speaking (-1: all).
  int lastN = -1;
  // In meetings of at least audioLoudestMinParticipants, only the audioLoudestN most recent
  // speakers are heard (0: everyone is, always).
  int audioLoudestN = 5;
  unsigned audioLoudestMinParticipants = 30;
  // Links the landing and pre-join pages show (empty: none).
  std::string privacyUrl;
  std::string imprintUrl;
  // WHIP ingest (RFC 9725) bearer token; empty: WHIP is off.
  std::string whipToken;
  bool logAddresses = false;  // privacy: remote addresses stay out of logs unless asked
};

// Outcome of reading flags: run with the config, or exit (help shown, or an error printed).
struct ParsedArgs {
  Config config;
  bool exit = false;
  int exitCode = 0;
};

// Parses argv (and the TOML file named by --config). On a bad flag or value, prints a message
// naming it to stderr and returns exit=true with a non-zero code.
ParsedArgs parseArgs(int argc, const char* const* argv);

// Checks values that flags and file share; throws std::invalid_argument naming the bad value.
void validate(Config& config);

}  // namespace treff::app
