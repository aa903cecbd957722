// treff-loadgen: N simulated WebRTC participants against a Treff server (or Janus VideoRoom, or
// as plain UDP through a reflector for the delay baseline), reporting delivery, loss and one-way
// delay as JSON on stdout.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "reflector_scenario.hpp"
#include "report.hpp"
#include "scenario.hpp"

int main(int argc, char** argv) {
  treff::loadgen::ScenarioOptions o;
  CLI::App app{"treff-loadgen: simulated participants that publish and subscribe through Treff"};
  auto* url =
      app.add_option("--url", o.url, "the Treff server, http://HOST:PORT/")->capture_default_str();
  auto* janus =
      app.add_option("--janus", o.janusUrl,
                     "run against Janus's VideoRoom instead: its HTTP API, http://HOST:PORT/janus")
          ->excludes(url);
  app.add_option("--reflector", o.reflector,
                 "no server: send the same media as plain UDP through this UDP reflector "
                 "(treff-ceiling --reflector PORT), IP:PORT; each publisher's packets go out "
                 "through every other room member's socket and come back to it")
      ->excludes(url)
      ->excludes(janus);
  app.add_option("--rooms", o.rooms, "rooms")->check(CLI::Range(1u, 1000u))->capture_default_str();
  app.add_option("--capacities", o.capacitiesKbps,
                 "downlink kbit/s of the participants in turn, emulated at arrival (0: "
                 "unlimited), e.g. 600,0,0")
      ->delimiter(',');
  app.add_option("--meeting", o.meeting,
                 "Treff meeting to join, e.g. one a browser is in (several rooms: NAME-0, ...)");
  app.add_option("--participants", o.participants, "participants per room")
      ->check(CLI::Range(1u, 1000u))
      ->capture_default_str();
  app.add_option("--publishers", o.publishers,
                 "publishers per room (the first ones); the rest only subscribe (default: all)");
  app.add_flag("--audio-only", o.audioOnly, "publish audio only");
  app.add_option("--duration", o.durationS, "measured seconds, after everyone is connected")
      ->check(CLI::Range(0.5, 3600.0))
      ->capture_default_str();
  app.add_option("--threads", o.threads, "event loop threads")
      ->check(CLI::Range(1u, 64u))
      ->capture_default_str();
  app.add_option("--video-kbps", o.videoKbps, "video bitrate per publisher")
      ->check(CLI::Range(50u, 20000u))
      ->capture_default_str();
  app.add_option("--rate-scale", o.rateScale,
                 "multiply every publisher's packet rate (video and audio frames per second)")
      ->check(CLI::Range(0.01, 20.0))
      ->capture_default_str();
  app.add_option("--seed", o.seed, "seed of the synthetic media")->capture_default_str();
  app.add_option("--ramp-timeout", o.rampTimeoutS,
                 "seconds allowed for joining and connecting (default 20 + 0.1 per participant)");
  app.add_option("--drop-percent", o.dropPercent,
                 "drop this % of RTP arriving on subscribe connections (exercises NACK/RTX)")
      ->check(CLI::Range(0.0, 50.0));
  CLI11_PARSE(app, argc, argv);

  treff::loadgen::ScenarioResult result;
  try {
    result = o.reflector.empty() ? treff::loadgen::runScenario(o)
                                 : treff::loadgen::runReflectorScenario(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "treff-loadgen: %s\n", e.what());
    return 2;
  }
  std::cout << treff::loadgen::buildReport(o, result) << std::endl;
  if (!result.setupOk) {
    std::fprintf(stderr, "treff-loadgen: %s\n", result.error.c_str());
    return 2;
  }
  return 0;
}
