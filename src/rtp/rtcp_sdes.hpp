// Source description packets (RFC 3550 §6.5): chunks of an SSRC and typed text items.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

// RFC 3550 §6.5 item types.
enum class SdesItemType : uint8_t {
  kEnd = 0,
  kCname = 1,
  kName = 2,
  kEmail = 3,
  kPhone = 4,
  kLoc = 5,
  kTool = 6,
  kNote = 7,
  kPriv = 8,
};

struct SdesItem {
  uint32_t ssrc = 0;  // of the chunk the item belongs to
  uint8_t type = 0;
  std::string_view text;
};

class SdesView : public RtcpView {
 public:
  // Walks the items of every chunk in order. Only made by a valid view, so it cannot fail.
  class ItemIterator {
   public:
    bool next(SdesItem& out);

   private:
    friend class SdesView;
    const uint8_t* data_ = nullptr;
    size_t size_ = 0;
    size_t pos_ = 0;
    size_t chunksLeft_ = 0;
    uint32_t ssrc_ = 0;
    bool inChunk_ = false;
  };

  RtcpError parse(util::ConstBytes packet);

  size_t chunkCount() const { return count_; }
  ItemIterator items() const;
  // The CNAME of `ssrc`, or an empty view if it has none.
  std::string_view cname(uint32_t ssrc) const;

 private:
  RtcpError check() const;
};

struct SdesChunk {
  uint32_t ssrc = 0;
  std::string_view cname;  // at most 255 bytes
};

// Writes one SDES packet with a CNAME item per chunk; returns its size or 0 if it does not fit,
// a CNAME is longer than 255 bytes or there are more than 31 chunks.
size_t buildSdes(uint8_t* out, size_t cap, std::span<const SdesChunk> chunks);

}  // namespace treff::rtp
