// Generic NACK (RFC 4585 §6.2.1): RTPFB FMT 1, FCI entries of a packet ID and a bitmask of the
// 16 following lost packets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/rtcp_feedback.hpp"

namespace treff::rtp {

struct NackItem {
  uint16_t pid = 0;  // a lost packet
  uint16_t blp = 0;  // bit i set: packet pid + i + 1 is lost too
};

class NackView : public FeedbackView {
 public:
  RtcpError parse(util::ConstBytes packet);
  RtcpError parseWritable(util::MutableBytes packet);

  size_t itemCount() const { return (size_ - kFeedbackHeaderSize) / 4; }
  NackItem item(size_t index) const;

  // Writes the lost sequence numbers of all items, in order, to `out`; returns how many there
  // are (at most 17 per item), writing only the first `out.size()`.
  size_t lostSequenceNumbers(std::span<uint16_t> out) const;
};

// Builds one NACK from missing sequence numbers sorted in RTP order (wrap-aware). Returns its
// size, or 0 if it does not fit or `missing` is empty.
size_t buildNack(uint8_t* out, size_t cap, uint32_t senderSsrc, uint32_t mediaSsrc,
                 std::span<const uint16_t> missing);

}  // namespace treff::rtp
