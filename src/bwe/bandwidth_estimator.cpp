#include "bwe/bandwidth_estimator.hpp"

#include <algorithm>

#include "rtp/rtcp_twcc.hpp"

namespace treff::bwe {

namespace {

constexpr int64_t kMinRttUs = 1'000;
constexpr int64_t kMaxRttUs = 2'000'000;

}  // namespace

BandwidthEstimator::BandwidthEstimator(const BweConfig& config)
    : config_(config),
      history_(config.historyCapacity),
      rateControl_({config.startBps, config.minBps, config.maxBps}),
      loss_(config.startBps, config.minBps, config.maxBps),
      targetBps_(config.startBps) {}

bool BandwidthEstimator::twccActive(int64_t nowUs) const {
  return lastTwccUs_ >= 0 && nowUs - lastTwccUs_ < kTwccStaleUs;
}

void BandwidthEstimator::onPacketSent(uint16_t transportSeq, uint64_t sendUs, size_t bytes,
                                      bool probe) {
  const auto now = static_cast<int64_t>(sendUs);
  const uint16_t cluster =
      probe ? probes_.onProbeSent(now, static_cast<uint32_t>(std::min<size_t>(bytes, UINT32_MAX)))
            : 0;
  history_.onSent(transportSeq, now, bytes, probe, cluster);
}

void BandwidthEstimator::onTransportFeedback(const rtp::TwccFeedbackView& feedback,
                                             uint64_t nowUs) {
  const auto now = static_cast<int64_t>(nowUs);
  ++stats_.feedbacks;
  uint32_t known = 0;
  int64_t newestReceivedSendUs = -1;
  int64_t newestReceivedSeq = INT64_MIN;

  auto it = feedback.packets();
  rtp::TwccPacketStatus status;
  while (it.next(status)) {
    SentPacket* packet = history_.find(status.seq);
    if (packet == nullptr) {
      ++stats_.unknownSeq;
      continue;
    }
    if (status.received) {
      if (packet->feedback == FeedbackState::kReceived) {
        ++stats_.duplicateReports;
        continue;
      }
      if (packet->feedback == FeedbackState::kLost) {
        loss_.onLostPacketRecovered();
      } else {
        loss_.onPacketReported(true);
        probes_.onReported(packet->probeCluster, true, packet->sendUs, status.arrivalUs,
                           packet->size);
      }
      packet->feedback = FeedbackState::kReceived;
      ++known;
      ++stats_.packetsReceived;
      acked_.onAcked(status.arrivalUs, packet->size);
      delay_.onPacket(packet->sendUs, status.arrivalUs);
      if (packet->seq > newestReceivedSeq) {
        newestReceivedSeq = packet->seq;
        newestReceivedSendUs = packet->sendUs;
      }
    } else {
      if (packet->feedback != FeedbackState::kUnreported) {
        ++stats_.duplicateReports;
        continue;
      }
      packet->feedback = FeedbackState::kLost;
      ++known;
      ++stats_.packetsLost;
      loss_.onPacketReported(false);
      probes_.onReported(packet->probeCluster, false, packet->sendUs, 0, packet->size);
    }
  }
  if (known == 0) {
    ++stats_.emptyFeedbacks;
    return;
  }

  const bool wasActive = twccActive(now);
  lastTwccUs_ = now;
  if (!wasActive) {
    // Leaving REMB-only mode: continue from the value in use.
    rateControl_.setEstimate(targetBps_, now);
    loss_.stopLimiting();
  }

  // Feedback delay bounds the RTT from above: the newest packet reported received was sent
  // this long ago.
  if (!rttFromReports_ && newestReceivedSendUs >= 0 && now >= newestReceivedSendUs) {
    const int64_t sample = std::clamp(now - newestReceivedSendUs, kMinRttUs, kMaxRttUs);
    rttUs_ = (rttUs_ * 7 + sample) / 8;
    rateControl_.setRttUs(rttUs_);
  }

  rateControl_.update(delay_.usage(), acked_.bitrateBps(), now);
  loss_.update(targetBps_, rateControl_.estimateBps(), now, rttUs_);
  const uint64_t proven = probes_.settle(now, delay_.usage() == BandwidthUsage::kOverusing);
  // A probe lifts whichever part holds the target below what it proved: the delay-based
  // estimate, and (once the loss is a while ago) the loss-based cap a loss decrease left, which
  // stops limiting when the next update finds it at the delay-based estimate.
  loss_.raiseTo(proven, now);
  if (proven > rateControl_.estimateBps()) rateControl_.setEstimate(proven, now);
  stats_.probesSucceeded = probes_.successes();
  stats_.probesFailed = probes_.failures();
  recompute(now);
}

void BandwidthEstimator::onRemb(uint64_t bitrateBps, uint64_t nowUs) {
  rembBps_ = std::max<uint64_t>(bitrateBps, 1);  // 0 would read as "no REMB"
  const auto now = static_cast<int64_t>(nowUs);
  if (!twccActive(now)) {
    // REMB-only client: the receiver's estimate is the estimate.
    rateControl_.setEstimate(bitrateBps, now);
    loss_.stopLimiting();
  }
  recompute(now);
}

void BandwidthEstimator::onRtt(uint64_t rttUs) {
  rttFromReports_ = true;
  rttUs_ =
      std::clamp(static_cast<int64_t>(std::min<uint64_t>(rttUs, kMaxRttUs)), kMinRttUs, kMaxRttUs);
  rateControl_.setRttUs(rttUs_);
}

void BandwidthEstimator::recompute(int64_t /*nowUs*/) {
  uint64_t target = std::min(rateControl_.estimateBps(), loss_.estimateBps());
  if (rembBps_ > 0) target = std::min(target, rembBps_);
  targetBps_ = std::clamp(target, config_.minBps, config_.maxBps);
}

BweState BandwidthEstimator::state() const {
  BweState s;
  s.targetBps = targetBps_;
  s.delayBasedBps = rateControl_.estimateBps();
  s.lossBasedBps = loss_.estimateBps();
  s.ackedBps = acked_.bitrateBps();
  s.rembBps = rembBps_;
  s.usage = delay_.usage();
  s.rateControl = rateControl_.state();
  s.lossFraction = loss_.lossFraction();
  s.rttUs = rttUs_;
  s.twccActive = lastTwccUs_ >= 0;
  return s;
}

bool BandwidthEstimator::wantsProbe(uint64_t nowUs) const {
  const auto now = static_cast<int64_t>(nowUs);
  return twccActive(now) && probes_.wantsProbe(now) && delay_.usage() != BandwidthUsage::kOverusing;
}

ProbeRequest BandwidthEstimator::nextProbe(uint64_t nowUs, uint64_t desiredBps,
                                           uint32_t durationUs) {
  if (!wantsProbe(nowUs)) return {};
  uint64_t ceiling = config_.maxBps;
  if (rembBps_ > 0) ceiling = std::min(ceiling, rembBps_);
  return probes_.start(static_cast<int64_t>(nowUs), targetBps_, desiredBps, ceiling, durationUs);
}

}  // namespace treff::bwe
