#include "sfu/dominant_speaker.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../rtp/rtp_pcap_util.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/rtp_packet.hpp"

namespace treff::sfu {
namespace {

constexpr int kNone = DominantSpeakerDetector::kNone;
constexpr uint64_t kPacketMs = 20;

// A synthetic meeting: every participant sends one audio level per 20 ms, from a script of talk
// turns, coughs and mutes over a background level; the detector is updated every packet time,
// as a worker would on its timer, and each change of dominant speaker is recorded.
class Meeting {
 public:
  struct Change {
    uint64_t atMs;
    int slot;
  };

  explicit Meeting(size_t participants, double lossRate = 0, uint32_t seed = 1)
      : detector_(participants), voices_(participants), lossRate_(lossRate), rng_(seed) {
    for (size_t i = 0; i < participants; ++i) detector_.add(static_cast<int>(i));
  }

  // Background level of a participant's microphone when it does not talk (-dBov).
  void background(int slot, uint8_t level, uint8_t jitter = 3) {
    voices_[slot].background = level;
    voices_[slot].jitter = jitter;
  }
  // Speech at about `level` -dBov: syllables with dips between them and a short breath every
  // 1.1 s. The noise floor is learned from quieter moments, so a participant's script should
  // start with background (they join, then speak) as it does in a meeting.
  void talk(int slot, uint64_t fromMs, uint64_t toMs, uint8_t level = 30) {
    voices_[slot].segments.push_back({fromMs, toMs, Kind::Speech, level});
  }
  // A cough or door slam: a few loud packets.
  void burst(int slot, uint64_t atMs, int packets = 4, uint8_t level = 5) {
    voices_[slot].segments.push_back({atMs, atMs + packets * kPacketMs, Kind::Burst, level});
  }
  // Sends nothing (microphone muted or participant gone).
  void mute(int slot, uint64_t fromMs, uint64_t toMs) {
    voices_[slot].segments.push_back({fromMs, toMs, Kind::Muted, 0});
  }

  void runUntil(uint64_t endMs) {
    for (; nowMs_ < endMs; nowMs_ += kPacketMs) {
      for (size_t i = 0; i < voices_.size(); ++i) {
        const std::optional<uint8_t> level = levelOf(voices_[i], nowMs_);
        if (!level) continue;
        if (lossRate_ > 0 && loss_(rng_) < lossRate_) continue;
        EXPECT_EQ(detector_.onAudioLevel(static_cast<int>(i), *level, true, nowMs_),
                  AudioLevelResult::Accepted);
      }
      if (detector_.update(nowMs_)) changes_.push_back({nowMs_, detector_.dominant()});
      timeline_.push_back(detector_.dominant());
    }
  }

  DominantSpeakerDetector& detector() { return detector_; }
  const std::vector<Change>& changes() const { return changes_; }
  // The dominant speaker after the update at `atMs` (a multiple of 20 ms already run).
  int dominantAt(uint64_t atMs) const { return timeline_.at(atMs / kPacketMs); }
  // Whether `slot` was dominant at every packet time in [fromMs, toMs).
  bool dominantThroughout(int slot, uint64_t fromMs, uint64_t toMs) const {
    for (uint64_t t = fromMs; t < toMs; t += kPacketMs) {
      if (dominantAt(t) != slot) return false;
    }
    return true;
  }
  bool everDominant(int slot) const {
    for (int d : timeline_) {
      if (d == slot) return true;
    }
    return false;
  }

 private:
  enum class Kind { Speech, Burst, Muted };
  struct Segment {
    uint64_t fromMs, toMs;
    Kind kind;
    uint8_t level;
  };
  struct Voice {
    uint8_t background = 110;
    uint8_t jitter = 3;
    std::vector<Segment> segments;
  };

  std::optional<uint8_t> levelOf(const Voice& v, uint64_t t) {
    for (const Segment& s : v.segments) {
      if (t < s.fromMs || t >= s.toMs) continue;
      switch (s.kind) {
        case Kind::Muted:
          return std::nullopt;
        case Kind::Burst:
          return s.level;
        case Kind::Speech: {
          const uint64_t sinceStart = t - s.fromMs;
          if (sinceStart % 1100 >= 1040) break;  // a breath: background level
          // Syllables of 200 ms: 160 ms voiced, then a 40 ms dip between them.
          const uint32_t dip = sinceStart % 200 >= 160 ? 18 : 0;
          return static_cast<uint8_t>(std::min<uint32_t>(127, s.level + dip + jitterRng_() % 9));
        }
      }
    }
    const int level = v.background + static_cast<int>(jitterRng_() % (2u * v.jitter + 1)) -
                      static_cast<int>(v.jitter);
    return static_cast<uint8_t>(std::clamp(level, 0, 127));
  }

  DominantSpeakerDetector detector_;
  std::vector<Voice> voices_;
  double lossRate_;
  std::mt19937 rng_;  // packet loss
  std::uniform_real_distribution<double> loss_{0.0, 1.0};
  std::mt19937 jitterRng_{7};  // the same levels whatever the loss
  uint64_t nowMs_ = 0;
  std::vector<Change> changes_;
  std::vector<int> timeline_;
};

TEST(DominantSpeaker, SingleSpeakerBecomesDominantWithin1500Ms) {
  Meeting m(3);
  m.talk(1, 2000, 6000);
  m.runUntil(8000);
  EXPECT_EQ(m.dominantAt(1980), kNone);  // nobody has spoken yet
  ASSERT_EQ(m.changes().size(), 1u);
  EXPECT_EQ(m.changes()[0].slot, 1);
  EXPECT_GT(m.changes()[0].atMs, 2000u);
  EXPECT_LE(m.changes()[0].atMs, 3500u);
}

TEST(DominantSpeaker, CoughsAndDoorSlamsDoNotTakeOverFromTalker) {
  Meeting m(3);
  m.talk(0, 1000, 20000);
  for (uint64_t at : {3000, 6500, 10000, 13500, 17000}) m.burst(1, at, 5);  // 100 ms coughs
  m.burst(2, 8000, 1, 0);                                                   // a door slam
  m.burst(2, 15000, 3, 2);
  m.runUntil(20000);
  ASSERT_EQ(m.changes().size(), 1u);
  EXPECT_EQ(m.changes()[0].slot, 0);
  EXPECT_TRUE(m.dominantThroughout(0, 2500, 20000));
}

TEST(DominantSpeaker, InterjectionStaysButASustainedTurnTakesOver) {
  Meeting m(2);
  m.talk(0, 1000, 8000);
  m.talk(1, 4000, 4600, 25);  // "yes, right" over the talker
  m.talk(1, 8000, 11000);     // then B's turn while A is silent
  m.runUntil(12000);
  EXPECT_TRUE(m.dominantThroughout(0, 2500, 8000));
  ASSERT_EQ(m.changes().size(), 2u);
  EXPECT_EQ(m.changes()[1].slot, 1);
  EXPECT_GT(m.changes()[1].atMs, 8000u);
  EXPECT_LE(m.changes()[1].atMs, 9500u);
  EXPECT_EQ(m.dominantAt(11980), 1);
}

TEST(DominantSpeaker, InterjectionDuringAPauseDoesNotTakeOverEither) {
  Meeting m(2);
  m.talk(0, 1000, 4000);
  m.talk(1, 5000, 5600);  // a short remark after A stopped
  m.runUntil(9000);
  ASSERT_EQ(m.changes().size(), 1u);
  EXPECT_EQ(m.dominantAt(8980), 0);
}

TEST(DominantSpeaker, CrosstalkKeepsTheIncumbent) {
  Meeting m(2);
  m.talk(0, 1000, 10000);
  m.talk(1, 3000, 10000, 28);  // talks over A just as much, a little louder
  m.runUntil(10000);
  ASSERT_EQ(m.changes().size(), 1u);
  EXPECT_TRUE(m.dominantThroughout(0, 2500, 10000));
}

TEST(DominantSpeaker, SustainedSpeakerOvertakesOneWhoOnlyChimesIn) {
  Meeting m(2);
  m.talk(0, 1000, 3000);
  for (uint64_t at = 4000; at < 12000; at += 1200) m.talk(0, at, at + 400);  // "mhm", "right"
  m.talk(1, 4000, 12000);
  m.runUntil(12000);
  ASSERT_EQ(m.changes().size(), 2u);
  EXPECT_EQ(m.changes()[1].slot, 1);
  EXPECT_LE(m.changes()[1].atMs, 5500u);
}

TEST(DominantSpeaker, AlternatingTurnsChangeOncePerTurn) {
  Meeting m(3);
  m.talk(0, 1000, 5000);
  m.talk(1, 5000, 9000);
  m.talk(2, 9000, 13000);
  m.talk(0, 13000, 17000);
  m.runUntil(18000);
  ASSERT_EQ(m.changes().size(), 4u);
  const std::array<int, 4> slots = {0, 1, 2, 0};
  const std::array<uint64_t, 4> starts = {1000, 5000, 9000, 13000};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(m.changes()[i].slot, slots[i]) << "turn " << i;
    EXPECT_GT(m.changes()[i].atMs, starts[i]) << "turn " << i;
    EXPECT_LE(m.changes()[i].atMs, starts[i] + 1500) << "turn " << i;
  }
}

TEST(DominantSpeaker, SteadyBackgroundNoiseNeverWins) {
  Meeting m(2);
  m.background(0, 65, 2);  // a fan next to a microphone nobody talks into
  m.runUntil(5000);
  EXPECT_EQ(m.detector().dominant(), kNone);  // noise alone does not claim dominance
  m.talk(1, 5000, 7000, 35);
  m.talk(1, 11000, 13000, 35);
  m.runUntil(16000);
  EXPECT_FALSE(m.everDominant(0));
  EXPECT_TRUE(m.dominantThroughout(1, 6500, 16000));
}

TEST(DominantSpeaker, NoisyMicrophoneIsNormalisedAgainstItsOwnFloor) {
  Meeting m(2);
  m.background(0, 45, 3);  // a loud, noisy microphone: louder than many speakers
  m.talk(1, 2000, 10000, 25);
  m.runUntil(11000);
  EXPECT_FALSE(m.everDominant(0));
  EXPECT_TRUE(m.dominantThroughout(1, 3500, 11000));
  // Its owner speaking over that noise still counts, relative to the floor.
  m.talk(0, 11000, 14000, 20);
  m.runUntil(15000);
  EXPECT_EQ(m.dominantAt(12500), 0);
}

TEST(DominantSpeaker, SilenceKeepsTheLastDominantSpeaker) {
  Meeting m(3);
  m.talk(2, 1000, 4000);
  m.runUntil(20000);
  ASSERT_EQ(m.changes().size(), 1u);
  EXPECT_TRUE(m.dominantThroughout(2, 2500, 20000));
}

TEST(DominantSpeaker, RemovedDominantIsReplacedByTheNextSpeaker) {
  Meeting m(3);
  m.talk(0, 1000, 3000);
  m.mute(0, 4000, 20000);  // its packets stop with the publication
  m.runUntil(4000);
  ASSERT_EQ(m.detector().dominant(), 0);
  m.detector().remove(0);
  m.runUntil(6000);
  ASSERT_EQ(m.changes().size(), 2u);
  EXPECT_EQ(m.changes()[1].slot, kNone);  // reported by the next update
  EXPECT_EQ(m.changes()[1].atMs, 4000u);
  EXPECT_EQ(m.detector().onAudioLevel(0, 30, true, 6000), AudioLevelResult::SlotNotAdded);
  m.talk(1, 6000, 9000);
  m.runUntil(10000);
  ASSERT_EQ(m.changes().size(), 3u);
  EXPECT_EQ(m.changes()[2].slot, 1);
  EXPECT_LE(m.changes()[2].atMs, 7500u);
}

TEST(DominantSpeaker, MutedDominantLosesToTheNextSpeaker) {
  Meeting m(2);
  m.talk(0, 1000, 3000);
  m.mute(0, 3000, 12000);
  m.talk(1, 6000, 9000);
  m.runUntil(12000);
  EXPECT_TRUE(m.dominantThroughout(0, 2500, 6000));  // muted, but nobody else spoke
  ASSERT_EQ(m.changes().size(), 2u);
  EXPECT_EQ(m.changes()[1].slot, 1);
  EXPECT_LE(m.changes()[1].atMs, 7500u);
}

// A meeting with turns, overlapping remarks and coughs, for comparing outcomes under loss.
std::vector<Meeting::Change> busyMeeting(double lossRate, uint32_t seed) {
  Meeting m(4, lossRate, seed);
  m.background(3, 60, 3);
  m.talk(0, 1000, 5000);
  m.burst(1, 2000);
  m.talk(2, 3000, 3600);
  m.talk(1, 5000, 10000, 40);
  m.burst(0, 7000);
  m.talk(2, 10000, 14000, 22);
  m.talk(0, 12000, 12500);
  m.talk(3, 16000, 20000, 30);
  m.runUntil(22000);
  return m.changes();
}

TEST(DominantSpeaker, TwentyPercentPacketLossGivesTheSameOutcome) {
  const auto clean = busyMeeting(0, 1);
  ASSERT_EQ(clean.size(), 4u);
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const auto lossy = busyMeeting(0.2, seed);
    ASSERT_EQ(lossy.size(), clean.size()) << "seed " << seed;
    for (size_t i = 0; i < clean.size(); ++i) {
      EXPECT_EQ(lossy[i].slot, clean[i].slot) << "seed " << seed << " change " << i;
      EXPECT_NEAR(static_cast<double>(lossy[i].atMs), static_cast<double>(clean[i].atMs), 400.0)
          << "seed " << seed << " change " << i;
    }
  }
}

TEST(DominantSpeaker, RecentSpeakersPutsDominantFirstThenMostRecentSpeech) {
  Meeting m(5);
  m.talk(0, 1000, 3000);
  m.talk(3, 4000, 7000);
  m.talk(1, 8000, 11000);
  m.burst(0, 12000);  // a cough is not speech: the order stays
  m.runUntil(13000);
  std::array<int, 5> all{};
  ASSERT_EQ(m.detector().recentSpeakers(all), 5u);
  EXPECT_EQ(all, (std::array<int, 5>{1, 3, 0, 2, 4}));  // 2 and 4 never spoke: slot order

  std::array<int, 2> lastTwo{};
  ASSERT_EQ(m.detector().recentSpeakers(lastTwo), 2u);
  EXPECT_EQ(lastTwo, (std::array<int, 2>{1, 3}));
  EXPECT_EQ(m.detector().recentSpeakers(std::span<int>{}), 0u);

  m.detector().remove(3);
  std::array<int, 5> afterRemove{-9, -9, -9, -9, -9};
  ASSERT_EQ(m.detector().recentSpeakers(afterRemove), 4u);
  EXPECT_EQ(afterRemove, (std::array<int, 5>{1, 0, 2, 4, -9}));
}

TEST(DominantSpeaker, RecentSpeakersWithoutDominantOrdersBySpeech) {
  DominantSpeakerDetector d(3);
  d.add(0);
  d.add(2);
  std::array<int, 3> out{};
  ASSERT_EQ(d.recentSpeakers(out), 2u);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 2);
}

TEST(DominantSpeaker, VoiceBitClearMeansSilenceOnlyForSendersThatUseIt) {
  DominantSpeakerDetector d(2);
  d.add(0);
  d.add(1);
  for (uint64_t t = 0; t < 4000; t += kPacketMs) {
    // Slot 0 sets V only while talking, so its loud V=0 packets are not speech.
    const bool talking0 = t < 200;
    d.onAudioLevel(0, talking0 ? 100 : 20, talking0, t);
    // Slot 1 never sets V (no voice detector): its levels alone decide.
    d.onAudioLevel(1, (t / 1000) % 2 ? 30 : 110, false, t);
    d.update(t);
  }
  EXPECT_EQ(d.dominant(), 1);
}

TEST(DominantSpeaker, RejectsBadSamplesWithAReason) {
  DominantSpeakerDetector d(2);
  d.add(0);
  EXPECT_EQ(d.onAudioLevel(0, 128, true, 0), AudioLevelResult::LevelOutOfRange);
  EXPECT_EQ(d.onAudioLevel(2, 30, true, 0), AudioLevelResult::SlotOutOfRange);
  EXPECT_EQ(d.onAudioLevel(-1, 30, true, 0), AudioLevelResult::SlotOutOfRange);
  EXPECT_EQ(d.onAudioLevel(1, 30, true, 0), AudioLevelResult::SlotNotAdded);
  EXPECT_EQ(d.onAudioLevel(0, 127, false, 0), AudioLevelResult::Accepted);
  EXPECT_THROW(d.add(2), std::out_of_range);
  EXPECT_FALSE(d.contains(1));
  EXPECT_TRUE(d.contains(0));
}

TEST(DominantSpeaker, RejectsConfigWhoseWindowsDoNotFit) {
  DominantSpeakerDetector::Config tooLong;
  tooLong.longBuckets = 65;
  EXPECT_THROW(DominantSpeakerDetector(2, tooLong), std::invalid_argument);
  DominantSpeakerDetector::Config unreachable;
  unreachable.takeoverMedium = unreachable.mediumBuckets + 1;
  EXPECT_THROW(DominantSpeakerDetector(2, unreachable), std::invalid_argument);
  DominantSpeakerDetector::Config noBucket;
  noBucket.bucketMs = 0;
  EXPECT_THROW(DominantSpeakerDetector(2, noBucket), std::invalid_argument);
}

TEST(DominantSpeaker, UpdateEvaluatesAtMostEveryInterval) {
  DominantSpeakerDetector d(1);
  d.add(0);
  for (uint64_t t = 0; t < 2000; t += kPacketMs) d.onAudioLevel(0, t < 100 ? 110 : 30, true, t);
  EXPECT_TRUE(d.update(2000));
  EXPECT_EQ(d.dominant(), 0);
  const auto before = d.scores(0);
  EXPECT_GT(before.medium, 0u);
  for (uint64_t t = 2000; t < 2280; t += kPacketMs) d.onAudioLevel(0, 127, true, t);
  EXPECT_FALSE(d.update(2280));  // within 300 ms of the last evaluation: scores untouched
  EXPECT_EQ(d.scores(0).medium, before.medium);
  EXPECT_FALSE(d.update(2300));
  EXPECT_LT(d.scores(0).immediate, before.immediate);
}

// RFC 6464 §3, typed in: V in the top bit, the level in the low seven.
TEST(DominantSpeaker, ParseAudioLevelSplitsVoiceBitAndLevel) {
  static_assert(parseAudioLevel(0xff).level == 127 && parseAudioLevel(0xff).voice);
  EXPECT_EQ(parseAudioLevel(0x00).level, 0);
  EXPECT_FALSE(parseAudioLevel(0x00).voice);
  EXPECT_EQ(parseAudioLevel(0x80 | 42).level, 42);
  EXPECT_TRUE(parseAudioLevel(0x80 | 42).voice);
  EXPECT_EQ(parseAudioLevel(0x7f).level, 127);
  EXPECT_FALSE(parseAudioLevel(0x7f).voice);
}

// The a=extmap id of the audio level extension in an SDP file of tests/data.
int audioLevelIdOf(const std::string& file) {
  std::ifstream in(std::string(TREFF_TEST_DATA) + "/" + file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(" urn:ietf:params:rtp-hdrext:ssrc-audio-level") == std::string::npos) continue;
    if (line.rfind("a=extmap:", 0) != 0) continue;
    return std::stoi(line.substr(9));
  }
  return 0;
}

struct CapturedLevel {
  uint64_t atMs;
  AudioLevel level;
};

// The audio level of every Opus packet (pt 111) of the unencrypted Chromium call.
std::vector<CapturedLevel> capturedLevels() {
  const int id = audioLevelIdOf("chromium-offer-simulcast-unencrypted.sdp");
  EXPECT_EQ(id, 1);
  rtp::ExtensionIdMap ids;
  ids.set(rtp::ExtensionType::AudioLevel, static_cast<uint8_t>(id));
  std::vector<CapturedLevel> out;
  for (auto& c : rtp::rtptest::capturedRtp()) {
    rtp::RtpPacket p;
    if (!rtp::RtpPacket::parse(c.bytes.data(), c.bytes.size(), &p)) continue;
    if (p.payloadType() != 111) continue;
    const util::ConstBytes value = p.findExtension(static_cast<uint8_t>(id));
    EXPECT_EQ(value.size(), 1u);  // RFC 6464 §3: one byte
    if (value.size() != 1) continue;
    const AudioLevel level = parseAudioLevel(value[0]);
    // The rtp module reads the same bits.
    const auto viaRtp = rtp::readAudioLevel(p, ids);
    EXPECT_TRUE(viaRtp.has_value());
    if (viaRtp) {
      EXPECT_EQ(viaRtp->levelDbov, level.level);
      EXPECT_EQ(viaRtp->voiceActivity, level.voice);
    }
    out.push_back({c.timestampUs / 1000, level});
  }
  return out;
}

TEST(DominantSpeaker, ParsesLevelsOfCapturedChromiumAudio) {
  const auto levels = capturedLevels();
  ASSERT_EQ(levels.size(), 400u);
  int silent = 0, loud = 0, minLevel = 127;
  std::vector<size_t> onsets;  // packet index where a beep starts after digital silence
  for (size_t i = 0; i < levels.size(); ++i) {
    const AudioLevel l = levels[i].level;
    EXPECT_LE(l.level, 127);
    // Chromium sets V on every packet, silence included: the bit says nothing here.
    EXPECT_TRUE(l.voice);
    if (l.level == 127) ++silent;
    if (l.level <= 20) ++loud;
    minLevel = std::min<int>(minLevel, l.level);
    if (i > 0 && levels[i - 1].level.level == 127 && l.level < 127) onsets.push_back(i);
  }
  // The fake microphone beeps: a loud onset decaying towards silence, then about 140 ms of
  // digital silence, every 500 ms (25 packets).
  EXPECT_LE(minLevel, 10);
  EXPECT_GT(silent, 100);
  EXPECT_GT(loud, 30);
  ASSERT_GE(onsets.size(), 14u);
  for (size_t i = 1; i < onsets.size(); ++i) {
    EXPECT_NEAR(static_cast<double>(onsets[i] - onsets[i - 1]), 25.0, 1.0) << "beep " << i;
    EXPECT_LE(levels[onsets[i]].level.level, 40) << "beep " << i;
  }
}

TEST(DominantSpeaker, CapturedBeepingMicrophoneBecomesDominant) {
  // The beeps are sound on 18 of every 25 packets: sustained activity, like speech.
  const auto levels = capturedLevels();
  ASSERT_FALSE(levels.empty());
  DominantSpeakerDetector d(2);
  d.add(0);
  d.add(1);
  const uint64_t start = levels.front().atMs;
  std::optional<uint64_t> firstSound, becameDominant;
  for (const auto& c : levels) {
    const uint64_t t = c.atMs - start;
    if (!firstSound && c.level.level < 127) firstSound = t;
    ASSERT_EQ(d.onAudioLevel(0, c.level.level, c.level.voice, t), AudioLevelResult::Accepted);
    d.onAudioLevel(1, 120, false, t);  // a quiet second participant
    if (d.update(t) && d.dominant() == 0 && !becameDominant) becameDominant = t;
  }
  ASSERT_TRUE(firstSound.has_value());
  ASSERT_TRUE(becameDominant.has_value());
  EXPECT_LE(*becameDominant - *firstSound, 1500u);
  EXPECT_EQ(d.dominant(), 0);
}

}  // namespace
}  // namespace treff::sfu
