#include "topology.hpp"

#include <algorithm>
#include <stdexcept>

namespace treff::ceiling {

namespace {

// Distinct, reproducible key material per transport: a splitmix64 stream seeded by the role
// and index. Test keys only; nothing here is secret.
void fillKey(uint64_t seed, uint8_t* out, size_t len) {
  uint64_t state = seed;
  for (size_t i = 0; i < len; ++i) {
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    out[i] = static_cast<uint8_t>(z ^ (z >> 31));
  }
}

srtp::SrtpSession makeSession(uint64_t seed, srtp::Profile profile,
                              srtp::SrtpSession::Direction direction, size_t maxStreams) {
  std::array<uint8_t, 16> key{};
  std::array<uint8_t, 14> salt{};
  const size_t keyLen = srtp::masterKeyLength(profile);
  const size_t saltLen = srtp::masterSaltLength(profile);
  fillKey(seed, key.data(), keyLen);
  fillKey(seed ^ 0x5a17ull, salt.data(), saltLen);
  return srtp::SrtpSession(profile, util::ConstBytes(key.data(), keyLen),
                           util::ConstBytes(salt.data(), saltLen), direction, maxStreams);
}

}  // namespace

Topology::Topology(const Config& config) {
  const size_t publishers = config.publisherCount();
  subscriberCount_ = config.subscriberCount();
  if (publishers == 0 || subscriberCount_ == 0)
    throw std::invalid_argument("the scenario needs at least one publisher and one subscriber");
  if (publishers >= 0x8000 || subscriberCount_ >= 0xffff)
    throw std::invalid_argument("at most 32767 publishers and 65534 subscribers");
  subscribersOf_.resize(publishers);
  std::vector<size_t> streams(subscriberCount_, 0);
  const size_t kinds = config.audioOnly ? 1 : 2;
  for (size_t p = 0; p < publishers; ++p) {
    if (config.rooms) {
      // Participant p publishes on its own transport and receives on subscriber transport p.
      const size_t room = p / config.participants;
      for (size_t k = 0; k < config.participants; ++k) {
        const size_t s = room * config.participants + k;
        if (s != p) subscribersOf_[p].push_back(static_cast<uint32_t>(s));
      }
    } else {
      for (size_t s = 0; s < subscriberCount_; ++s)
        subscribersOf_[p].push_back(static_cast<uint32_t>(s));
    }
    for (uint32_t s : subscribersOf_[p]) streams[s] += kinds;
  }
  for (size_t n : streams) maxStreamsPerSubscriber_ = std::max(maxStreamsPerSubscriber_, n);
}

size_t Topology::totalFanOut() const {
  size_t total = 0;
  for (const auto& list : subscribersOf_) total += list.size();
  return total;
}

srtp::SrtpSession Topology::publisherSession(size_t publisher, srtp::Profile profile,
                                             srtp::SrtpSession::Direction direction) {
  return makeSession(0x7075620000000000ull + publisher, profile, direction, 4);
}

srtp::SrtpSession Topology::subscriberSession(size_t subscriber, srtp::Profile profile,
                                              srtp::SrtpSession::Direction direction,
                                              size_t maxStreams) {
  return makeSession(0x7375620000000000ull + subscriber, profile, direction, maxStreams);
}

}  // namespace treff::ceiling
