#include "rtp/rtcp_xr.hpp"

namespace treff::rtp {

namespace {
constexpr size_t kBlockHeaderSize = 4;
constexpr size_t kRrtrBodySize = 8;
constexpr size_t kDlrrItemSize = 12;
}  // namespace

RtcpError XrView::parse(util::ConstBytes packet) {
  RtcpError e =
      bind(packet, nullptr, static_cast<uint8_t>(RtcpType::kExtendedReport), -1, kFixedSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

// RFC 3611 §3: every block's length (32-bit words after its header) stays inside the packet;
// RRTR has a fixed size and DLRR a whole number of sub-blocks.
RtcpError XrView::check() const {
  size_t pos = kFixedSize;
  while (pos < size_) {
    if (pos + kBlockHeaderSize > size_) return RtcpError::kBadXrBlock;
    const uint8_t type = data_[pos];
    const size_t bodySize = size_t{util::loadBe16(data_ + pos + 2)} * 4;
    if (pos + kBlockHeaderSize + bodySize > size_) return RtcpError::kBadXrBlock;
    if (type == static_cast<uint8_t>(XrBlockType::kReceiverReferenceTime) &&
        bodySize != kRrtrBodySize) {
      return RtcpError::kBadXrBlock;
    }
    if (type == static_cast<uint8_t>(XrBlockType::kDlrr) && bodySize % kDlrrItemSize != 0) {
      return RtcpError::kBadXrBlock;
    }
    pos += kBlockHeaderSize + bodySize;
  }
  return RtcpError::kNone;
}

XrView::BlockIterator XrView::blocks() const {
  BlockIterator it;
  if (data_ != nullptr) it.rest_ = content().subspan(kFixedSize);
  return it;
}

size_t XrView::blockCount() const {
  BlockIterator it = blocks();
  XrBlock block;
  size_t n = 0;
  while (it.next(block)) ++n;
  return n;
}

bool XrView::BlockIterator::next(XrBlock& out) {
  if (rest_.size() < kBlockHeaderSize) return false;
  const size_t bodySize = size_t{util::loadBe16(rest_.data() + 2)} * 4;
  if (kBlockHeaderSize + bodySize > rest_.size()) return false;
  out.type = rest_[0];
  out.typeSpecific = rest_[1];
  out.body = rest_.subspan(kBlockHeaderSize, bodySize);
  rest_ = rest_.subspan(kBlockHeaderSize + bodySize);
  return true;
}

bool readRrtr(const XrBlock& block, uint64_t& ntpTimestamp) {
  if (block.type != static_cast<uint8_t>(XrBlockType::kReceiverReferenceTime) ||
      block.body.size() != kRrtrBodySize) {
    return false;
  }
  ntpTimestamp = util::loadBe64(block.body.data());
  return true;
}

size_t dlrrItemCount(const XrBlock& block) {
  if (block.type != static_cast<uint8_t>(XrBlockType::kDlrr)) return 0;
  return block.body.size() / kDlrrItemSize;
}

DlrrItem dlrrItem(const XrBlock& block, size_t index) {
  const uint8_t* p = block.body.data() + kDlrrItemSize * index;
  return {util::loadBe32(p), util::loadBe32(p + 4), util::loadBe32(p + 8)};
}

size_t buildXrRrtr(uint8_t* out, size_t cap, uint32_t senderSsrc, uint64_t ntpTimestamp) {
  const size_t size = XrView::kFixedSize + kBlockHeaderSize + kRrtrBodySize;
  if (size > cap) return 0;
  writeRtcpHeader(out, 0, RtcpType::kExtendedReport, size);
  util::storeBe32(out + 4, senderSsrc);
  out[8] = static_cast<uint8_t>(XrBlockType::kReceiverReferenceTime);
  out[9] = 0;
  util::storeBe16(out + 10, kRrtrBodySize / 4);
  util::storeBe64(out + 12, ntpTimestamp);
  return size;
}

size_t buildXrDlrr(uint8_t* out, size_t cap, uint32_t senderSsrc, std::span<const DlrrItem> items) {
  const size_t body = kDlrrItemSize * items.size();
  const size_t size = XrView::kFixedSize + kBlockHeaderSize + body;
  if (items.empty() || body / 4 > 0xffff || size > cap) return 0;
  writeRtcpHeader(out, 0, RtcpType::kExtendedReport, size);
  util::storeBe32(out + 4, senderSsrc);
  out[8] = static_cast<uint8_t>(XrBlockType::kDlrr);
  out[9] = 0;
  util::storeBe16(out + 10, static_cast<uint16_t>(body / 4));
  for (size_t i = 0; i < items.size(); ++i) {
    uint8_t* p = out + 12 + kDlrrItemSize * i;
    util::storeBe32(p, items[i].ssrc);
    util::storeBe32(p + 4, items[i].lastRr);
    util::storeBe32(p + 8, items[i].delaySinceLastRr);
  }
  return size;
}

}  // namespace treff::rtp
