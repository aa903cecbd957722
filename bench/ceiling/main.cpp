// treff-ceiling: the machine's forwarding ceiling, measured by a program with no SFU logic
// (receive, SRTP unprotect, per subscriber header rewrite + SRTP protect, batched send), and a
// plain UDP reflector as the delay baseline. Prints progress to stderr and one JSON object to
// stdout.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <string>

#include "ceiling_config.hpp"
#include "probe.hpp"

int main(int argc, char** argv) {
  using treff::ceiling::Config;
  Config config;
  std::string profile = "gcm";
  int reflectorPort = -1;
  std::string bindIp = "127.0.0.1";

  CLI::App app{
      "Forwarding ceiling probe: SRTP forwarding with no SFU logic over loopback, or a plain "
      "UDP reflector (--reflector PORT)."};
  app.add_option("--publishers", config.publishers, "publishers, each sent to every subscriber")
      ->check(CLI::Range(1, 32767));
  app.add_option("--subscribers", config.subscribers, "subscribers (one transport each)")
      ->check(CLI::Range(1, 65534));
  auto* rooms = app.add_option("--rooms", config.rooms,
                               "rooms; each participant publishes to the others in its room")
                    ->check(CLI::Range(1, 10000));
  auto* participants =
      app.add_option("--participants", config.participants, "participants per room")
          ->check(CLI::Range(2, 1000));
  rooms->needs(participants);
  participants->needs(rooms);
  app.add_option("--profile", profile,
                 "SRTP profile: gcm (AEAD_AES_128_GCM) or cm "
                 "(AES_CM_128_HMAC_SHA1_80)")
      ->check(CLI::IsMember({"gcm", "cm"}));
  app.add_flag("--gso", config.gso, "send same-size runs to one subscriber as UDP GSO trains");
  app.add_flag("--audio-only", config.audioOnly, "publishers send audio only");
  app.add_flag("--verify", config.verify, "sinks unprotect one datagram in 16 to prove SRTP");
  app.add_option("--rate-scale", config.rateScale, "multiplies every publisher's packet rate")
      ->check(CLI::Range(0.01, 100.0));
  app.add_option("--video-bytes", config.videoBytes, "SRTP size of a full video packet");
  app.add_option("--audio-bytes", config.audioBytes, "SRTP size of an audio packet");
  app.add_option("--video-pps", config.videoPacketsPerSecond, "video packets/s per publisher");
  app.add_option("--audio-pps", config.audioPacketsPerSecond, "audio packets/s per publisher");
  app.add_option("--frame-packets", config.videoFramePackets, "video packets per frame (burst)")
      ->check(CLI::Range(1, 64));
  app.add_option("--warmup", config.warmupSeconds, "seconds before the measured window")
      ->check(CLI::Range(0.0, 60.0));
  app.add_option("--duration", config.durationSeconds,
                 "measured seconds (reflector: seconds to run)")
      ->check(CLI::Range(0.1, 3600.0));
  app.add_option("--recv-batch", config.recvBatch, "datagrams per recvmmsg")
      ->check(CLI::Range(1, 1024));
  app.add_option("--send-batch", config.sendBatch, "messages per sendmmsg")
      ->check(CLI::Range(1, 1024));
  app.add_option("--generator-threads", config.generatorThreads, "publisher threads")
      ->check(CLI::Range(1, 64));
  app.add_option("--forwarder-cpu", config.forwarderCpu, "pin the forwarding thread to a CPU");
  int bufferMiB = config.socketBufferBytes >> 20;
  app.add_option("--socket-buffer", bufferMiB,
                 "MiB of socket buffer for the forwarder and each sink (absorbs brief stalls)")
      ->check(CLI::Range(1, 1024));
  app.add_option("--sink-nice", config.sinkNice,
                 "nice value of the sink thread (0 = same priority as the forwarder)")
      ->check(CLI::Range(-20, 19));
  app.add_option("--sink-sweep-ms", config.sinkSweepMs,
                 "sweep the sink sockets every N ms instead of epoll (no wake-up per datagram "
                 "charged to the forwarder)")
      ->check(CLI::Range(0, 1000));
  app.add_flag("--quiet", config.quiet, "no progress on stderr");
  app.add_option("--reflector", reflectorPort, "run as a plain UDP reflector on this port")
      ->check(CLI::Range(0, 65535));
  app.add_option("--bind", bindIp, "reflector address (IPv4)");
  size_t reflectorThreads = 2;
  app.add_option("--reflector-threads", reflectorThreads,
                 "reflector threads, each on its own socket of the port (SO_REUSEPORT)")
      ->check(CLI::Range(1, 16));
  CLI11_PARSE(app, argc, argv);
  config.socketBufferBytes = bufferMiB << 20;

  config.profile = profile == "cm" ? treff::srtp::Profile::Aes128CmHmacSha1_80
                                   : treff::srtp::Profile::AeadAes128Gcm;
  try {
    const std::string report =
        reflectorPort >= 0
            ? treff::ceiling::runReflector(bindIp.c_str(), static_cast<uint16_t>(reflectorPort),
                                           config.durationSeconds, config.recvBatch,
                                           reflectorThreads, config.quiet)
            : treff::ceiling::runForwardingProbe(config);
    std::printf("%s\n", report.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "treff-ceiling: %s\n", e.what());
    return 1;
  }
  return 0;
}
