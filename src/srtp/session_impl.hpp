// SrtpSession's state, shared by the SRTP (srtp_session.cpp) and SRTCP (srtcp.cpp) halves.
#pragma once

#include "srtp/packet_cipher.hpp"
#include "srtp/srtp_session.hpp"
#include "srtp/stream_table.hpp"

namespace treff::srtp {

struct SrtpSession::Impl {
  Impl(Profile p, const SessionKeys& rtpKeys, const SessionKeys& rtcpKeys, Direction d,
       size_t maxStreams)
      : profile(p),
        direction(d),
        gcm(p == Profile::AeadAes128Gcm),
        rtp(p, rtpKeys, d == Direction::Outbound),
        rtcp(p, rtcpKeys, d == Direction::Outbound),
        streams(maxStreams) {}

  const Profile profile;
  const Direction direction;
  const bool gcm;
  PacketCipher rtp;
  PacketCipher rtcp;
  StreamTable streams;
};

}  // namespace treff::srtp
