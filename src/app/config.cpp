#include "app/config.hpp"

#include <toml++/toml.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "net/socket_address.hpp"

namespace treff::app {
namespace {

template <typename T>
T intInRange(const toml::node& node, const std::string& key, int64_t lo, int64_t hi) {
  auto v = node.value<int64_t>();
  if (!v || *v < lo || *v > hi) {
    throw std::invalid_argument("config: '" + key + "' must be an integer in " +
                                std::to_string(lo) + ".." + std::to_string(hi));
  }
  return static_cast<T>(*v);
}

std::string stringValue(const toml::node& node, const std::string& key) {
  auto v = node.value<std::string>();
  if (!v) throw std::invalid_argument("config: '" + key + "' must be a string");
  return *v;
}

void applyToml(const std::string& path, Config& config) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument("config file '" + path + "': " + std::string(e.description()) +
                                " (line " + std::to_string(e.source().begin.line) + ")");
  }
  for (auto&& [k, node] : table) {
    std::string key(k.str());
    if (key == "listen_ips") {
      auto* arr = node.as_array();
      if (!arr) throw std::invalid_argument("config: 'listen_ips' must be an array of strings");
      config.listenIps.clear();
      for (auto&& item : *arr) config.listenIps.push_back(stringValue(item, "listen_ips"));
    } else if (key == "announce_ip") {
      config.announceIp = stringValue(node, key);
    } else if (key == "http_port") {
      config.httpPort = intInRange<uint16_t>(node, key, 0, 65535);
    } else if (key == "media_port") {
      config.mediaPort = intInRange<uint16_t>(node, key, 1, 65535);
    } else if (key == "workers") {
      config.workers = intInRange<unsigned>(node, key, 0, 256);
    } else if (key == "log_level") {
      config.logLevel = stringValue(node, key);
    } else if (key == "max_participants") {
      config.maxParticipantsPerMeeting = intInRange<unsigned>(node, key, 2, 10000);
    } else if (key == "max_meetings") {
      config.maxMeetings = intInRange<unsigned>(node, key, 1, 1000000);
    } else if (key == "video_codec") {
      config.videoCodec = stringValue(node, key);
    } else if (key == "last_n") {
      config.lastN = intInRange<int>(node, key, -1, 1000);
    } else if (key == "audio_loudest_n") {
      config.audioLoudestN = intInRange<int>(node, key, 0, 1000);
    } else if (key == "audio_loudest_min_participants") {
      config.audioLoudestMinParticipants = intInRange<unsigned>(node, key, 2, 10000);
    } else if (key == "privacy_url") {
      config.privacyUrl = stringValue(node, key);
    } else if (key == "imprint_url") {
      config.imprintUrl = stringValue(node, key);
    } else if (key == "whip_token") {
      config.whipToken = stringValue(node, key);
    } else if (key == "log_addresses") {
      auto v = node.value<bool>();
      if (!v) throw std::invalid_argument("config: 'log_addresses' must be true or false");
      config.logAddresses = *v;
    } else {
      throw std::invalid_argument("config: unknown key '" + key + "'");
    }
  }
}

}  // namespace

void validate(Config& config) {
  if (config.listenIps.empty())
    throw std::invalid_argument("at least one listen address is needed");
  std::set<std::string> seen;
  for (const auto& ip : config.listenIps) {
    auto addr = net::SocketAddress::fromString(ip, 0);
    if (!addr) throw std::invalid_argument("listen address '" + ip + "' is not an IP address");
    if (!seen.insert(addr->ipString()).second) {
      throw std::invalid_argument("listen address '" + ip + "' is given twice");
    }
    bool wildcard = addr->ipString() == "0.0.0.0" || addr->ipString() == "::";
    if (wildcard && config.announceIp.empty()) {
      throw std::invalid_argument(
          "listen address '" + ip +
          "' is a wildcard: set --announce-ip to the address clients reach");
    }
  }
  if (!config.announceIp.empty() && !net::SocketAddress::fromString(config.announceIp, 0)) {
    throw std::invalid_argument("announce address '" + config.announceIp +
                                "' is not an IP address");
  }
  if (config.workers == 0) {
    config.workers = std::max(1u, std::thread::hardware_concurrency());
  }
  if (config.workers > 256) {
    throw std::invalid_argument("workers '" + std::to_string(config.workers) + "' is above 256");
  }
  if (static_cast<unsigned>(config.mediaPort) + config.workers - 1 > 65535) {
    throw std::invalid_argument("media port " + std::to_string(config.mediaPort) + " + " +
                                std::to_string(config.workers) + " workers exceeds 65535");
  }
  if (config.httpPort != 0 && config.httpPort >= config.mediaPort &&
      config.httpPort < config.mediaPort + config.workers) {
    throw std::invalid_argument("http port " + std::to_string(config.httpPort) +
                                " overlaps the media ports");
  }
  for (const auto* url : {&config.privacyUrl, &config.imprintUrl}) {
    // Shown as links: only web addresses, never javascript: or data:.
    if (!url->empty() && url->rfind("https://", 0) != 0 && url->rfind("http://", 0) != 0 &&
        url->rfind("/", 0) != 0) {
      throw std::invalid_argument("link '" + *url + "' must start with https://, http:// or /");
    }
  }
  std::transform(config.videoCodec.begin(), config.videoCodec.end(), config.videoCodec.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (config.videoCodec != "VP8" && config.videoCodec != "VP9" && config.videoCodec != "H264" &&
      config.videoCodec != "AV1") {
    throw std::invalid_argument("video codec '" + config.videoCodec +
                                "' is not one of VP8, VP9, H264, AV1");
  }
  if (!config.whipToken.empty() && config.whipToken.size() < 16) {
    throw std::invalid_argument("WHIP token is shorter than 16 characters");
  }
  static const std::set<std::string> kLevels{"trace", "debug", "info", "warn", "error", "off"};
  if (!kLevels.count(config.logLevel)) {
    throw std::invalid_argument("log level '" + config.logLevel +
                                "' is not one of trace, debug, info, warn, error, off");
  }
}

ParsedArgs parseArgs(int argc, const char* const* argv) {
  ParsedArgs result;
  Config& config = result.config;
  CLI::App cli{"Treff: self-hosted video meetings. With no arguments it serves on 127.0.0.1."};
  std::string configFile;
  std::vector<std::string> listenIps;
  std::string announceIp;
  int httpPort = -1, mediaPort = -1, workers = -1;
  std::string logLevel;
  bool logAddresses = false;
  int maxParticipants = -1, maxMeetings = -1;
  std::string privacyUrl, imprintUrl, whipToken, videoCodec;
  int lastN = -2, audioLoudestN = -1, audioLoudestMin = -1;
  cli.add_option("--last-n", lastN,
                 "camera videos forwarded to each participant, by pins and recent speaking "
                 "(-1: all)")
      ->check(CLI::Range(-1, 1000));
  cli.add_option("--audio-loudest-n", audioLoudestN,
                 "in large meetings, forward only this many most recent speakers' audio (0: off)")
      ->check(CLI::Range(0, 1000));
  cli.add_option("--audio-loudest-min-participants", audioLoudestMin,
                 "meeting size from which --audio-loudest-n applies")
      ->check(CLI::Range(2, 10000));
  cli.add_option("--max-participants", maxParticipants, "participants per meeting")
      ->check(CLI::Range(2, 10000));
  cli.add_option("--max-meetings", maxMeetings, "meetings at once on this server")
      ->check(CLI::Range(1, 1000000));
  cli.add_option("--video-codec", videoCodec,
                 "rooms' video codec: VP8, VP9, H264 or AV1 (VP8 while a browser lacks it)");
  cli.add_option("--privacy-url", privacyUrl, "link to the operator's privacy policy");
  cli.add_option("--imprint-url", imprintUrl, "link to the operator's imprint");
  cli.add_option("--whip-token", whipToken, "bearer token for WHIP publishing (off when unset)");
  cli.add_option("-c,--config", configFile, "TOML configuration file")->check(CLI::ExistingFile);
  cli.add_option("--listen-ip", listenIps,
                 "address to listen on for HTTP and media (repeatable; each gets host candidates)");
  cli.add_option("--announce-ip", announceIp, "public address to announce (server behind NAT)");
  cli.add_option("--http-port", httpPort, "HTTP port (0: any free port)")
      ->check(CLI::Range(0, 65535));
  cli.add_option("--media-port", mediaPort,
                 "first media port; worker i uses this + i (UDP and TCP)")
      ->check(CLI::Range(1, 65535));
  cli.add_option("--workers", workers, "media worker threads (0: one per core)")
      ->check(CLI::Range(0, 256));
  cli.add_option("--log-level", logLevel, "trace, debug, info, warn, error or off");
  cli.add_flag("--log-addresses", logAddresses, "allow client IP addresses in logs (off: privacy)");
  try {
    cli.parse(argc, argv);
    if (!configFile.empty()) applyToml(configFile, config);
    if (!listenIps.empty()) config.listenIps = listenIps;
    if (!announceIp.empty()) config.announceIp = announceIp;
    if (httpPort >= 0) config.httpPort = static_cast<uint16_t>(httpPort);
    if (mediaPort >= 0) config.mediaPort = static_cast<uint16_t>(mediaPort);
    if (workers >= 0) config.workers = static_cast<unsigned>(workers);
    if (!logLevel.empty()) config.logLevel = logLevel;
    if (logAddresses) config.logAddresses = true;
    if (maxParticipants >= 0)
      config.maxParticipantsPerMeeting = static_cast<unsigned>(maxParticipants);
    if (maxMeetings >= 0) config.maxMeetings = static_cast<unsigned>(maxMeetings);
    if (!privacyUrl.empty()) config.privacyUrl = privacyUrl;
    if (!imprintUrl.empty()) config.imprintUrl = imprintUrl;
    if (!whipToken.empty()) config.whipToken = whipToken;
    if (!videoCodec.empty()) config.videoCodec = videoCodec;
    if (lastN >= -1) config.lastN = lastN;
    if (audioLoudestN >= 0) config.audioLoudestN = audioLoudestN;
    if (audioLoudestMin >= 0)
      config.audioLoudestMinParticipants = static_cast<unsigned>(audioLoudestMin);
    validate(config);
  } catch (const CLI::ParseError& e) {
    result.exit = true;
    result.exitCode = cli.exit(e);
    return result;
  } catch (const std::invalid_argument& e) {
    std::cerr << "treff: " << e.what() << "\n";
    result.exit = true;
    result.exitCode = 2;
  }
  return result;
}

}  // namespace treff::app
