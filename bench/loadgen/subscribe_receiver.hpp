// The receiving half of a participant's subscribe connection: maps incoming SSRCs (and their
// RTX SSRCs) to the streams the server offered, feeds each packet's MediaStamp to the flow of
// its publisher and kind, and writes the RTCP a browser sends back: receiver reports, transport-
// wide congestion control feedback and generic NACKs. No allocation per packet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "flow_stats.hpp"
#include "rtp/header_extensions.hpp"
#include "rtp/nack_generator.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/twcc_feedback_generator.hpp"
#include "sdp_exchange.hpp"

namespace treff::loadgen {

enum class MediaKind : uint8_t { Audio = 0, Video = 1 };

// RTCP packets sent, by type.
struct RtcpCounters {
  uint64_t senderReports = 0;
  uint64_t receiverReports = 0;
  uint64_t transportCc = 0;
  uint64_t nacks = 0;
  uint64_t nackedPackets = 0;  // sequence numbers asked for
};

struct ReceiveCounters {
  uint64_t rtpPackets = 0;
  uint64_t rtxPackets = 0;
  uint64_t unknownSsrc = 0;
  uint64_t noStamp = 0;
  uint64_t foreignPublisher = 0;  // a stamp of a participant outside our room
  uint64_t rtcpPackets = 0;
};

class SubscribeReceiver {
 public:
  // Flows exist for the participants firstPublisher .. firstPublisher + roomSize - 1.
  SubscribeReceiver(uint32_t firstPublisher, uint32_t roomSize);

  // Control path: the streams of the latest subscribe offer; known SSRCs keep their state.
  void setStreams(const std::vector<OfferedStream>& streams, uint8_t transportCcId,
                  uint8_t absSendTimeId = 0);
  // When the server sent this packet, from its abs-send-time (same machine, same monotonic
  // clock, so the 64 s wrap is resolved against `nowUs`); nowUs without the extension.
  uint64_t serverSendUs(const uint8_t* data, size_t size, uint64_t nowUs) const;

  void onRtp(uint8_t* data, size_t size, uint64_t nowUs);
  // The server's sender reports, for the LSR/DLSR of our receiver reports.
  void onRtcp(const uint8_t* data, size_t size, uint64_t nowUs);

  // Writes the RTCP due now (one packet per call of `send`) into `buf`; `send` protects and
  // sends it. Call every few milliseconds.
  void writeFeedback(uint64_t nowUs, uint8_t* buf, size_t cap,
                     const std::function<void(uint8_t*, size_t)>& send);

  // The measured phase starts.
  void resetFlows();

  const FlowStats& flow(uint32_t publisher, MediaKind kind) const {
    return flows_[(publisher - firstPublisher_) * 2 + static_cast<size_t>(kind)];
  }
  uint32_t firstPublisher() const { return firstPublisher_; }
  uint32_t roomSize() const { return roomSize_; }
  const RtcpCounters& rtcp() const { return rtcp_; }
  const ReceiveCounters& counters() const { return counters_; }
  size_t streamCount() const { return streams_.size(); }
  uint32_t localSsrc() const { return localSsrc_; }

 private:
  struct Stream {
    uint32_t ssrc = 0;
    uint32_t rtxSsrc = 0;
    uint8_t rtxPayloadType = 0;
    bool video = false;
    bool seen = false;
    std::unique_ptr<rtp::ReceiveStreamStats> stats;
    std::unique_ptr<rtp::NackGenerator> nack;
  };

  Stream* find(uint32_t ssrc, bool* isRtx);
  void recordStamp(const uint8_t* at, size_t available, MediaKind kind, uint64_t nowUs);

  uint32_t firstPublisher_;
  uint32_t roomSize_;
  uint32_t localSsrc_;
  std::vector<FlowStats> flows_;
  std::vector<Stream> streams_;
  rtp::ExtensionIdMap extensionIds_;
  rtp::TwccFeedbackGenerator twcc_;
  uint32_t twccMediaSsrc_ = 0;
  uint64_t nextReportUs_ = 0;
  uint64_t nextTwccUs_ = 0;
  uint64_t nextNackUs_ = 0;
  RtcpCounters rtcp_;
  ReceiveCounters counters_;
};

}  // namespace treff::loadgen
