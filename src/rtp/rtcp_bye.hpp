// Goodbye packets (RFC 3550 §6.6): the SSRCs leaving and an optional reason.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

class ByeView : public RtcpView {
 public:
  RtcpError parse(util::ConstBytes packet);

  size_t ssrcCount() const { return count_; }
  uint32_t ssrc(size_t index) const { return util::loadBe32(data_ + 4 + 4 * index); }
  // The reason for leaving, empty if none was given.
  std::string_view reason() const;
};

// Returns the packet's size, or 0 if it does not fit, there are more than 31 SSRCs or the reason
// is longer than 255 bytes.
size_t buildBye(uint8_t* out, size_t cap, std::span<const uint32_t> ssrcs,
                std::string_view reason = {});

}  // namespace treff::rtp
