// Counters of one media worker. The worker is the only writer; the control plane reads them for
// /metrics. Relaxed atomics: no lock and no locked instruction on the data path.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace treff::sfu {

enum class Counter : uint8_t {
  DatagramsIn,
  BytesIn,
  StunIn,
  StunResponsesOut,
  DtlsIn,
  RtpIn,
  RtcpIn,
  RtpOut,
  RtcpOut,
  BytesOut,
  TwccFeedbackOut,
  KeyframeRequestsOut,
  TransportsOpened,
  TransportsClosed,
  UdpSendCalls,             // sendmmsg calls
  UdpMessagesOut,           // messages written: one datagram, or a GSO train of several
  UdpGsoMessagesOut,        // messages that carried more than one datagram
  RetransmissionsOut,       // answers to subscribers' NACKs
  RetransmissionsWithheld,  // NACKs not answered: over the retransmission budget
  kCount
};

// Every dropped packet is counted under one reason (style: observable drops).
enum class DropReason : uint8_t {
  Unclassified,  // first byte is none of STUN, DTLS, RTP/RTCP (RFC 7983)
  NoBuffer,      // packet pool exhausted
  StunMalformed,
  StunNotRequest,  // responses and indications: an ICE-lite agent sends no requests
  StunUnknownUfrag,
  StunUnauthorized,
  StunBadRequest,
  StunRoleConflict,
  UnknownPath,  // DTLS or SRTP from a 5-tuple that passed no ICE check
  DtlsMalformed,
  NotConnected,  // SRTP before DTLS finished
  SrtpAuthFailed,
  SrtpReplay,
  SrtpOther,
  RtpMalformed,
  RtcpMalformed,
  UnknownStream,  // an SSRC no negotiated stream claims
  SendFailed,
  kCount
};

const char* counterName(Counter c);
const char* dropReasonName(DropReason r);

class WorkerStats {
 public:
  void add(Counter c, uint64_t n = 1) { bump(counters_[static_cast<size_t>(c)], n); }
  void drop(DropReason r) { bump(drops_[static_cast<size_t>(r)], 1); }
  uint64_t get(Counter c) const {
    return counters_[static_cast<size_t>(c)].load(std::memory_order_relaxed);
  }
  uint64_t dropped(DropReason r) const {
    return drops_[static_cast<size_t>(r)].load(std::memory_order_relaxed);
  }

 private:
  static void bump(std::atomic<uint64_t>& a, uint64_t n) {
    a.store(a.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  std::array<std::atomic<uint64_t>, static_cast<size_t>(Counter::kCount)> counters_{};
  std::array<std::atomic<uint64_t>, static_cast<size_t>(DropReason::kCount)> drops_{};
};

}  // namespace treff::sfu
