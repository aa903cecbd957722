// The common part of RTP and payload-specific feedback messages (RFC 4585 §6.1): a header whose
// count field is the FMT, the SSRC of the packet sender, the SSRC of the media source and the
// feedback control information (FCI).
#pragma once

#include <cstddef>
#include <cstdint>

#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

inline constexpr size_t kFeedbackHeaderSize = 12;

class FeedbackView : public RtcpView {
 public:
  uint8_t fmt() const { return count_; }
  uint32_t senderSsrc() const { return util::loadBe32(data_ + 4); }
  uint32_t mediaSsrc() const { return util::loadBe32(data_ + 8); }
  util::ConstBytes fci() const { return content().subspan(kFeedbackHeaderSize); }

  bool setSenderSsrc(uint32_t ssrc) { return writeBe32(4, ssrc); }
  bool setMediaSsrc(uint32_t ssrc) { return writeBe32(8, ssrc); }

 protected:
  RtcpError bindFeedback(util::ConstBytes packet, uint8_t* writable, RtcpType type, uint8_t fmt,
                         size_t minSize = kFeedbackHeaderSize) {
    return bind(packet, writable, static_cast<uint8_t>(type), fmt, minSize);
  }
};

// Writes the 12-byte feedback header for a packet of `totalSize` bytes.
void writeFeedbackHeader(uint8_t* out, RtcpType type, uint8_t fmt, size_t totalSize,
                         uint32_t senderSsrc, uint32_t mediaSsrc);

}  // namespace treff::rtp
