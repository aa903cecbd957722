// Bandwidth probing before a layer upgrade: a short cluster of padding packets at a rate above
// the target; if the receiver got them at that rate without over-use, the estimate may jump to
// the measured rate instead of climbing there at 8 %/s. One cluster is in flight at a time.
#pragma once

#include <cstdint>

namespace treff::bwe {

struct ProbeRequest {
  uint16_t clusterId = 0;   // 0: no probe
  uint64_t rateBps = 0;     // send the padding at this rate ...
  uint32_t bytes = 0;       // ... this many bytes in total ...
  uint32_t durationUs = 0;  // ... spread over this long,
  uint32_t minPackets = 0;  // in at least this many packets
  bool empty() const { return clusterId == 0; }
};

class ProbeController {
 public:
  static constexpr double kProbeGain = 1.5;  // probe at 1.5x the target, or less if desired
  static constexpr uint32_t kDurationUs = 15'000;
  static constexpr uint32_t kMinPackets = 5;
  static constexpr uint32_t kMinProbeBytes = kMinPackets * 200;
  static constexpr int64_t kTimeoutUs = 1'000'000;
  static constexpr int64_t kIntervalAfterSuccessUs = 1'000'000;
  static constexpr int64_t kIntervalAfterFailureUs = 5'000'000;
  static constexpr double kMinReceivedShare = 0.8;
  static constexpr double kMinRateRatio = 0.9;  // receive rate / probed rate

  bool wantsProbe(int64_t nowUs) const;
  // Starts a cluster toward `desiredBps`; empty when the target already covers it.
  // `durationUs`: how long the caller will spread the padding over (its pacing granularity).
  ProbeRequest start(int64_t nowUs, uint64_t targetBps, uint64_t desiredBps, uint64_t maxBps,
                     uint32_t durationUs = kDurationUs);

  // The cluster a probe packet being sent now belongs to (0 when the cluster is complete).
  uint16_t onProbeSent(int64_t sendUs, uint32_t bytes);
  void onReported(uint16_t cluster, bool received, int64_t sendUs, int64_t arrivalUs,
                  uint32_t bytes);
  // After a feedback: when the active cluster is settled, returns the rate it proved (0 if it
  // failed or is still open). `overusing`: the delay-based detector flags over-use right now.
  uint64_t settle(int64_t nowUs, bool overusing);

  uint16_t activeCluster() const { return active_ ? cluster_.id : 0; }
  uint64_t successes() const { return successes_; }
  uint64_t failures() const { return failures_; }

 private:
  struct Cluster {
    uint16_t id = 0;
    uint64_t rateBps = 0;
    uint32_t bytesWanted = 0;
    int64_t startUs = 0;
    uint32_t sentPackets = 0;
    uint64_t sentBytes = 0;
    int64_t firstSendUs = 0;
    int64_t lastSendUs = 0;
    uint32_t lastSentSize = 0;
    uint32_t reported = 0;
    uint32_t received = 0;
    uint64_t receivedBytes = 0;
    int64_t firstArrivalUs = 0;
    int64_t lastArrivalUs = 0;
    uint32_t firstArrivalSize = 0;
  };
  uint64_t finish(int64_t nowUs, uint64_t provenBps);

  Cluster cluster_;
  bool active_ = false;
  uint16_t nextId_ = 1;
  int64_t nextAllowedUs_ = 0;
  uint64_t successes_ = 0;
  uint64_t failures_ = 0;
};

}  // namespace treff::bwe
