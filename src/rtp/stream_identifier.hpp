// Which negotiated stream an incoming SSRC belongs to.
//
// Chromium does not signal simulcast SSRCs in SDP: a new SSRC announces itself with the MID,
// RID and repaired-RID header extensions (RFC 8843 §15, RFC 8852) in its first packets, and
// stops sending them once RTCP acknowledged it. The identifier learns each SSRC from those
// extensions and remembers it; SSRCs signalled in SDP (a=ssrc, a=ssrc-group:FID) are known up
// front.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtp/header_extensions.hpp"

namespace treff::rtp {

class RtpPacket;

struct StreamInfo {
  uint32_t ssrc = 0;
  std::string mid;
  std::string rid;           // for a repair stream, the RID of the stream it repairs
  bool isRepair = false;     // RTX (RFC 4588)
  uint32_t primarySsrc = 0;  // for a repair stream, the SSRC it repairs; 0 while unknown
};

// Why lookup() found nothing.
enum class StreamLookupMiss : uint8_t {
  None,
  Unidentified,  // unknown SSRC with no MID extension and no unambiguous payload type
  TableFull,     // unknown SSRC, identifiable, but no free slot
};

class StreamIdentifier {
 public:
  static constexpr size_t kDefaultCapacity = 32;

  // Control path: allocates every slot up front.
  explicit StreamIdentifier(const ExtensionIdMap& ids, size_t capacity = kDefaultCapacity);

  // SDP a=ssrc. Throws std::runtime_error when full, std::invalid_argument if already known.
  void addSsrc(uint32_t ssrc, std::string_view mid, std::string_view rid = {});
  // SDP a=ssrc-group:FID <primary> <repair>; the primary must have been added.
  void addRepairSsrc(uint32_t repairSsrc, uint32_t primarySsrc);
  // Fallback for packets without a MID extension: payload type -> MID. A payload type mapped to
  // two different MIDs is ambiguous and never used.
  void addPayloadTypeMid(uint8_t payloadType, std::string_view mid);
  // Payload types that carry RTX (a=fmtp:<pt> apt=...): a stream learned on one is a repair
  // stream even when it carries no repaired-RID (RTX of a single, RID-less encoding).
  void addRepairPayloadType(uint8_t payloadType);

  // Data path. A known SSRC is an array scan; an unknown one is learned from the packet's
  // MID/RID/repaired-RID extensions (or the payload type fallback), which allocates its strings.
  const StreamInfo* lookup(const RtpPacket& packet, StreamLookupMiss* why = nullptr);
  const StreamInfo* find(uint32_t ssrc) const;
  // Frees the slot of an SSRC that ended (RTCP BYE, renegotiation).
  bool forget(uint32_t ssrc);

  size_t size() const { return count_; }
  size_t capacity() const { return slots_.size(); }

 private:
  int findSlot(uint32_t ssrc) const;
  StreamInfo* claimSlot(uint32_t ssrc);
  // Links repair streams and primaries that share a MID and RID.
  void linkRepairs(StreamInfo& learned);

  ExtensionIdMap ids_;
  std::vector<StreamInfo> slots_;
  std::vector<uint32_t> slotSsrc_;  // scanned on lookup; valid where slotUsed_ is set
  std::vector<uint8_t> slotUsed_;
  size_t count_ = 0;
  mutable int lastHit_ = -1;

  static constexpr int16_t kNoMid = -1;
  static constexpr int16_t kAmbiguous = -2;
  std::vector<std::string> ptMids_;
  std::array<int16_t, 128> ptMidIndex_;
  std::array<bool, 128> repairPt_{};
};

}  // namespace treff::rtp
