#include "rtp/rtcp_bye.hpp"

#include <cstring>

namespace treff::rtp {

RtcpError ByeView::parse(util::ConstBytes packet) {
  RtcpError e = bind(packet, nullptr, static_cast<uint8_t>(RtcpType::kBye), -1, kRtcpHeaderSize);
  if (e == RtcpError::kNone) {
    const size_t reasonAt = kRtcpHeaderSize + 4 * size_t{count_};
    if (reasonAt > size_) {
      e = RtcpError::kBadCount;
    } else if (reasonAt < size_ && reasonAt + 1 + data_[reasonAt] > size_) {
      e = RtcpError::kBadReason;
    }
  }
  return settle(e);
}

std::string_view ByeView::reason() const {
  const size_t reasonAt = kRtcpHeaderSize + 4 * size_t{count_};
  if (reasonAt >= size_) return {};
  return {reinterpret_cast<const char*>(data_ + reasonAt + 1), data_[reasonAt]};
}

size_t buildBye(uint8_t* out, size_t cap, std::span<const uint32_t> ssrcs,
                std::string_view reason) {
  if (ssrcs.size() > 31 || reason.size() > 255) return 0;
  const size_t reasonAt = kRtcpHeaderSize + 4 * ssrcs.size();
  size_t size = reasonAt;
  if (!reason.empty()) size = (reasonAt + 1 + reason.size() + 3) & ~size_t{3};
  if (size > cap) return 0;
  writeRtcpHeader(out, static_cast<uint8_t>(ssrcs.size()), RtcpType::kBye, size);
  for (size_t i = 0; i < ssrcs.size(); ++i) util::storeBe32(out + 4 + 4 * i, ssrcs[i]);
  if (!reason.empty()) {
    out[reasonAt] = static_cast<uint8_t>(reason.size());
    std::memcpy(out + reasonAt + 1, reason.data(), reason.size());
    std::memset(out + reasonAt + 1 + reason.size(), 0, size - (reasonAt + 1 + reason.size()));
  }
  return size;
}

}  // namespace treff::rtp
