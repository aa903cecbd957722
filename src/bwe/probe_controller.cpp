#include "bwe/probe_controller.hpp"

#include <algorithm>

namespace treff::bwe {

bool ProbeController::wantsProbe(int64_t nowUs) const {
  return !active_ && nowUs >= nextAllowedUs_;
}

ProbeRequest ProbeController::start(int64_t nowUs, uint64_t targetBps, uint64_t desiredBps,
                                    uint64_t maxBps, uint32_t durationUs) {
  if (!wantsProbe(nowUs)) return {};
  const uint64_t ceiling = std::min<uint64_t>(
      maxBps, static_cast<uint64_t>(static_cast<double>(targetBps) * kProbeGain));
  const uint64_t rate = std::min(desiredBps, ceiling);
  // Not worth a probe: the target (nearly) covers the wish already.
  if (rate <= targetBps + targetBps / 20) return {};

  cluster_ = Cluster{};
  cluster_.id = nextId_;
  nextId_ = static_cast<uint16_t>(nextId_ == UINT16_MAX ? 1 : nextId_ + 1);
  cluster_.rateBps = rate;
  cluster_.bytesWanted =
      std::max<uint32_t>(kMinProbeBytes, static_cast<uint32_t>(rate * durationUs / 8'000'000));
  cluster_.startUs = nowUs;
  active_ = true;

  ProbeRequest request;
  request.clusterId = cluster_.id;
  request.rateBps = rate;
  request.bytes = cluster_.bytesWanted;
  request.durationUs = durationUs;
  request.minPackets = kMinPackets;
  return request;
}

uint16_t ProbeController::onProbeSent(int64_t sendUs, uint32_t bytes) {
  if (!active_ || cluster_.sentBytes >= cluster_.bytesWanted) return 0;
  if (cluster_.sentPackets == 0) cluster_.firstSendUs = sendUs;
  ++cluster_.sentPackets;
  cluster_.sentBytes += bytes;
  cluster_.lastSendUs = std::max(cluster_.lastSendUs, sendUs);
  cluster_.lastSentSize = bytes;
  return cluster_.id;
}

void ProbeController::onReported(uint16_t cluster, bool received, int64_t /*sendUs*/,
                                 int64_t arrivalUs, uint32_t bytes) {
  if (!active_ || cluster != cluster_.id) return;
  ++cluster_.reported;
  if (!received) return;
  if (cluster_.received == 0 || arrivalUs < cluster_.firstArrivalUs) {
    cluster_.firstArrivalUs = arrivalUs;
    cluster_.firstArrivalSize = bytes;
  }
  if (cluster_.received == 0 || arrivalUs > cluster_.lastArrivalUs) {
    cluster_.lastArrivalUs = arrivalUs;
  }
  ++cluster_.received;
  cluster_.receivedBytes += bytes;
}

uint64_t ProbeController::settle(int64_t nowUs, bool overusing) {
  if (!active_) return 0;
  const Cluster& c = cluster_;
  const bool allSent = c.sentBytes >= c.bytesWanted && c.sentPackets >= kMinPackets;
  const bool allReported = allSent && c.reported >= c.sentPackets;
  if (!allReported) {
    return nowUs - c.startUs >= kTimeoutUs ? finish(nowUs, 0) : 0;
  }
  if (overusing || c.received < kMinPackets ||
      c.received < kMinReceivedShare * static_cast<double>(c.sentPackets)) {
    return finish(nowUs, 0);
  }
  // Rates over the intervals between the first and last packet: the last packet sent and the
  // first packet received add nothing to those intervals.
  const int64_t sendSpan = c.lastSendUs - c.firstSendUs;
  const int64_t recvSpan = c.lastArrivalUs - c.firstArrivalUs;
  if (sendSpan <= 0 || recvSpan <= 0) return finish(nowUs, 0);
  const double sendBps =
      static_cast<double>(c.sentBytes - c.lastSentSize) * 8e6 / static_cast<double>(sendSpan);
  const double recvBps = static_cast<double>(c.receivedBytes - c.firstArrivalSize) * 8e6 /
                         static_cast<double>(recvSpan);
  const double probed = std::min(sendBps, static_cast<double>(c.rateBps));
  if (recvBps < kMinRateRatio * probed) return finish(nowUs, 0);
  return finish(nowUs, static_cast<uint64_t>(std::min(recvBps, sendBps)));
}

uint64_t ProbeController::finish(int64_t nowUs, uint64_t provenBps) {
  active_ = false;
  if (provenBps > 0) {
    ++successes_;
    nextAllowedUs_ = nowUs + kIntervalAfterSuccessUs;
  } else {
    ++failures_;
    nextAllowedUs_ = nowUs + kIntervalAfterFailureUs;
  }
  return provenBps;
}

}  // namespace treff::bwe
