// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1): RTPFB FMT 15 listing, from a base transport-wide sequence number, whether each packet
// arrived and its arrival time as deltas of 250 us from a reference time in 64 ms units.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "rtp/rtcp_feedback.hpp"

namespace treff::rtp {

inline constexpr int64_t kTwccTickUs = 250;
inline constexpr int64_t kTwccReferenceUnitUs = 64000;
inline constexpr size_t kTwccFixedSize = kFeedbackHeaderSize + 8;

// One packet as a feedback reports it.
struct TwccPacketStatus {
  uint16_t seq = 0;
  bool received = false;
  int32_t deltaTicks = 0;  // from the previous received packet (or the reference time), 250 us
  int64_t arrivalUs = 0;   // reference time + all deltas so far; meaningful when received
};

class TwccFeedbackView : public FeedbackView {
 public:
  // Expands the status chunks and deltas packet by packet. Made only by a valid view.
  class PacketIterator {
   public:
    bool next(TwccPacketStatus& out);

   private:
    friend class TwccFeedbackView;
    uint8_t symbolAt(unsigned index) const;

    const uint8_t* data_ = nullptr;
    size_t chunkPos_ = 0;
    size_t deltaPos_ = 0;
    size_t left_ = 0;  // packets still to report
    uint16_t seq_ = 0;
    uint16_t chunk_ = 0;
    unsigned chunkUsed_ = 0;  // symbols taken from chunk_
    unsigned chunkSize_ = 0;  // symbols chunk_ holds
    int64_t timeUs_ = 0;
  };

  RtcpError parse(util::ConstBytes packet);

  uint16_t baseSeq() const { return util::loadBe16(data_ + 12); }
  uint16_t packetStatusCount() const { return util::loadBe16(data_ + 14); }
  // 24-bit signed, in 64 ms units.
  int32_t referenceTime() const;
  int64_t referenceTimeUs() const { return int64_t{referenceTime()} * kTwccReferenceUnitUs; }
  uint8_t feedbackCount() const { return data_[19]; }
  size_t receivedCount() const { return receivedCount_; }

  PacketIterator packets() const;

 private:
  RtcpError check();

  size_t deltasAt_ = 0;
  size_t receivedCount_ = 0;
};

// Marks a packet that did not arrive in the arrival series given to buildTwccFeedback.
inline constexpr int64_t kTwccNotReceived = INT64_MIN;

struct TwccFeedbackParams {
  uint32_t senderSsrc = 0;
  uint32_t mediaSsrc = 0;
  uint16_t baseSeq = 0;
  int64_t referenceTime = 0;  // 64 ms units, same clock as the arrivals; written modulo 2^24
  uint8_t feedbackCount = 0;
};

struct TwccBuildResult {
  size_t size = 0;         // bytes written, 0 if nothing fit
  size_t packetCount = 0;  // packets reported, from baseSeq on
};

// Writes one feedback for consecutive packets from params.baseSeq whose arrival times (us, or
// kTwccNotReceived) are `arrivals` followed by `arrivalsContinued` (two parts so a ring buffer can
// be passed without copying). Reports as many packets as fit in `cap` and stops before a packet
// whose delta does not fit a 16-bit signed large delta; the caller reports the rest in another
// feedback.
TwccBuildResult buildTwccFeedback(uint8_t* out, size_t cap, const TwccFeedbackParams& params,
                                  std::span<const int64_t> arrivals,
                                  std::span<const int64_t> arrivalsContinued = {});

}  // namespace treff::rtp
