// Sender and receiver reports (RFC 3550 §6.4.1, §6.4.2) with their report blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/report_block.hpp"
#include "rtp/rtcp_packet.hpp"

namespace treff::rtp {

inline constexpr size_t kReportBlockSize = 24;
inline constexpr size_t kMaxReportBlocks = 31;  // the 5-bit report count

// RFC 3550 §6.4.1 sender info.
struct SenderInfo {
  uint64_t ntpTimestamp = 0;  // seconds since 1900 in the high 32 bits
  uint32_t rtpTimestamp = 0;
  uint32_t packetCount = 0;
  uint32_t octetCount = 0;
};

// Reads / writes one 24-byte report block.
ReportBlockData readReportBlock(const uint8_t* p);
void writeReportBlock(uint8_t* p, const ReportBlockData& block);

class SenderReportView : public RtcpView {
 public:
  static constexpr size_t kFixedSize = 28;  // header, sender SSRC, sender info

  RtcpError parse(util::ConstBytes packet);
  RtcpError parseWritable(util::MutableBytes packet);

  uint32_t senderSsrc() const { return util::loadBe32(data_ + 4); }
  SenderInfo senderInfo() const;
  size_t reportBlockCount() const { return count_; }
  ReportBlockData reportBlock(size_t index) const;

  bool setSenderSsrc(uint32_t ssrc) { return writeBe32(4, ssrc); }

 private:
  RtcpError check();
};

class ReceiverReportView : public RtcpView {
 public:
  static constexpr size_t kFixedSize = 8;  // header, sender SSRC

  RtcpError parse(util::ConstBytes packet);
  RtcpError parseWritable(util::MutableBytes packet);

  uint32_t senderSsrc() const { return util::loadBe32(data_ + 4); }
  size_t reportBlockCount() const { return count_; }
  ReportBlockData reportBlock(size_t index) const;

  bool setSenderSsrc(uint32_t ssrc) { return writeBe32(4, ssrc); }

 private:
  RtcpError check();
};

// Builders write one packet into `out` and return its size, or 0 if it does not fit in `cap`
// or there are more than 31 blocks.
size_t buildSenderReport(uint8_t* out, size_t cap, uint32_t senderSsrc, const SenderInfo& info,
                         std::span<const ReportBlockData> blocks);
size_t buildReceiverReport(uint8_t* out, size_t cap, uint32_t senderSsrc,
                           std::span<const ReportBlockData> blocks);

}  // namespace treff::rtp
