// Extended reports (RFC 3611): a sender SSRC and a list of report blocks. Receiver reference
// time (RRTR, §4.4) and DLRR (§4.5) blocks are parsed; other block types are skipped by length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

enum class XrBlockType : uint8_t {
  kReceiverReferenceTime = 4,  // RRTR
  kDlrr = 5,
};

struct XrBlock {
  uint8_t type = 0;
  uint8_t typeSpecific = 0;
  util::ConstBytes body;  // after the 4-byte block header
};

// RFC 3611 §4.5 sub-block: the receiver's SSRC, its last RR timestamp (middle 32 bits of the
// RRTR's NTP time) and the delay since then in 1/65536 s.
struct DlrrItem {
  uint32_t ssrc = 0;
  uint32_t lastRr = 0;
  uint32_t delaySinceLastRr = 0;
};

class XrView : public RtcpView {
 public:
  static constexpr size_t kFixedSize = 8;

  class BlockIterator {
   public:
    bool next(XrBlock& out);

   private:
    friend class XrView;
    util::ConstBytes rest_;
  };

  RtcpError parse(util::ConstBytes packet);

  uint32_t senderSsrc() const { return util::loadBe32(data_ + 4); }
  BlockIterator blocks() const;
  size_t blockCount() const;

 private:
  RtcpError check() const;
};

// The NTP time of an RRTR block; false if `block` is not one.
bool readRrtr(const XrBlock& block, uint64_t& ntpTimestamp);
// The sub-blocks of a DLRR block (zero if `block` is not one).
size_t dlrrItemCount(const XrBlock& block);
DlrrItem dlrrItem(const XrBlock& block, size_t index);

size_t buildXrRrtr(uint8_t* out, size_t cap, uint32_t senderSsrc, uint64_t ntpTimestamp);
size_t buildXrDlrr(uint8_t* out, size_t cap, uint32_t senderSsrc, std::span<const DlrrItem> items);

}  // namespace treff::rtp
