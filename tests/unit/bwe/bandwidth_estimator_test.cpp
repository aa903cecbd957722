// The estimator against a deterministic bottleneck link: the sender sends at the target rate,
// the link queues and drops, the receiver writes real transport-wide CC feedback bytes every
// 50 ms (rtp::buildTwccFeedback) which the estimator reads back through TwccFeedbackView.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <vector>

#include "bwe/bandwidth_estimator.hpp"
#include "rtp/rtcp_twcc.hpp"

namespace treff::bwe {
namespace {

constexpr int64_t kMs = 1000;
constexpr int64_t kSec = 1'000'000;

int64_t floorDiv(int64_t v, int64_t d) {
  const int64_t q = v / d;
  return (v % d != 0 && v < 0) ? q - 1 : q;
}

class LinkSimulation {
 public:
  static constexpr size_t kMediaPacket = 1200;
  static constexpr int64_t kPropagationUs = 25 * kMs;
  static constexpr int64_t kMaxQueueUs = 400 * kMs;
  static constexpr int64_t kFeedbackIntervalUs = 50 * kMs;
  static constexpr int64_t kReceiverClockOffsetUs = 7'000 * kSec;  // only deltas may matter

  LinkSimulation(BandwidthEstimator& bwe, double capacityBps)
      : bwe_(bwe), capacityBps_(capacityBps) {
    arrivals_.reserve(400'000);
  }

  void setCapacity(double bps) { capacityBps_ = bps; }
  void setRandomLoss(double p) { loss_ = p; }
  int64_t now() const { return now_; }

  // Runs for `durationUs`; `each` (if set) sees the time every millisecond.
  template <typename Each>
  void run(int64_t durationUs, Each&& each) {
    const int64_t end = now_ + durationUs;
    while (now_ < end) {
      step();
      each(now_);
      now_ += kMs;
    }
  }
  void run(int64_t durationUs) {
    run(durationUs, [](int64_t) {});
  }

  // Starts sending a probe cluster as the estimator asks.
  bool probe(uint64_t desiredBps) {
    const ProbeRequest r = bwe_.nextProbe(static_cast<uint64_t>(now_), desiredBps);
    if (r.empty()) return false;
    probeBytesLeft_ = r.bytes;
    probeRateBps_ = static_cast<double>(r.rateBps);
    probePacket_ = std::clamp<size_t>(r.bytes / r.minPackets, 200, kMediaPacket);
    probeNextUs_ = now_;
    return true;
  }

  // Hooks for hostile-feedback tests.
  std::vector<std::vector<uint8_t>>& delivered() { return delivered_; }
  void deliver(const std::vector<uint8_t>& bytes) {
    rtp::TwccFeedbackView view;
    ASSERT_EQ(view.parse(bytes), rtp::RtcpError::kNone);
    bwe_.onTransportFeedback(view, static_cast<uint64_t>(now_));
  }
  void holdNextFeedback() { holdNext_ = true; }
  std::vector<uint8_t> held() const { return held_; }
  uint16_t nextSeq() const { return seq_; }

 private:
  void send(size_t bytes, bool probe) {
    bwe_.onPacketSent(seq_++, static_cast<uint64_t>(now_), bytes, probe);
    int64_t arrival = rtp::kTwccNotReceived;
    if (!randomLoss()) {
      const int64_t start = std::max(now_, linkFreeUs_);
      if (start - now_ <= kMaxQueueUs) {
        linkFreeUs_ = start + static_cast<int64_t>(static_cast<double>(bytes) * 8e6 / capacityBps_);
        arrival = linkFreeUs_ + kPropagationUs;
      }
    }
    arrivals_.push_back(arrival);
  }

  bool randomLoss() {
    if (loss_ <= 0) return false;
    rng_ ^= rng_ << 13;
    rng_ ^= rng_ >> 7;
    rng_ ^= rng_ << 17;
    return static_cast<double>(rng_ % 1'000'000) / 1e6 < loss_;
  }

  void step() {
    // Sender: media paced at the target rate.
    credit_ += static_cast<double>(bwe_.targetBps()) / 8e6 * kMs;
    while (credit_ >= kMediaPacket) {
      send(kMediaPacket, false);
      credit_ -= kMediaPacket;
    }
    while (probeBytesLeft_ > 0 && probeNextUs_ <= now_) {
      send(probePacket_, true);
      probeBytesLeft_ -= std::min(probeBytesLeft_, probePacket_);
      probeNextUs_ += static_cast<int64_t>(static_cast<double>(probePacket_) * 8e6 / probeRateBps_);
    }
    // Receiver.
    if (now_ % kFeedbackIntervalUs == 0) writeFeedback();
    // Feedback reaches the sender one propagation delay later.
    while (!inFlight_.empty() && inFlight_.front().first <= now_) {
      if (holdNext_) {
        held_ = inFlight_.front().second;
        holdNext_ = false;
      } else {
        deliver(inFlight_.front().second);
        delivered_.push_back(inFlight_.front().second);
      }
      inFlight_.pop_front();
    }
  }

  void writeFeedback() {
    // The newest packet the receiver has seen; everything before it not seen is lost (FIFO).
    size_t end = reported_;
    for (size_t i = reported_; i < arrivals_.size(); ++i) {
      if (arrivals_[i] != rtp::kTwccNotReceived && arrivals_[i] <= now_) end = i + 1;
      if (arrivals_[i] != rtp::kTwccNotReceived && arrivals_[i] > now_) break;
    }
    while (reported_ < end) {
      std::vector<int64_t> rx;
      for (size_t i = reported_; i < end; ++i) {
        rx.push_back(arrivals_[i] == rtp::kTwccNotReceived ? rtp::kTwccNotReceived
                                                           : arrivals_[i] + kReceiverClockOffsetUs);
      }
      for (int64_t a : rx) {
        if (a != rtp::kTwccNotReceived) {
          referenceTime_ = floorDiv(a, rtp::kTwccReferenceUnitUs);
          break;
        }
      }
      rtp::TwccFeedbackParams params;
      params.senderSsrc = 1;
      params.mediaSsrc = 2;
      params.baseSeq = static_cast<uint16_t>(firstSeq_ + reported_);
      params.referenceTime = referenceTime_;
      params.feedbackCount = feedbackCount_++;
      std::vector<uint8_t> out(1200);
      const rtp::TwccBuildResult r = rtp::buildTwccFeedback(out.data(), out.size(), params, rx);
      ASSERT_GT(r.packetCount, 0u);
      out.resize(r.size);
      inFlight_.emplace_back(now_ + kPropagationUs, std::move(out));
      reported_ += r.packetCount;
    }
  }

  BandwidthEstimator& bwe_;
  double capacityBps_;
  double loss_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  int64_t now_ = 10 * kSec;
  double credit_ = 0;
  const uint16_t firstSeq_ = 65000;  // wraps within the first second
  uint16_t seq_ = firstSeq_;
  int64_t linkFreeUs_ = 0;
  std::vector<int64_t> arrivals_;  // by packet index, sender clock
  size_t reported_ = 0;
  int64_t referenceTime_ = 0;
  uint8_t feedbackCount_ = 0;
  std::deque<std::pair<int64_t, std::vector<uint8_t>>> inFlight_;
  std::vector<std::vector<uint8_t>> delivered_;
  bool holdNext_ = false;
  std::vector<uint8_t> held_;
  size_t probeBytesLeft_ = 0;
  size_t probePacket_ = kMediaPacket;
  double probeRateBps_ = 1;
  int64_t probeNextUs_ = 0;
};

TEST(BandwidthEstimator, RampsUpToBottleneckWithoutRunawayOvershoot) {
  constexpr double kCapacity = 2'500'000;
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, kCapacity);
  const int64_t start = sim.now();
  int64_t reachedAt = -1;
  int64_t aboveLimitUs = 0;
  double sum = 0;
  int samples = 0;
  sim.run(40 * kSec, [&](int64_t now) {
    const double t = static_cast<double>(bwe.targetBps());
    if (reachedAt < 0 && t >= 0.7 * kCapacity && t <= 1.1 * kCapacity) reachedAt = now - start;
    if (t > 1.3 * kCapacity) aboveLimitUs += kMs;
    if (now - start >= 20 * kSec) sum += t, ++samples;
  });
  ASSERT_GE(reachedAt, 0);
  EXPECT_LE(reachedAt, 20 * kSec);
  EXPECT_LT(aboveLimitUs, 1 * kSec);
  const double mean = sum / samples;
  EXPECT_GT(mean, 0.7 * kCapacity);
  EXPECT_LT(mean, 1.1 * kCapacity);
  EXPECT_EQ(bwe.stats().unknownSeq, 0u);
  EXPECT_GT(bwe.stats().packetsReceived, 5000u);
  const BweState s = bwe.state();
  EXPECT_TRUE(s.twccActive);
  EXPECT_GT(s.ackedBps, 0.6 * kCapacity);
  EXPECT_LT(s.ackedBps, 1.05 * kCapacity);
}

TEST(BandwidthEstimator, CapacityStepDownIsFollowedWithinTwoSecondsAndRecovers) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 2'500'000);
  sim.run(25 * kSec);
  ASSERT_GT(bwe.targetBps(), 1'750'000u);
  sim.setCapacity(500'000);
  sim.run(2 * kSec);
  EXPECT_LT(bwe.targetBps(), 600'000u);
  sim.run(5 * kSec);
  EXPECT_LT(bwe.targetBps(), 600'000u);
  EXPECT_GT(bwe.targetBps(), 250'000u);  // not collapsed to the floor either
  sim.setCapacity(2'500'000);
  int64_t recoveredAfter = -1;
  const int64_t stepUp = sim.now();
  sim.run(45 * kSec, [&](int64_t now) {
    if (recoveredAfter < 0 && bwe.targetBps() > 1'750'000) recoveredAfter = now - stepUp;
  });
  ASSERT_GE(recoveredAfter, 0);
  EXPECT_LT(bwe.targetBps(), 3'250'000u);
}

TEST(BandwidthEstimator, HeavyRandomLossLowersTheEstimate) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 20'000'000);
  sim.setRandomLoss(0.20);
  sim.run(10 * kSec);
  EXPECT_LT(bwe.targetBps(), 500'000u);
  EXPECT_NEAR(bwe.state().lossFraction, 0.2, 0.1);
  EXPECT_LT(bwe.state().lossBasedBps, bwe.state().delayBasedBps);
}

TEST(BandwidthEstimator, LightRandomLossDoesNotLowerTheEstimate) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 20'000'000);
  sim.setRandomLoss(0.01);
  uint64_t lowest = bwe.targetBps();
  sim.run(10 * kSec, [&](int64_t) { lowest = std::min(lowest, bwe.targetBps()); });
  EXPECT_GE(lowest, 1'000'000u);
  EXPECT_GT(bwe.targetBps(), 1'500'000u);
  EXPECT_GT(bwe.stats().packetsLost, 0u);
}

TEST(BandwidthEstimator, RembOnlyClientFollowsRemb) {
  BandwidthEstimator bwe;
  EXPECT_EQ(bwe.targetBps(), 1'000'000u);
  bwe.onRemb(800'000, 1 * kSec);
  EXPECT_EQ(bwe.targetBps(), 800'000u);
  bwe.onRemb(3'000'000, 2 * kSec);
  EXPECT_EQ(bwe.targetBps(), 3'000'000u);
  bwe.onRemb(300'000, 3 * kSec);
  EXPECT_EQ(bwe.targetBps(), 300'000u);
  bwe.onRemb(10, 4 * kSec);  // clamped to the configured minimum
  EXPECT_EQ(bwe.targetBps(), 50'000u);
  bwe.onRemb(1'000'000'000, 5 * kSec);  // and maximum
  EXPECT_EQ(bwe.targetBps(), 20'000'000u);
  EXPECT_FALSE(bwe.state().twccActive);
}

TEST(BandwidthEstimator, RembCapsTheEstimateWhenTwccIsPresent) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 5'000'000);
  sim.run(2 * kSec);
  bwe.onRemb(700'000, static_cast<uint64_t>(sim.now()));
  uint64_t highest = 0;
  sim.run(10 * kSec, [&](int64_t) { highest = std::max(highest, bwe.targetBps()); });
  EXPECT_LE(highest, 700'000u);
  // A REMB above the delay-based estimate does not lift it.
  bwe.onRemb(15'000'000, static_cast<uint64_t>(sim.now()));
  EXPECT_LT(bwe.targetBps(), 2'000'000u);
}

TEST(BandwidthEstimator, ProbeWithinCapacityLiftsTheEstimate) {
  BandwidthEstimator probed;
  BandwidthEstimator plain;
  LinkSimulation a(probed, 6'000'000);
  LinkSimulation b(plain, 6'000'000);
  a.run(3 * kSec);
  b.run(3 * kSec);
  ASSERT_EQ(probed.targetBps(), plain.targetBps());
  ASSERT_TRUE(probed.wantsProbe(static_cast<uint64_t>(a.now())));
  ASSERT_TRUE(a.probe(4'000'000));
  EXPECT_FALSE(probed.wantsProbe(static_cast<uint64_t>(a.now())));  // one cluster at a time
  a.run(500 * kMs);
  b.run(500 * kMs);
  EXPECT_EQ(probed.stats().probesSucceeded, 1u);
  EXPECT_GT(probed.targetBps(), plain.targetBps() * 13 / 10);
  EXPECT_LT(probed.targetBps(), 6'000'000u);
}

// A burst of loss (a shaped link's queue overflowing) leaves the loss-based cap low; once the
// loss is over it grows back at 5 %/s. Runs `probed` and `plain` through the same burst and
// `quietUs` without loss after it, then lets `probed` send one probe.
struct AfterLossBurst {
  BandwidthEstimator probed;
  BandwidthEstimator plain;
  LinkSimulation a{probed, 20'000'000};
  LinkSimulation b{plain, 20'000'000};
  uint64_t before = 0;

  explicit AfterLossBurst(int64_t quietUs) {
    for (auto* sim : {&a, &b}) {
      sim->setRandomLoss(0.20);
      sim->run(6 * kSec);
      sim->setRandomLoss(0);
      sim->run(quietUs);
    }
    before = probed.targetBps();
    // Wait for a moment the estimator allows a probe.
    a.run(3 * kSec, [&](int64_t) {
      if (probed.stats().probesSucceeded == 0 && probed.stats().probesFailed == 0)
        a.probe(5'000'000);
    });
    b.run(3 * kSec);
  }
};

TEST(BandwidthEstimator, AProbeLiftsTheCapALossBurstLeftOnceTheLossIsAWhileAgo) {
  AfterLossBurst run(15 * kSec);
  ASSERT_EQ(run.probed.stats().probesSucceeded, 1u);
  EXPECT_GE(run.probed.targetBps(), run.before * 14 / 10) << "1.5x the target was probed";
  EXPECT_GT(run.probed.targetBps(), run.plain.targetBps() * 12 / 10);
}

TEST(BandwidthEstimator, AProbeRightAfterALossBurstLeavesTheCapGrowingSlowly) {
  // Within seconds of the loss, a probe that gets through proves little (a token bucket lets a
  // short burst through a link that has just shown its limit).
  AfterLossBurst run(1 * kSec);
  ASSERT_EQ(run.probed.stats().probesSucceeded, 1u);
  EXPECT_LT(run.probed.state().lossBasedBps, run.probed.state().delayBasedBps);
  EXPECT_LE(run.probed.targetBps(), run.plain.targetBps() * 11 / 10);
}

TEST(BandwidthEstimator, ProbeAboveCapacityDoesNotLiftTheEstimate) {
  constexpr uint64_t kCapacity = 1'200'000;
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, kCapacity);
  sim.run(15 * kSec);
  const uint64_t before = bwe.targetBps();
  ASSERT_LT(before, kCapacity * 11 / 10);
  // Wait for a moment the estimator allows a probe.
  sim.run(5 * kSec, [&](int64_t) {
    if (bwe.stats().probesFailed == 0 && bwe.stats().probesSucceeded == 0) sim.probe(5'000'000);
  });
  EXPECT_EQ(bwe.stats().probesSucceeded, 0u);
  EXPECT_GE(bwe.stats().probesFailed, 1u);
  EXPECT_LT(bwe.targetBps(), kCapacity * 11 / 10);
}

TEST(BandwidthEstimator, NoProbeWithoutFeedbackOrWhenTargetCoversTheWish) {
  BandwidthEstimator bwe;
  EXPECT_FALSE(bwe.wantsProbe(0));
  EXPECT_TRUE(bwe.nextProbe(0, 5'000'000).empty());
  LinkSimulation sim(bwe, 5'000'000);
  sim.run(1 * kSec);
  EXPECT_TRUE(bwe.nextProbe(static_cast<uint64_t>(sim.now()), bwe.targetBps()).empty());
  const ProbeRequest r = bwe.nextProbe(static_cast<uint64_t>(sim.now()), 100'000'000);
  ASSERT_FALSE(r.empty());
  EXPECT_LE(r.rateBps, bwe.targetBps() * 3 / 2 + 1);  // 1.5x the target at most
  EXPECT_GT(r.rateBps, bwe.targetBps());
  EXPECT_GE(r.bytes, r.minPackets * 200u);
}

// The first transport-wide feedback of the captured Chromium call (tests/unit/rtp
// rtcp_capture_test.cpp): base sequence 1, 16 packets, all received.
const uint8_t kCapturedTwcc[] = {0xaf, 0xcd, 0x00, 0x09, 0xfa, 0x17, 0xfa, 0x17, 0x19, 0x58,
                                 0x56, 0xdd, 0x00, 0x01, 0x00, 0x10, 0x00, 0x5e, 0xe2, 0x00,
                                 0x20, 0x10, 0x7b, 0x2c, 0x08, 0x1b, 0x15, 0x03, 0x0a, 0x1a,
                                 0x00, 0x0d, 0x08, 0x09, 0x00, 0x0c, 0x11, 0x2c, 0x00, 0x02};

TEST(BandwidthEstimator, ConsumesCapturedChromiumFeedbackAndIgnoresItsRepeat) {
  BandwidthEstimator bwe;
  for (uint16_t s = 1; s <= 16; ++s) bwe.onPacketSent(s, 1'000'000 + s * 2000, 1100, false);
  rtp::TwccFeedbackView fb;
  ASSERT_EQ(fb.parse(kCapturedTwcc), rtp::RtcpError::kNone);
  bwe.onTransportFeedback(fb, 1'100'000);
  EXPECT_EQ(bwe.stats().packetsReceived, 16u);
  EXPECT_EQ(bwe.stats().packetsLost, 0u);
  EXPECT_EQ(bwe.stats().unknownSeq, 0u);
  EXPECT_TRUE(bwe.state().twccActive);
  bwe.onTransportFeedback(fb, 1'150'000);
  EXPECT_EQ(bwe.stats().duplicateReports, 16u);
  EXPECT_EQ(bwe.stats().emptyFeedbacks, 1u);
  EXPECT_EQ(bwe.targetBps(), 1'000'000u);
}

std::vector<uint8_t> buildFeedback(uint16_t base, std::vector<int64_t> arrivals,
                                   int64_t referenceTime) {
  rtp::TwccFeedbackParams p;
  p.baseSeq = base;
  p.referenceTime = referenceTime;
  std::vector<uint8_t> out(4096);
  const rtp::TwccBuildResult r = rtp::buildTwccFeedback(out.data(), out.size(), p, arrivals);
  out.resize(r.size);
  return out;
}

TEST(BandwidthEstimator, HostileFeedbackNeitherCrashesNorMovesTheEstimateAbsurdly) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 2'000'000);
  sim.holdNextFeedback();
  sim.run(5 * kSec);
  const uint64_t before = bwe.targetBps();
  const uint16_t next = sim.nextSeq();

  // Far outside the history: all unknown.
  sim.deliver(
      buildFeedback(static_cast<uint16_t>(next + 30000), std::vector<int64_t>(100, 5000), 0));
  EXPECT_EQ(bwe.stats().unknownSeq, 100u);
  // Not yet sent: unknown too.
  sim.deliver(buildFeedback(next, std::vector<int64_t>(10, 9000), 0));
  EXPECT_EQ(bwe.stats().unknownSeq, 110u);
  // Empty: a feedback reporting zero packets.
  std::vector<uint8_t> empty = buildFeedback(next, {1000}, 0);
  empty[14] = empty[15] = 0;
  sim.deliver(empty);
  // Duplicates of what already arrived.
  ASSERT_GE(sim.delivered().size(), 10u);
  const uint64_t dupBefore = bwe.stats().duplicateReports;
  for (size_t i = 0; i < 10; ++i) sim.deliver(sim.delivered()[sim.delivered().size() - 1 - i]);
  EXPECT_GT(bwe.stats().duplicateReports, dupBefore);
  // Reordered: the very first feedback, held back, arrives 5 s late (its packets have since
  // been evicted or reported; nothing of it may count twice).
  ASSERT_FALSE(sim.held().empty());
  sim.deliver(sim.held());
  // Every packet claimed received with arrival times hours apart.
  std::vector<int64_t> wild;
  for (int i = 0; i < 20; ++i) wild.push_back(i % 2 ? 8'000 * kSec : 0);
  sim.deliver(buildFeedback(static_cast<uint16_t>(next - 100), wild, 0));

  EXPECT_GE(bwe.stats().emptyFeedbacks, 3u);
  EXPECT_GT(bwe.targetBps(), before / 2);
  EXPECT_LT(bwe.targetBps(), before * 3 / 2);
  // And it goes on estimating sensibly.
  sim.run(10 * kSec);
  EXPECT_GT(bwe.targetBps(), 1'200'000u);
  EXPECT_LT(bwe.targetBps(), 2'600'000u);
}

// Real feedback bytes with random bytes flipped: whatever still parses is fed in.
TEST(BandwidthEstimator, MutatedFeedbackBytesAreHandledWithinBounds) {
  BandwidthEstimator bwe;
  LinkSimulation sim(bwe, 3'000'000);
  sim.run(3 * kSec);
  ASSERT_GE(sim.delivered().size(), 20u);
  uint64_t rng = 12345;
  auto next = [&rng] {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(rng >> 33);
  };
  size_t parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::vector<uint8_t> bytes = sim.delivered()[next() % sim.delivered().size()];
    const int flips = 1 + static_cast<int>(next() % 4);
    for (int f = 0; f < flips; ++f) {
      // Keep the RTCP header (so it still parses as TWCC); hit the FCI.
      const size_t at = 12 + next() % (bytes.size() - 12);
      bytes[at] = static_cast<uint8_t>(next());
    }
    rtp::TwccFeedbackView view;
    if (view.parse(bytes) != rtp::RtcpError::kNone) continue;
    ++parsed;
    bwe.onTransportFeedback(view, static_cast<uint64_t>(sim.now()));
    ASSERT_GE(bwe.targetBps(), 50'000u);
    ASSERT_LE(bwe.targetBps(), 20'000'000u);
  }
  EXPECT_GT(parsed, 500u);
  // After the noise, honest feedback brings it back to the link.
  sim.run(20 * kSec);
  EXPECT_GT(bwe.targetBps(), 1'500'000u);
  EXPECT_LT(bwe.targetBps(), 3'900'000u);
}

TEST(BandwidthEstimator, RejectsInconsistentConfig) {
  BweConfig c;
  c.minBps = 2'000'000;
  EXPECT_THROW(BandwidthEstimator{c}, std::invalid_argument);
  c = {};
  c.historyCapacity = 0;
  EXPECT_THROW(BandwidthEstimator{c}, std::invalid_argument);
}

}  // namespace
}  // namespace treff::bwe
