#include "rtp/rtcp_report.hpp"

namespace treff::rtp {

ReportBlockData readReportBlock(const uint8_t* p) {
  ReportBlockData block;
  block.ssrc = util::loadBe32(p);
  block.fractionLost = p[4];
  // The cumulative number of packets lost is a 24-bit signed integer.
  uint32_t lost = util::loadBe24(p + 5);
  if (lost & 0x800000u) lost |= 0xff000000u;
  block.cumulativeLost = static_cast<int32_t>(lost);
  block.extendedHighestSeq = util::loadBe32(p + 8);
  block.jitter = util::loadBe32(p + 12);
  block.lastSr = util::loadBe32(p + 16);
  block.delaySinceLastSr = util::loadBe32(p + 20);
  return block;
}

void writeReportBlock(uint8_t* p, const ReportBlockData& block) {
  // Clamp the cumulative loss to the 24-bit signed range.
  int32_t lost = block.cumulativeLost;
  if (lost > 0x7fffff) lost = 0x7fffff;
  if (lost < -0x800000) lost = -0x800000;
  util::storeBe32(p, block.ssrc);
  p[4] = block.fractionLost;
  util::storeBe24(p + 5, static_cast<uint32_t>(lost) & 0xffffffu);
  util::storeBe32(p + 8, block.extendedHighestSeq);
  util::storeBe32(p + 12, block.jitter);
  util::storeBe32(p + 16, block.lastSr);
  util::storeBe32(p + 20, block.delaySinceLastSr);
}

RtcpError SenderReportView::parse(util::ConstBytes packet) {
  RtcpError e =
      bind(packet, nullptr, static_cast<uint8_t>(RtcpType::kSenderReport), -1, kFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

RtcpError SenderReportView::parseWritable(util::MutableBytes packet) {
  RtcpError e =
      bind(packet, packet.data(), static_cast<uint8_t>(RtcpType::kSenderReport), -1, kFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

// Profile-specific extensions may follow the blocks (RFC 3550 §6.4.1), so only a lower bound.
RtcpError SenderReportView::check() {
  return kFixedSize + count_ * kReportBlockSize <= size_ ? RtcpError::kNone : RtcpError::kBadCount;
}

SenderInfo SenderReportView::senderInfo() const {
  SenderInfo info;
  info.ntpTimestamp = util::loadBe64(data_ + 8);
  info.rtpTimestamp = util::loadBe32(data_ + 16);
  info.packetCount = util::loadBe32(data_ + 20);
  info.octetCount = util::loadBe32(data_ + 24);
  return info;
}

ReportBlockData SenderReportView::reportBlock(size_t index) const {
  return readReportBlock(data_ + kFixedSize + index * kReportBlockSize);
}

RtcpError ReceiverReportView::parse(util::ConstBytes packet) {
  RtcpError e =
      bind(packet, nullptr, static_cast<uint8_t>(RtcpType::kReceiverReport), -1, kFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

RtcpError ReceiverReportView::parseWritable(util::MutableBytes packet) {
  RtcpError e =
      bind(packet, packet.data(), static_cast<uint8_t>(RtcpType::kReceiverReport), -1, kFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

RtcpError ReceiverReportView::check() {
  return kFixedSize + count_ * kReportBlockSize <= size_ ? RtcpError::kNone : RtcpError::kBadCount;
}

ReportBlockData ReceiverReportView::reportBlock(size_t index) const {
  return readReportBlock(data_ + kFixedSize + index * kReportBlockSize);
}

size_t buildSenderReport(uint8_t* out, size_t cap, uint32_t senderSsrc, const SenderInfo& info,
                         std::span<const ReportBlockData> blocks) {
  if (blocks.size() > kMaxReportBlocks) return 0;
  const size_t size = SenderReportView::kFixedSize + blocks.size() * kReportBlockSize;
  if (size > cap) return 0;
  writeRtcpHeader(out, static_cast<uint8_t>(blocks.size()), RtcpType::kSenderReport, size);
  util::storeBe32(out + 4, senderSsrc);
  util::storeBe64(out + 8, info.ntpTimestamp);
  util::storeBe32(out + 16, info.rtpTimestamp);
  util::storeBe32(out + 20, info.packetCount);
  util::storeBe32(out + 24, info.octetCount);
  for (size_t i = 0; i < blocks.size(); ++i) {
    writeReportBlock(out + SenderReportView::kFixedSize + i * kReportBlockSize, blocks[i]);
  }
  return size;
}

size_t buildReceiverReport(uint8_t* out, size_t cap, uint32_t senderSsrc,
                           std::span<const ReportBlockData> blocks) {
  if (blocks.size() > kMaxReportBlocks) return 0;
  const size_t size = ReceiverReportView::kFixedSize + blocks.size() * kReportBlockSize;
  if (size > cap) return 0;
  writeRtcpHeader(out, static_cast<uint8_t>(blocks.size()), RtcpType::kReceiverReport, size);
  util::storeBe32(out + 4, senderSsrc);
  for (size_t i = 0; i < blocks.size(); ++i) {
    writeReportBlock(out + ReceiverReportView::kFixedSize + i * kReportBlockSize, blocks[i]);
  }
  return size;
}

}  // namespace treff::rtp
