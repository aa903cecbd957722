// Who sends to whom: publishers, subscribers, the fan-out lists, the SSRCs on each leg and the
// SRTP keys of every transport (derived from the index, so each thread builds its own session).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "ceiling_config.hpp"
#include "srtp/srtp_session.hpp"

namespace treff::ceiling {

enum class MediaKind : uint8_t { Video = 0, Audio = 1 };

constexpr uint8_t kVideoPayloadType = 96;
constexpr uint8_t kAudioPayloadType = 111;

class Topology {
 public:
  explicit Topology(const Config& config);

  size_t publisherCount() const { return subscribersOf_.size(); }
  size_t subscriberCount() const { return subscriberCount_; }
  const std::vector<uint32_t>& subscribersOf(size_t publisher) const {
    return subscribersOf_[publisher];
  }
  // Outgoing packets per received packet, summed over publishers (for expected counts).
  size_t totalFanOut() const;
  // The most SSRCs one subscriber transport carries (sizes its SRTP stream table).
  size_t maxStreamsPerSubscriber() const { return maxStreamsPerSubscriber_; }

  // The publisher's own SSRCs, as its generator sends them.
  static uint32_t publisherSsrc(size_t publisher, MediaKind kind) {
    return 0x10000000u | static_cast<uint32_t>(publisher) << 1 | static_cast<uint32_t>(kind);
  }
  // The SSRC a subscriber sees for one of a publisher's tracks: the subscriber index sits in
  // the upper half, so a sink can tell a packet addressed to another subscriber.
  static uint32_t subscriberSsrc(size_t subscriber, size_t publisher, MediaKind kind) {
    return static_cast<uint32_t>(subscriber + 1) << 16 |
           (static_cast<uint32_t>(publisher) << 1 | static_cast<uint32_t>(kind));
  }
  static size_t subscriberOfSsrc(uint32_t ssrc) { return (ssrc >> 16) - 1; }

  // One SRTP session per transport direction; both ends build theirs from the same keys.
  static srtp::SrtpSession publisherSession(size_t publisher, srtp::Profile profile,
                                            srtp::SrtpSession::Direction direction);
  static srtp::SrtpSession subscriberSession(size_t subscriber, srtp::Profile profile,
                                             srtp::SrtpSession::Direction direction,
                                             size_t maxStreams);

 private:
  std::vector<std::vector<uint32_t>> subscribersOf_;
  size_t subscriberCount_ = 0;
  size_t maxStreamsPerSubscriber_ = 0;
};

}  // namespace treff::ceiling
