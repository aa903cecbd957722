#include "sfu/dominant_speaker.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

namespace treff::sfu {
namespace {

// RFC 6464 §3: 127 is the quietest level the extension can carry (digital silence or below).
constexpr uint8_t kSilentLevel = 127;
// Per-packet smoothing of the loudness that feeds the noise floor: a single odd reading (a
// dropout reported as silence) moves it by a third at most, while a real pause of 100 ms or more
// between words brings it down to the background level.
constexpr float kLoudnessSmoothing = 0.3f;
// A noise window with no packet in it; larger than any loudness, so it never sets the floor.
constexpr float kNoMinimum = 1000.f;

uint64_t lowBits(uint32_t count) { return count >= 64 ? ~uint64_t{0} : (uint64_t{1} << count) - 1; }

}  // namespace

DominantSpeakerDetector::DominantSpeakerDetector(size_t maxSlots)
    : DominantSpeakerDetector(maxSlots, Config{}) {}

DominantSpeakerDetector::DominantSpeakerDetector(size_t maxSlots, const Config& config)
    : config_(config), participants_(maxSlots) {
  if (config_.bucketMs == 0 || config_.noiseWindowMs == 0) {
    throw std::invalid_argument("dominant speaker: bucket and noise window must be non-zero");
  }
  if (config_.immediateBuckets == 0 || config_.immediateBuckets > config_.mediumBuckets ||
      config_.mediumBuckets > config_.longBuckets || config_.longBuckets > kMaxWindowBuckets) {
    throw std::invalid_argument(
        "dominant speaker: windows must grow immediate <= medium <= long <= " +
        std::to_string(kMaxWindowBuckets) + " buckets");
  }
  if (config_.talkingImmediate > config_.immediateBuckets ||
      config_.claimMedium > config_.mediumBuckets ||
      config_.takeoverMedium > config_.mediumBuckets ||
      config_.recentMedium > config_.mediumBuckets) {
    throw std::invalid_argument("dominant speaker: a threshold exceeds its window");
  }
}

void DominantSpeakerDetector::add(int slot) {
  if (slot < 0 || static_cast<size_t>(slot) >= participants_.size()) {
    throw std::out_of_range("dominant speaker: slot " + std::to_string(slot) + " beyond " +
                            std::to_string(participants_.size()) + " slots");
  }
  participants_[static_cast<size_t>(slot)] = Participant{};
  participants_[static_cast<size_t>(slot)].added = true;
  if (dominant_ == slot) dominant_ = kNone;
}

void DominantSpeakerDetector::remove(int slot) {
  if (!contains(slot)) return;
  participants_[static_cast<size_t>(slot)] = Participant{};
  if (dominant_ == slot) dominant_ = kNone;
}

bool DominantSpeakerDetector::contains(int slot) const {
  return slot >= 0 && static_cast<size_t>(slot) < participants_.size() &&
         participants_[static_cast<size_t>(slot)].added;
}

AudioLevelResult DominantSpeakerDetector::onAudioLevel(int slot, uint8_t level, bool voice,
                                                       uint64_t nowMs) {
  if (slot < 0 || static_cast<size_t>(slot) >= participants_.size()) {
    return AudioLevelResult::SlotOutOfRange;
  }
  Participant& p = participants_[static_cast<size_t>(slot)];
  if (!p.added) return AudioLevelResult::SlotNotAdded;
  if (level > kSilentLevel) return AudioLevelResult::LevelOutOfRange;

  // A late packet (reordered, or stamped before the last evaluation) counts in the open bucket.
  closeBucketsBefore(p, nowMs / config_.bucketMs);

  const float loudness = static_cast<float>(kSilentLevel - level);
  updateNoiseFloor(p, loudness, nowMs);

  // RFC 6464 §3: some senders always set V (Chromium does) or never do; only one that sets it
  // both ways is telling speech from noise, and then V=0 means no speech.
  (voice ? p.sawVoiceSet : p.sawVoiceClear) = true;
  const bool voiceBitSaysSilence = !voice && p.sawVoiceSet && p.sawVoiceClear;
  const bool aboveFloor =
      loudness - noiseFloor(p) >= static_cast<float>(config_.activityThresholdDb);
  const bool speech = level < kSilentLevel && aboveFloor && !voiceBitSaysSilence;

  if (p.received < 255) {
    ++p.received;
    if (speech) ++p.active;
  }
  return AudioLevelResult::Accepted;
}

void DominantSpeakerDetector::closeBucketsBefore(Participant& p, uint64_t bucketIndex) {
  if (!p.hasBucket) {
    p.hasBucket = true;
    p.bucketIndex = bucketIndex;
    p.received = p.active = 0;
    return;
  }
  if (bucketIndex <= p.bucketIndex) return;
  // Active when at least half of the packets that arrived were speech: losses thin a bucket
  // without emptying it, and a single loud packet does not make one.
  const uint64_t bit = p.received > 0 && 2u * p.active >= p.received ? 1 : 0;
  const uint64_t elapsed = bucketIndex - p.bucketIndex;
  // Buckets with no packet at all (muted, left, or a long loss) are silent.
  p.history = elapsed >= 64 ? 0 : ((p.history << 1) | bit) << (elapsed - 1);
  p.bucketIndex = bucketIndex;
  p.received = p.active = 0;
}

void DominantSpeakerDetector::updateNoiseFloor(Participant& p, float loudness,
                                               uint64_t nowMs) const {
  const uint64_t window = nowMs / config_.noiseWindowMs;
  if (!p.hasLevel) {
    p.hasLevel = true;
    p.smoothedLoudness = loudness;
    p.noiseWindowIndex = window;
    p.noiseWindowMin = loudness;
    std::fill(std::begin(p.noiseMins), std::end(p.noiseMins), kNoMinimum);
    return;
  }
  p.smoothedLoudness += kLoudnessSmoothing * (loudness - p.smoothedLoudness);
  if (window > p.noiseWindowIndex) {
    // Minimum statistics: keep the minimum of each of the last few windows; windows with no
    // packet (and the current one, if it is older than the whole ring) hold no minimum.
    const uint64_t elapsed = window - p.noiseWindowIndex;
    const size_t pushes = static_cast<size_t>(std::min<uint64_t>(elapsed, kNoiseWindows));
    for (size_t i = 0; i < pushes; ++i) {
      std::copy_backward(std::begin(p.noiseMins), std::end(p.noiseMins) - 1, std::end(p.noiseMins));
      p.noiseMins[0] = (i == 0 && elapsed <= kNoiseWindows) ? p.noiseWindowMin : kNoMinimum;
    }
    p.noiseWindowIndex = window;
    p.noiseWindowMin = p.smoothedLoudness;
  } else {
    p.noiseWindowMin = std::min(p.noiseWindowMin, p.smoothedLoudness);
  }
}

float DominantSpeakerDetector::noiseFloor(const Participant& p) {
  float floor = p.noiseWindowMin;
  for (float m : p.noiseMins) floor = std::min(floor, m);
  return floor;
}

DominantSpeakerDetector::Scores DominantSpeakerDetector::scoresOf(const Participant& p) const {
  Scores s;
  s.immediate = static_cast<uint32_t>(std::popcount(p.history & lowBits(config_.immediateBuckets)));
  s.medium = static_cast<uint32_t>(std::popcount(p.history & lowBits(config_.mediumBuckets)));
  s.longTerm = static_cast<uint32_t>(std::popcount(p.history & lowBits(config_.longBuckets)));
  return s;
}

DominantSpeakerDetector::Scores DominantSpeakerDetector::scores(int slot) const {
  if (!contains(slot)) return {};
  return participants_[static_cast<size_t>(slot)].scores;
}

int DominantSpeakerDetector::strongestChallenger() const {
  int best = kNone;
  for (size_t i = 0; i < participants_.size(); ++i) {
    const Participant& p = participants_[i];
    if (!p.added || static_cast<int>(i) == dominant_) continue;
    if (p.scores.immediate < config_.talkingImmediate) continue;
    if (best == kNone) {
      best = static_cast<int>(i);
      continue;
    }
    const Scores& b = participants_[static_cast<size_t>(best)].scores;
    if (p.scores.medium != b.medium ? p.scores.medium > b.medium : p.scores.longTerm > b.longTerm) {
      best = static_cast<int>(i);
    }
  }
  return best;
}

bool DominantSpeakerDetector::overtakes(const Scores& challenger, const Scores& incumbent) const {
  if (challenger.immediate < config_.talkingImmediate) return false;
  if (challenger.medium < config_.takeoverMedium) return false;
  if (challenger.medium < incumbent.medium + config_.mediumMargin) return false;
  // While the dominant speaker is still talking, the challenger must also have talked more over
  // the long window: talking over someone for a second is not enough.
  const bool incumbentTalking = incumbent.immediate >= config_.talkingImmediate;
  return !incumbentTalking || challenger.longTerm > incumbent.longTerm;
}

bool DominantSpeakerDetector::update(uint64_t nowMs) {
  if (evaluated_ && nowMs < lastEvaluationMs_ + config_.evaluationIntervalMs) {
    // A removal is reported at once, not at the next evaluation.
    const bool changed = dominant_ != reported_;
    reported_ = dominant_;
    return changed;
  }
  evaluated_ = true;
  lastEvaluationMs_ = nowMs;

  const uint64_t bucket = nowMs / config_.bucketMs;
  for (Participant& p : participants_) {
    if (!p.added) continue;
    closeBucketsBefore(p, bucket);
    p.scores = scoresOf(p);
    if (p.scores.medium >= config_.recentMedium) {
      p.spoke = true;
      p.lastSpeechMs = nowMs;
    }
  }

  const int challenger = strongestChallenger();
  if (challenger != kNone) {
    Participant& c = participants_[static_cast<size_t>(challenger)];
    if (dominant_ == kNone) {
      if (c.scores.medium >= config_.claimMedium) dominant_ = challenger;
    } else {
      Participant& d = participants_[static_cast<size_t>(dominant_)];
      if (overtakes(c.scores, d.scores)) {
        // The one who loses dominance was the most recent speaker until now.
        d.spoke = true;
        d.lastSpeechMs = nowMs;
        dominant_ = challenger;
      }
    }
  }

  const bool changed = dominant_ != reported_;
  reported_ = dominant_;
  return changed;
}

size_t DominantSpeakerDetector::recentSpeakers(std::span<int> out) const {
  const size_t capacity = out.size();
  size_t n = 0;
  if (capacity == 0) return 0;
  size_t first = 0;
  if (dominant_ != kNone) {
    out[n++] = dominant_;
    first = 1;
  }
  // Insertion into the bounded output, most recent speech first; ties keep slot order.
  const auto before = [this](size_t a, size_t b) {
    const Participant& pa = participants_[a];
    const Participant& pb = participants_[b];
    if (pa.spoke != pb.spoke) return pa.spoke;
    return pa.spoke && pa.lastSpeechMs > pb.lastSpeechMs;
  };
  for (size_t i = 0; i < participants_.size(); ++i) {
    if (!participants_[i].added || static_cast<int>(i) == dominant_) continue;
    size_t pos = first;
    while (pos < n && !before(i, static_cast<size_t>(out[pos]))) ++pos;
    if (pos >= capacity) continue;
    const size_t last = std::min(n, capacity - 1);
    for (size_t k = last; k > pos; --k) out[k] = out[k - 1];
    out[pos] = static_cast<int>(i);
    n = std::min(n + 1, capacity);
  }
  return n;
}

}  // namespace treff::sfu
