// treff: one binary that serves the web app, signaling and media.
#include <signal.h>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <exception>
#include <thread>

#include "app/config.hpp"
#include "app/control_plane.hpp"
#include "sfu/media_plane.hpp"
#include "signaling/http_server.hpp"
#include "util/log.hpp"

int main(int argc, char** argv) {
  using namespace treff;
  auto parsed = app::parseArgs(argc, argv);
  if (parsed.exit) return parsed.exitCode;
  const app::Config& config = parsed.config;
  util::setupLogging(config.logLevel);
  util::setLogAddresses(config.logAddresses);

  // SIGINT and SIGTERM are taken by a thread of their own; every other thread blocks them.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGINT);
  sigaddset(&stopSignals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  try {
    sfu::MediaPlaneConfig mediaConfig;
    mediaConfig.listenIps = config.listenIps;
    mediaConfig.announceIp = config.announceIp;
    mediaConfig.mediaPort = config.mediaPort;
    mediaConfig.workers = config.workers;
    sfu::MediaPlane media(mediaConfig);

    app::ControlPlaneOptions options;
    options.limits.maxParticipantsPerMeeting = config.maxParticipantsPerMeeting;
    options.limits.maxMeetings = config.maxMeetings;
    options.rooms.videoCodec = config.videoCodec;
    options.rooms.lastN = config.lastN;
    options.rooms.audioLoudestN = config.audioLoudestN;
    options.rooms.audioLoudestMinParticipants = config.audioLoudestMinParticipants;
    options.privacyUrl = config.privacyUrl;
    options.imprintUrl = config.imprintUrl;
    options.whipToken = config.whipToken;
    app::ControlPlane control(media, options);
    signaling::HttpServerConfig httpConfig;
    httpConfig.address = config.listenIps.front();
    httpConfig.port = config.httpPort;
    auto server = signaling::HttpServer::create(httpConfig, control);
    control.attach(*server);
    media.start();

    std::thread signalThread([&] {
      int sig = 0;
      sigwait(&stopSignals, &sig);
      spdlog::info("stopping (signal {})", sig);
      server->stop();
    });
    signalThread.detach();

    std::string host = config.listenIps.front();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::printf("Treff is running. Open http://%s:%u/ in a browser.\n", host.c_str(),
                static_cast<unsigned>(server->port()));
    std::fflush(stdout);
    spdlog::info("{} media worker(s) on port {}..{} (UDP and TCP)", media.workerCount(),
                 config.mediaPort, config.mediaPort + media.workerCount() - 1);
    server->run();
    media.stop();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "treff: %s\n", e.what());
    return 1;
  }
  return 0;
}
