#include "rtp/rtcp_sdes.hpp"

#include <cstring>

namespace treff::rtp {

namespace {
size_t alignTo4(size_t n) { return (n + 3) & ~size_t{3}; }
}  // namespace

RtcpError SdesView::parse(util::ConstBytes packet) {
  RtcpError e = bind(packet, nullptr, static_cast<uint8_t>(RtcpType::kSdes), -1, kRtcpHeaderSize);
  return settle(e == RtcpError::kNone ? check() : e);
}

// RFC 3550 §6.5: each chunk is an SSRC and a list of items ended by at least one null octet,
// padded with nulls to the next 32-bit boundary.
RtcpError SdesView::check() const {
  size_t pos = kRtcpHeaderSize;
  for (size_t chunk = 0; chunk < count_; ++chunk) {
    if (pos + 4 > size_) return RtcpError::kBadSdesItem;
    pos += 4;
    for (;;) {
      if (pos >= size_) return RtcpError::kBadSdesItem;
      if (data_[pos] == 0) {
        pos = alignTo4(pos + 1);
        if (pos > size_) return RtcpError::kBadSdesItem;
        break;
      }
      if (pos + 2 > size_ || pos + 2 + data_[pos + 1] > size_) return RtcpError::kBadSdesItem;
      pos += 2 + data_[pos + 1];
    }
  }
  return RtcpError::kNone;
}

SdesView::ItemIterator SdesView::items() const {
  ItemIterator it;
  it.data_ = data_;
  it.size_ = size_;
  it.pos_ = kRtcpHeaderSize;
  it.chunksLeft_ = count_;
  return it;
}

bool SdesView::ItemIterator::next(SdesItem& out) {
  while (data_ != nullptr) {
    if (!inChunk_) {
      if (chunksLeft_ == 0) return false;
      --chunksLeft_;
      ssrc_ = util::loadBe32(data_ + pos_);
      pos_ += 4;
      inChunk_ = true;
    }
    if (data_[pos_] == 0) {
      pos_ = alignTo4(pos_ + 1);
      inChunk_ = false;
      continue;
    }
    out.ssrc = ssrc_;
    out.type = data_[pos_];
    const size_t length = data_[pos_ + 1];
    out.text = std::string_view(reinterpret_cast<const char*>(data_ + pos_ + 2), length);
    pos_ += 2 + length;
    return true;
  }
  return false;
}

std::string_view SdesView::cname(uint32_t ssrc) const {
  ItemIterator it = items();
  SdesItem item;
  while (it.next(item)) {
    if (item.ssrc == ssrc && item.type == static_cast<uint8_t>(SdesItemType::kCname)) {
      return item.text;
    }
  }
  return {};
}

size_t buildSdes(uint8_t* out, size_t cap, std::span<const SdesChunk> chunks) {
  if (chunks.size() > 31) return 0;
  size_t size = kRtcpHeaderSize;
  for (const SdesChunk& chunk : chunks) {
    if (chunk.cname.size() > 255) return 0;
    size += alignTo4(4 + 2 + chunk.cname.size() + 1);
  }
  if (size > cap) return 0;
  writeRtcpHeader(out, static_cast<uint8_t>(chunks.size()), RtcpType::kSdes, size);
  size_t pos = kRtcpHeaderSize;
  for (const SdesChunk& chunk : chunks) {
    const size_t end = pos + alignTo4(4 + 2 + chunk.cname.size() + 1);
    util::storeBe32(out + pos, chunk.ssrc);
    out[pos + 4] = static_cast<uint8_t>(SdesItemType::kCname);
    out[pos + 5] = static_cast<uint8_t>(chunk.cname.size());
    if (!chunk.cname.empty()) std::memcpy(out + pos + 6, chunk.cname.data(), chunk.cname.size());
    pos += 6 + chunk.cname.size();
    std::memset(out + pos, 0, end - pos);  // the end item and padding
    pos = end;
  }
  return size;
}

}  // namespace treff::rtp
