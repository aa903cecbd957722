#include "sfu/worker_stats.hpp"

namespace treff::sfu {

const char* counterName(Counter c) {
  switch (c) {
    case Counter::DatagramsIn:
      return "datagrams_received";
    case Counter::BytesIn:
      return "bytes_received";
    case Counter::StunIn:
      return "stun_requests_received";
    case Counter::StunResponsesOut:
      return "stun_responses_sent";
    case Counter::DtlsIn:
      return "dtls_datagrams_received";
    case Counter::RtpIn:
      return "rtp_packets_received";
    case Counter::RtcpIn:
      return "rtcp_packets_received";
    case Counter::RtpOut:
      return "rtp_packets_sent";
    case Counter::RtcpOut:
      return "rtcp_packets_sent";
    case Counter::BytesOut:
      return "bytes_sent";
    case Counter::TwccFeedbackOut:
      return "twcc_feedback_sent";
    case Counter::KeyframeRequestsOut:
      return "keyframe_requests_sent";
    case Counter::TransportsOpened:
      return "transports_opened";
    case Counter::TransportsClosed:
      return "transports_closed";
    case Counter::UdpSendCalls:
      return "udp_send_calls";
    case Counter::UdpMessagesOut:
      return "udp_messages_sent";
    case Counter::UdpGsoMessagesOut:
      return "udp_gso_messages_sent";
    case Counter::RetransmissionsOut:
      return "retransmissions_sent";
    case Counter::RetransmissionsWithheld:
      return "retransmissions_withheld";
    case Counter::kCount:
      break;
  }
  return "unknown";
}

const char* dropReasonName(DropReason r) {
  switch (r) {
    case DropReason::Unclassified:
      return "unclassified";
    case DropReason::NoBuffer:
      return "no_buffer";
    case DropReason::StunMalformed:
      return "stun_malformed";
    case DropReason::StunNotRequest:
      return "stun_not_request";
    case DropReason::StunUnknownUfrag:
      return "stun_unknown_ufrag";
    case DropReason::StunUnauthorized:
      return "stun_unauthorized";
    case DropReason::StunBadRequest:
      return "stun_bad_request";
    case DropReason::StunRoleConflict:
      return "stun_role_conflict";
    case DropReason::UnknownPath:
      return "unknown_path";
    case DropReason::DtlsMalformed:
      return "dtls_malformed";
    case DropReason::NotConnected:
      return "not_connected";
    case DropReason::SrtpAuthFailed:
      return "srtp_auth_failed";
    case DropReason::SrtpReplay:
      return "srtp_replay";
    case DropReason::SrtpOther:
      return "srtp_other";
    case DropReason::RtpMalformed:
      return "rtp_malformed";
    case DropReason::RtcpMalformed:
      return "rtcp_malformed";
    case DropReason::UnknownStream:
      return "unknown_stream";
    case DropReason::SendFailed:
      return "send_failed";
    case DropReason::kCount:
      break;
  }
  return "unknown";
}

}  // namespace treff::sfu
