#include "rtp/stream_identifier.hpp"

#include <stdexcept>

#include "rtp/rtp_packet.hpp"

namespace treff::rtp {

StreamIdentifier::StreamIdentifier(const ExtensionIdMap& ids, size_t capacity)
    : ids_(ids), slots_(capacity), slotSsrc_(capacity, 0), slotUsed_(capacity, 0) {
  ptMidIndex_.fill(kNoMid);
}

int StreamIdentifier::findSlot(uint32_t ssrc) const {
  if (lastHit_ >= 0 && slotUsed_[lastHit_] && slotSsrc_[lastHit_] == ssrc) return lastHit_;
  for (size_t i = 0; i < slotSsrc_.size(); ++i) {
    if (slotSsrc_[i] == ssrc && slotUsed_[i]) {
      lastHit_ = static_cast<int>(i);
      return lastHit_;
    }
  }
  return -1;
}

const StreamInfo* StreamIdentifier::find(uint32_t ssrc) const {
  const int i = findSlot(ssrc);
  return i < 0 ? nullptr : &slots_[i];
}

StreamInfo* StreamIdentifier::claimSlot(uint32_t ssrc) {
  for (size_t i = 0; i < slotUsed_.size(); ++i) {
    if (!slotUsed_[i]) {
      slotUsed_[i] = 1;
      slotSsrc_[i] = ssrc;
      ++count_;
      slots_[i] = StreamInfo{};
      slots_[i].ssrc = ssrc;
      return &slots_[i];
    }
  }
  return nullptr;
}

bool StreamIdentifier::forget(uint32_t ssrc) {
  const int i = findSlot(ssrc);
  if (i < 0) return false;
  slotUsed_[i] = 0;
  --count_;
  for (size_t j = 0; j < slots_.size(); ++j) {
    if (slotUsed_[j] && slots_[j].primarySsrc == ssrc) slots_[j].primarySsrc = 0;
  }
  return true;
}

void StreamIdentifier::addSsrc(uint32_t ssrc, std::string_view mid, std::string_view rid) {
  if (findSlot(ssrc) >= 0) throw std::invalid_argument("SSRC signalled twice");
  StreamInfo* info = claimSlot(ssrc);
  if (!info) throw std::runtime_error("too many streams for one transport");
  info->mid = mid;
  info->rid = rid;
  linkRepairs(*info);
}

void StreamIdentifier::addRepairSsrc(uint32_t repairSsrc, uint32_t primarySsrc) {
  const int p = findSlot(primarySsrc);
  if (p < 0) throw std::invalid_argument("FID group names an unknown primary SSRC");
  if (findSlot(repairSsrc) >= 0) throw std::invalid_argument("SSRC signalled twice");
  StreamInfo* info = claimSlot(repairSsrc);
  if (!info) throw std::runtime_error("too many streams for one transport");
  const StreamInfo& primary = slots_[p];
  info->mid = primary.mid;
  info->rid = primary.rid;
  info->isRepair = true;
  info->primarySsrc = primarySsrc;
}

void StreamIdentifier::addPayloadTypeMid(uint8_t payloadType, std::string_view mid) {
  if (payloadType > 127) throw std::invalid_argument("payload type out of range");
  int16_t& index = ptMidIndex_[payloadType];
  if (index == kAmbiguous) return;
  if (index >= 0) {
    if (ptMids_[index] != mid) index = kAmbiguous;
    return;
  }
  ptMids_.emplace_back(mid);
  index = static_cast<int16_t>(ptMids_.size() - 1);
}

void StreamIdentifier::addRepairPayloadType(uint8_t payloadType) {
  if (payloadType > 127) throw std::invalid_argument("payload type out of range");
  repairPt_[payloadType] = true;
}

void StreamIdentifier::linkRepairs(StreamInfo& learned) {
  // A repair stream names its primary by MID and RID; without a RID, the MID must carry exactly
  // one primary stream.
  auto sameEncoding = [](const StreamInfo& a, const StreamInfo& b) {
    return a.mid == b.mid && a.rid == b.rid;
  };
  if (learned.isRepair) {
    if (learned.primarySsrc != 0) return;
    uint32_t candidate = 0;
    int matches = 0;
    for (size_t i = 0; i < slots_.size(); ++i) {
      if (slotUsed_[i] && !slots_[i].isRepair && sameEncoding(slots_[i], learned)) {
        candidate = slots_[i].ssrc;
        ++matches;
      }
    }
    if (matches == 1) learned.primarySsrc = candidate;
    return;
  }
  for (size_t i = 0; i < slots_.size(); ++i) {
    StreamInfo& s = slots_[i];
    if (slotUsed_[i] && s.isRepair && s.primarySsrc == 0 && sameEncoding(s, learned)) {
      s.primarySsrc = learned.ssrc;
    }
  }
}

const StreamInfo* StreamIdentifier::lookup(const RtpPacket& packet, StreamLookupMiss* why) {
  if (const int i = findSlot(packet.ssrc()); i >= 0) {
    if (why) *why = StreamLookupMiss::None;
    return &slots_[i];
  }

  std::string_view mid = readMid(packet, ids_);
  const std::string_view rid = readRid(packet, ids_);
  const std::string_view repairedRid = readRepairedRid(packet, ids_);
  if (mid.empty()) {
    const int16_t index = ptMidIndex_[packet.payloadType()];
    if (index < 0) {
      if (why) *why = StreamLookupMiss::Unidentified;
      return nullptr;
    }
    mid = ptMids_[index];
  }

  StreamInfo* info = claimSlot(packet.ssrc());
  if (!info) {
    if (why) *why = StreamLookupMiss::TableFull;
    return nullptr;
  }
  info->mid = mid;
  info->isRepair = !repairedRid.empty() || repairPt_[packet.payloadType()];
  info->rid = repairedRid.empty() ? rid : repairedRid;
  linkRepairs(*info);
  if (why) *why = StreamLookupMiss::None;
  return info;
}

}  // namespace treff::rtp
