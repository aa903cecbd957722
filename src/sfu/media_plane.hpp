// The media plane as the control plane sees it: the workers, the DTLS certificate, and the
// sessions it can open. Offers are parsed and answered on the caller's (control) thread; the
// session itself is created on its worker.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace treff::dtls {
class Certificate;
}

namespace treff::sfu {

class Worker;

struct MediaPlaneConfig {
  std::vector<std::string> listenIps{"127.0.0.1"};
  std::string announceIp;
  uint16_t mediaPort = 40000;
  unsigned workers = 1;
};

struct SessionResult {
  bool ok = false;
  std::string sdp;    // the answer, when ok
  std::string error;  // a readable reason, when not
};

class MediaPlane {
 public:
  // Generates the certificate and binds every worker's sockets; throws std::runtime_error naming
  // the address that could not be bound.
  explicit MediaPlane(const MediaPlaneConfig& config);
  ~MediaPlane();

  void start();
  void stop();

  // Answers a browser's offer with an echo session on the next worker. `done` runs on that
  // worker's thread once the session exists (or right away on a bad offer, on this thread).
  void createEcho(std::string_view offerSdp, std::function<void(SessionResult)> done);

  // Prometheus text exposition of every worker's counters, summed.
  std::string prometheusMetrics() const;
  const std::string& certificateFingerprint() const;
  size_t workerCount() const { return workers_.size(); }

 private:
  MediaPlaneConfig config_;
  std::unique_ptr<dtls::Certificate> certificate_;
  std::vector<std::unique_ptr<Worker>> workers_;
  unsigned nextWorker_ = 0;
};

}  // namespace treff::sfu
