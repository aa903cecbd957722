#include "rtp/rtcp_nack.hpp"

namespace treff::rtp {

RtcpError NackView::parse(util::ConstBytes packet) {
  // RFC 4585 §6.2.1: at least one FCI entry.
  return settle(
      bindFeedback(packet, nullptr, RtcpType::kRtpFeedback, rtpfb::kNack, kFeedbackHeaderSize + 4));
}

RtcpError NackView::parseWritable(util::MutableBytes packet) {
  return settle(bindFeedback(packet, packet.data(), RtcpType::kRtpFeedback, rtpfb::kNack,
                             kFeedbackHeaderSize + 4));
}

NackItem NackView::item(size_t index) const {
  const uint8_t* p = data_ + kFeedbackHeaderSize + 4 * index;
  return {util::loadBe16(p), util::loadBe16(p + 2)};
}

size_t NackView::lostSequenceNumbers(std::span<uint16_t> out) const {
  size_t n = 0;
  auto emit = [&](uint16_t seq) {
    if (n < out.size()) out[n] = seq;
    ++n;
  };
  for (size_t i = 0; i < itemCount(); ++i) {
    const NackItem nack = item(i);
    emit(nack.pid);
    for (int bit = 0; bit < 16; ++bit) {
      if (nack.blp & (1u << bit)) emit(static_cast<uint16_t>(nack.pid + bit + 1));
    }
  }
  return n;
}

size_t buildNack(uint8_t* out, size_t cap, uint32_t senderSsrc, uint32_t mediaSsrc,
                 std::span<const uint16_t> missing) {
  if (missing.empty()) return 0;
  size_t pos = kFeedbackHeaderSize;
  size_t i = 0;
  while (i < missing.size()) {
    if (pos + 4 > cap) return 0;
    const uint16_t pid = missing[i++];
    uint16_t blp = 0;
    for (; i < missing.size(); ++i) {
      const uint16_t distance = static_cast<uint16_t>(missing[i] - pid);
      if (distance == 0) continue;  // a duplicate
      if (distance > 16) break;
      blp = static_cast<uint16_t>(blp | (1u << (distance - 1)));
    }
    util::storeBe16(out + pos, pid);
    util::storeBe16(out + pos + 2, blp);
    pos += 4;
  }
  writeFeedbackHeader(out, RtcpType::kRtpFeedback, rtpfb::kNack, pos, senderSsrc, mediaSsrc);
  return pos;
}

}  // namespace treff::rtp
