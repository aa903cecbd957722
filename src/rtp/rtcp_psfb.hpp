// Payload-specific feedback used for keyframes and bandwidth: PLI (RFC 4585 §6.3.1), FIR
// (RFC 5104 §4.3.1) and REMB (draft-alvestrand-rmcat-remb-03 §2.2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/rtcp_feedback.hpp"

namespace treff::rtp {

// PSFB FMT 1, no FCI.
class PliView : public FeedbackView {
 public:
  RtcpError parse(util::ConstBytes packet);
  RtcpError parseWritable(util::MutableBytes packet);
};

inline constexpr size_t kPliSize = kFeedbackHeaderSize;
size_t buildPli(uint8_t* out, size_t cap, uint32_t senderSsrc, uint32_t mediaSsrc);

struct FirEntry {
  uint32_t ssrc = 0;  // the media sender asked for a decoder refresh
  uint8_t seqNr = 0;  // RFC 5104 §4.3.1.1: incremented per new request
};

// PSFB FMT 4; the media source SSRC of the header is unused (zero), the targets are in the FCI.
class FirView : public FeedbackView {
 public:
  static constexpr size_t kEntrySize = 8;

  RtcpError parse(util::ConstBytes packet);
  RtcpError parseWritable(util::MutableBytes packet);

  size_t entryCount() const { return (size_ - kFeedbackHeaderSize) / kEntrySize; }
  FirEntry entry(size_t index) const;
  // Rewrites the target SSRC of one entry (the SFU maps it to the publisher's SSRC).
  bool setEntrySsrc(size_t index, uint32_t ssrc);
};

size_t buildFir(uint8_t* out, size_t cap, uint32_t senderSsrc, std::span<const FirEntry> entries);

// PSFB FMT 15 (application layer feedback) with the "REMB" identifier.
class RembView : public FeedbackView {
 public:
  static constexpr size_t kFixedSize = 20;

  RtcpError parse(util::ConstBytes packet);

  // BR Mantissa * 2^BR Exp, bits per second.
  uint64_t bitrateBps() const;
  size_t ssrcCount() const { return data_[16]; }
  uint32_t ssrc(size_t index) const { return util::loadBe32(data_ + kFixedSize + 4 * index); }
};

// Encodes `bitrateBps` with the smallest exponent that keeps the mantissa in 18 bits (rounding
// down). Returns 0 if it does not fit or there are more than 255 SSRCs.
size_t buildRemb(uint8_t* out, size_t cap, uint32_t senderSsrc, uint64_t bitrateBps,
                 std::span<const uint32_t> ssrcs);

}  // namespace treff::rtp
