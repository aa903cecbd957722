// Dominant speaker detection from the audio level each microphone packet carries (RFC 6464),
// in the spirit of Volfin & Cohen, "Dominant speaker identification for multipoint
// videoconferencing": activity is judged on three time scales (immediate, medium, long) and a
// challenger replaces the current dominant speaker only when it clearly out-talks them, so a
// cough, a door slam or a short "yes" never moves the speaker view.
//
// Per participant, levels are measured against that participant's own noise floor (the lowest
// smoothed level of the last few seconds), so a steady fan or a noisy microphone reads as silence.
// Time is cut into buckets (100 ms by default); a bucket is active when at least half of the
// packets received in it were above the floor by the activity threshold. Each participant keeps
// one bit per closed bucket, and the scores are counts of active buckets over the last 3, 15 and
// 30 buckets. Packet loss only thins the packets of a bucket, so it barely changes the outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace treff::sfu {

// RFC 6464 §3: the one-byte value of urn:ietf:params:rtp-hdrext:ssrc-audio-level.
struct AudioLevel {
  uint8_t level = 127;  // 0..127, in -dBov: 0 is the loudest, 127 digital silence
  bool voice = false;   // the V bit: the sender's voice activity detector heard speech
};

// RFC 6464 §3: V is the top bit, the level the low seven bits.
constexpr AudioLevel parseAudioLevel(uint8_t byte) {
  return AudioLevel{static_cast<uint8_t>(byte & 0x7f), (byte & 0x80) != 0};
}

// Why onAudioLevel ignored a sample (Accepted when it did not).
enum class AudioLevelResult : uint8_t {
  Accepted,
  SlotOutOfRange,
  SlotNotAdded,
  LevelOutOfRange,  // above 127: not a 7-bit level
};

class DominantSpeakerDetector {
 public:
  static constexpr int kNone = -1;
  // Scores are bit counts over a 64-bucket history, so no window may be longer than this.
  static constexpr uint32_t kMaxWindowBuckets = 64;

  struct Config {
    uint32_t bucketMs = 100;
    uint32_t evaluationIntervalMs = 300;
    // dB above the participant's own noise floor for a packet to count as speech.
    uint32_t activityThresholdDb = 15;
    // The noise floor is the minimum over this many noise windows plus the current one.
    uint32_t noiseWindowMs = 1000;
    // Time scales, in buckets.
    uint32_t immediateBuckets = 3;
    uint32_t mediumBuckets = 15;
    uint32_t longBuckets = 30;
    // "Talking now": active buckets among the immediate ones.
    uint32_t talkingImmediate = 2;
    // Active medium buckets to become dominant when there is no dominant speaker.
    uint32_t claimMedium = 5;
    // Active medium buckets a challenger needs to replace a dominant speaker: longer than any
    // cough or interjection.
    uint32_t takeoverMedium = 10;
    // A challenger needs this many more active medium buckets than the dominant speaker.
    uint32_t mediumMargin = 3;
    // Active medium buckets that count as speech for the recent-speaker order (not a cough).
    uint32_t recentMedium = 4;
  };

  // Activity scores of one participant at the last evaluation.
  struct Scores {
    uint32_t immediate = 0;
    uint32_t medium = 0;
    uint32_t longTerm = 0;
  };

  // Allocates the state of `maxSlots` participants; throws std::invalid_argument on a config
  // whose windows do not fit the history or whose thresholds cannot be met.
  explicit DominantSpeakerDetector(size_t maxSlots);
  DominantSpeakerDetector(size_t maxSlots, const Config& config);

  // Control path: a microphone publication appeared in `slot` (its state starts afresh), or went
  // away (if it was dominant there is no dominant speaker until someone speaks). add throws
  // std::out_of_range for a slot beyond maxSlots; remove ignores unknown slots.
  void add(int slot);
  void remove(int slot);
  bool contains(int slot) const;

  // Data path, once per audio packet: O(1), no allocation. `level` is the 7-bit RFC 6464 value,
  // `nowMs` the arrival time on a monotonic clock.
  AudioLevelResult onAudioLevel(int slot, uint8_t level, bool voice, uint64_t nowMs);

  // Re-evaluates at most every evaluationIntervalMs (cheap otherwise). Returns true when
  // dominant() differs from what it was at the previous call that returned true (or from kNone).
  bool update(uint64_t nowMs);

  int dominant() const { return dominant_; }
  Scores scores(int slot) const;

  // For last-N: fills `out` with added slots, the dominant speaker first, then the others from
  // the most recent speech (or dominance) to the oldest, then those never heard, by slot.
  // Returns how many were written.
  size_t recentSpeakers(std::span<int> out) const;

 private:
  static constexpr size_t kNoiseWindows = 4;

  struct Participant {
    bool added = false;
    bool hasBucket = false;
    bool hasLevel = false;
    bool sawVoiceSet = false;  // RFC 6464 V bit seen set, and seen clear
    bool sawVoiceClear = false;
    uint8_t received = 0;  // packets in the current bucket (saturating)
    uint8_t active = 0;    // of which speech
    uint64_t bucketIndex = 0;
    uint64_t history = 0;  // bit 0: the newest closed bucket; 1 = active
    float smoothedLoudness = 0;
    uint64_t noiseWindowIndex = 0;
    float noiseWindowMin = 0;
    float noiseMins[kNoiseWindows] = {};
    Scores scores;
    bool spoke = false;
    uint64_t lastSpeechMs = 0;  // the last evaluation that found speech (or dominance)
  };

  static void closeBucketsBefore(Participant& p, uint64_t bucketIndex);
  void updateNoiseFloor(Participant& p, float loudness, uint64_t nowMs) const;
  static float noiseFloor(const Participant& p);
  Scores scoresOf(const Participant& p) const;
  int strongestChallenger() const;
  bool overtakes(const Scores& challenger, const Scores& incumbent) const;

  Config config_;
  std::vector<Participant> participants_;
  int dominant_ = kNone;
  int reported_ = kNone;
  bool evaluated_ = false;
  uint64_t lastEvaluationMs_ = 0;
};

}  // namespace treff::sfu
