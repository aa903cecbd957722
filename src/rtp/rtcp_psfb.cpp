#include "rtp/rtcp_psfb.hpp"

namespace treff::rtp {

RtcpError PliView::parse(util::ConstBytes packet) {
  return settle(bindFeedback(packet, nullptr, RtcpType::kPayloadFeedback, psfb::kPli));
}

RtcpError PliView::parseWritable(util::MutableBytes packet) {
  return settle(bindFeedback(packet, packet.data(), RtcpType::kPayloadFeedback, psfb::kPli));
}

size_t buildPli(uint8_t* out, size_t cap, uint32_t senderSsrc, uint32_t mediaSsrc) {
  if (cap < kPliSize) return 0;
  writeFeedbackHeader(out, RtcpType::kPayloadFeedback, psfb::kPli, kPliSize, senderSsrc, mediaSsrc);
  return kPliSize;
}

RtcpError FirView::parse(util::ConstBytes packet) {
  return settle(bindFeedback(packet, nullptr, RtcpType::kPayloadFeedback, psfb::kFir,
                             kFeedbackHeaderSize + kEntrySize));
}

RtcpError FirView::parseWritable(util::MutableBytes packet) {
  return settle(bindFeedback(packet, packet.data(), RtcpType::kPayloadFeedback, psfb::kFir,
                             kFeedbackHeaderSize + kEntrySize));
}

FirEntry FirView::entry(size_t index) const {
  const uint8_t* p = data_ + kFeedbackHeaderSize + kEntrySize * index;
  return {util::loadBe32(p), p[4]};
}

bool FirView::setEntrySsrc(size_t index, uint32_t ssrc) {
  if (index >= entryCount()) return false;
  return writeBe32(kFeedbackHeaderSize + kEntrySize * index, ssrc);
}

size_t buildFir(uint8_t* out, size_t cap, uint32_t senderSsrc, std::span<const FirEntry> entries) {
  const size_t size = kFeedbackHeaderSize + FirView::kEntrySize * entries.size();
  if (entries.empty() || size > cap) return 0;
  writeFeedbackHeader(out, RtcpType::kPayloadFeedback, psfb::kFir, size, senderSsrc, 0);
  for (size_t i = 0; i < entries.size(); ++i) {
    uint8_t* p = out + kFeedbackHeaderSize + FirView::kEntrySize * i;
    util::storeBe32(p, entries[i].ssrc);
    p[4] = entries[i].seqNr;
    p[5] = p[6] = p[7] = 0;
  }
  return size;
}

RtcpError RembView::parse(util::ConstBytes packet) {
  RtcpError e = bindFeedback(packet, nullptr, RtcpType::kPayloadFeedback, psfb::kAfb, kFixedSize);
  if (e == RtcpError::kNone) {
    if (data_[12] != 'R' || data_[13] != 'E' || data_[14] != 'M' || data_[15] != 'B') {
      e = RtcpError::kNotRemb;
    } else if (kFixedSize + 4 * size_t{data_[16]} > size_) {
      e = RtcpError::kBadCount;
    }
  }
  return settle(e);
}

uint64_t RembView::bitrateBps() const {
  const unsigned exponent = data_[17] >> 2;
  const uint64_t mantissa = util::loadBe24(data_ + 17) & 0x3ffffu;
  // Exponents past 46 overflow 64 bits; such a bitrate means "unlimited".
  if (exponent > 46) return UINT64_MAX;
  return mantissa << exponent;
}

size_t buildRemb(uint8_t* out, size_t cap, uint32_t senderSsrc, uint64_t bitrateBps,
                 std::span<const uint32_t> ssrcs) {
  const size_t size = RembView::kFixedSize + 4 * ssrcs.size();
  if (ssrcs.size() > 255 || size > cap) return 0;
  unsigned exponent = 0;
  while ((bitrateBps >> exponent) > 0x3ffffu) ++exponent;
  if (exponent > 63) return 0;
  const uint32_t mantissa = static_cast<uint32_t>(bitrateBps >> exponent);
  writeFeedbackHeader(out, RtcpType::kPayloadFeedback, psfb::kAfb, size, senderSsrc, 0);
  out[12] = 'R';
  out[13] = 'E';
  out[14] = 'M';
  out[15] = 'B';
  out[16] = static_cast<uint8_t>(ssrcs.size());
  util::storeBe24(out + 17, (exponent << 18) | mantissa);
  for (size_t i = 0; i < ssrcs.size(); ++i) {
    util::storeBe32(out + RembView::kFixedSize + 4 * i, ssrcs[i]);
  }
  return size;
}

}  // namespace treff::rtp
