// The estimator replayed on what a real Chromium reported: tests/data/bwe/ holds the trace of a
// subscriber transport recorded by Treff (TREFF_BWE_TRACE_DIR) during the shaped-link browser
// test: Chromium receiving one camera through a router that shaped its link to 400 kbit/s
// (tbf, 50 ms queue) for about twelve seconds, then let it go. Every packet Treff sent and
// every transport-wide CC feedback Chromium returned are in it, byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "bwe/bandwidth_estimator.hpp"
#include "bwe/bwe_trace.hpp"
#include "rtp/rtcp_twcc.hpp"

namespace treff::bwe {
namespace {

const std::string kTrace = std::string(TREFF_TEST_DATA) + "/bwe/chromium-shaped-400kbit.trace";
constexpr uint64_t kCapacityBps = 400'000;

struct Point {
  uint64_t timeUs;
  uint64_t targetBps;
};

struct Replay {
  std::vector<Point> targets;  // after each feedback
  // Queueing delay per reported packet: (send time, one-way delay minus the smallest seen).
  std::vector<std::pair<uint64_t, int64_t>> delays;
  uint64_t firstUs = 0;
  uint64_t lastUs = 0;
};

// Feeds the trace into an estimator configured as Treff's subscriber transports are.
Replay replay(const std::vector<BweTraceEvent>& events) {
  BweConfig config;
  config.startBps = 2'500'000;
  config.maxBps = 100'000'000;
  config.historyCapacity = 2048;
  BandwidthEstimator estimator(config);
  Replay out;
  std::map<uint16_t, uint64_t> sendTime;  // latest send of each sequence number
  std::vector<std::pair<uint64_t, int64_t>> raw;
  for (const auto& e : events) {
    if (out.firstUs == 0) out.firstUs = e.timeUs;
    out.lastUs = e.timeUs;
    switch (e.kind) {
      case BweTraceEvent::Kind::Sent:
        estimator.onPacketSent(e.seq, e.timeUs, e.bytes, e.probe);
        sendTime[e.seq] = e.timeUs;
        break;
      case BweTraceEvent::Kind::Feedback: {
        rtp::TwccFeedbackView view;
        if (view.parse(e.rtcp) != rtp::RtcpError::kNone) break;
        estimator.onTransportFeedback(view, e.timeUs);
        out.targets.push_back({e.timeUs, estimator.targetBps()});
        auto it = view.packets();
        rtp::TwccPacketStatus s;
        while (it.next(s)) {
          auto sent = sendTime.find(s.seq);
          if (s.received && sent != sendTime.end())
            raw.emplace_back(sent->second, s.arrivalUs - static_cast<int64_t>(sent->second));
        }
        break;
      }
      case BweTraceEvent::Kind::Remb:
        estimator.onRemb(e.rembBps, e.timeUs);
        break;
      case BweTraceEvent::Kind::Probe:
        estimator.nextProbe(e.timeUs, e.rembBps, e.durationUs);
        break;
    }
  }
  int64_t base = INT64_MAX;
  for (const auto& [t, d] : raw) base = std::min(base, d);
  for (const auto& [t, d] : raw) out.delays.emplace_back(t, d - base);
  std::sort(out.delays.begin(), out.delays.end());
  return out;
}

// When the shaping began: the first send time from which the queueing delay stays above
// 30 ms for ten packets in a row (the 50 ms tbf queue filling).
uint64_t stepTime(const Replay& r) {
  int run = 0;
  for (size_t i = 0; i < r.delays.size(); ++i) {
    run = r.delays[i].second > 30'000 ? run + 1 : 0;
    if (run == 10) return r.delays[i - 9].first;
  }
  return 0;
}

uint64_t maxTarget(const Replay& r, uint64_t from, uint64_t to) {
  uint64_t m = 0;
  for (const auto& p : r.targets) {
    if (p.timeUs >= from && p.timeUs <= to) m = std::max(m, p.targetBps);
  }
  return m;
}

TEST(ChromiumTrace, TheRecordingHasTheShapedStep) {
  const auto events = readBweTrace(kTrace);
  size_t sent = 0, feedbacks = 0;
  for (const auto& e : events) {
    sent += e.kind == BweTraceEvent::Kind::Sent;
    feedbacks += e.kind == BweTraceEvent::Kind::Feedback;
  }
  EXPECT_GT(sent, 2000u);
  EXPECT_GT(feedbacks, 200u);
  const Replay r = replay(events);
  const uint64_t step = stepTime(r);
  ASSERT_GT(step, r.firstUs + 3'000'000) << "the link ran unshaped for a while first";
  ASSERT_LT(step, r.lastUs - 10'000'000) << "and was shaped for a while after";
}

TEST(ChromiumTrace, AStepDownTo400KbitIsDetectedWithinTwoSeconds) {
  const Replay r = replay(readBweTrace(kTrace));
  const uint64_t step = stepTime(r);
  ASSERT_NE(step, 0u);
  // Unshaped, the estimate allowed the 720p layer.
  EXPECT_GE(maxTarget(r, r.firstUs, step), 1'000'000u);
  // Within 2 s of the queue starting to fill, the estimate is below 1.5x the capacity.
  uint64_t below = 0;
  for (const auto& p : r.targets) {
    if (p.timeUs >= step && p.targetBps < kCapacityBps * 3 / 2) {
      below = p.timeUs;
      break;
    }
  }
  ASSERT_NE(below, 0u) << "the estimate never came down";
  EXPECT_LE(below - step, 2'000'000u) << "detected after " << (below - step) / 1000 << " ms";
}

TEST(ChromiumTrace, NoRunawayOvershootWhileShaped) {
  const Replay r = replay(readBweTrace(kTrace));
  const uint64_t step = stepTime(r);
  ASSERT_NE(step, 0u);
  // From 2 s after the step for the next 8 s (still shaped), never above twice the capacity.
  const uint64_t peak = maxTarget(r, step + 2'000'000, step + 10'000'000);
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, 2 * kCapacityBps) << "peak " << peak / 1000 << " kbit/s";
}

TEST(ChromiumTrace, TheEstimateRecoversOnceTheLimitGoes) {
  const Replay r = replay(readBweTrace(kTrace));
  const uint64_t step = stepTime(r);
  ASSERT_NE(step, 0u);
  EXPECT_GE(maxTarget(r, step + 12'000'000, r.lastUs), 1'000'000u);
}

TEST(BweTrace, RejectsMalformedLines) {
  const std::string path = ::testing::TempDir() + "/bad.trace";
  for (const char* text : {"s 1 2\n", "x 1 2 3 0\n", "f 10 zz\n", "s 70000 1 2 0\n"}) {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(text, f);
    std::fclose(f);
    EXPECT_THROW(readBweTrace(path), std::invalid_argument) << text;
  }
  std::remove(path.c_str());
}

TEST(BweTrace, WritesWhatItReadsBack) {
  const std::string path = ::testing::TempDir() + "/roundtrip.trace";
  const uint8_t rtcp[] = {0x8f, 0xcd, 0x00, 0x01};
  {
    BweTraceWriter w(path);
    w.sent(65535, 1000, 1200, false);
    w.sent(0, 2000, 300, true);
    w.feedback(5000, rtcp);
    w.remb(6000, 300'000);
    w.probe(7000, 900'000, 60'000);
  }
  const auto events = readBweTrace(path);
  ASSERT_EQ(events.size(), 5u);
  EXPECT_EQ(events[4].kind, BweTraceEvent::Kind::Probe);
  EXPECT_EQ(events[4].durationUs, 60'000u);
  EXPECT_EQ(events[0].seq, 65535);
  EXPECT_EQ(events[0].bytes, 1200u);
  EXPECT_TRUE(events[1].probe);
  EXPECT_EQ(events[2].timeUs, 5000u);
  EXPECT_EQ(events[2].rtcp, std::vector<uint8_t>(std::begin(rtcp), std::end(rtcp)));
  EXPECT_EQ(events[3].rembBps, 300'000u);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace treff::bwe
