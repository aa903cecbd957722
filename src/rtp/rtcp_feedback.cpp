#include "rtp/rtcp_feedback.hpp"

namespace treff::rtp {

void writeFeedbackHeader(uint8_t* out, RtcpType type, uint8_t fmt, size_t totalSize,
                         uint32_t senderSsrc, uint32_t mediaSsrc) {
  writeRtcpHeader(out, fmt, type, totalSize);
  util::storeBe32(out + 4, senderSsrc);
  util::storeBe32(out + 8, mediaSsrc);
}

}  // namespace treff::rtp
