// Fuzzes SRTP/SRTCP unprotect on both profiles. Input layout:
//   byte 0: bit 0 profile (0 AES-CM, 1 GCM), bit 1 RTP (0) or RTCP (1), bit 2 mode:
//     raw (0): the rest is a list of packets, each a length byte and that many bytes, all fed
//              to one inbound session after it has accepted valid packets around a wrap;
//     mutate (1): byte 1 picks a valid protected packet, byte 2 a cut length, and the rest is
//              XORed onto the packet from its start.
// Nothing may crash, and a packet that unprotects must not grow.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "srtp/srtp_session.hpp"

namespace {

using treff::srtp::Error;
using treff::srtp::Profile;
using treff::srtp::SrtpSession;
using Bytes = std::vector<uint8_t>;

const uint8_t kKey[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
const uint8_t kSalt[14] = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34};

SrtpSession makeSession(Profile p, SrtpSession::Direction d) {
  return SrtpSession(p, treff::util::ConstBytes(kKey, 16),
                     treff::util::ConstBytes(kSalt, treff::srtp::masterSaltLength(p)), d);
}

struct ValidPackets {
  std::vector<Bytes> rtp;
  std::vector<Bytes> rtcp;
};

// Protected packets of SSRC 0x01020304, sequence 65533..65535, 0..2, and six SRTCP packets.
ValidPackets makeValid(Profile p) {
  SrtpSession tx = makeSession(p, SrtpSession::Direction::Outbound);
  ValidPackets out;
  for (uint32_t i = 0; i < 6; ++i) {
    Bytes rtp = {0x91, 0x60, 0, 0, 0,    0,    0, 0, 1,    2,    3, 4,
                 9,    9,    9, 9, 0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0};
    const uint16_t seq = static_cast<uint16_t>(65533 + i);
    rtp[2] = static_cast<uint8_t>(seq >> 8);
    rtp[3] = static_cast<uint8_t>(seq);
    rtp.resize(rtp.size() + 20 + i * 7, static_cast<uint8_t>(i));
    Bytes wire(rtp.size() + SrtpSession::kMaxRtpOverhead);
    size_t len = 0;
    if (tx.protectRtp(rtp.data(), rtp.size(), wire.data(), wire.size(), &len) == Error::Ok) {
      wire.resize(len);
      out.rtp.push_back(wire);
    }
    Bytes rtcp = {0x81, 0xc9, 0, 7, 1, 2, 3, 4};
    rtcp.resize(32, static_cast<uint8_t>(0x30 + i));
    wire.assign(rtcp.size() + SrtpSession::kMaxRtcpOverhead, 0);
    if (tx.protectRtcp(rtcp.data(), rtcp.size(), wire.data(), wire.size(), &len) == Error::Ok) {
      wire.resize(len);
      out.rtcp.push_back(wire);
    }
  }
  return out;
}

Error unprotect(SrtpSession& s, bool rtcp, Bytes& packet) {
  size_t len = 0;
  const Error e = rtcp ? s.unprotectRtcp(packet.data(), packet.size(), &len)
                       : s.unprotectRtp(packet.data(), packet.size(), &len);
  if (e == Error::Ok && len > packet.size()) __builtin_trap();
  return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ValidPackets kValid[2] = {makeValid(Profile::Aes128CmHmacSha1_80),
                                         makeValid(Profile::AeadAes128Gcm)};
  if (size < 1) return 0;
  const uint8_t mode = data[0];
  const int profileIndex = mode & 1;
  const Profile profile = profileIndex ? Profile::AeadAes128Gcm : Profile::Aes128CmHmacSha1_80;
  const bool rtcp = (mode & 2) != 0;
  const ValidPackets& valid = kValid[profileIndex];
  const std::vector<Bytes>& pool = rtcp ? valid.rtcp : valid.rtp;
  SrtpSession rx = makeSession(profile, SrtpSession::Direction::Inbound);

  if ((mode & 4) == 0) {
    // Prime the stream with the first half so ROC estimation and the replay window are live.
    for (size_t i = 0; i < pool.size() / 2; ++i) {
      Bytes copy = pool[i];
      unprotect(rx, rtcp, copy);
    }
    for (size_t at = 1; at < size;) {
      const size_t len = data[at++];
      const size_t take = len < size - at ? len : size - at;
      Bytes packet(data + at, data + at + take);
      at += take;
      unprotect(rx, rtcp, packet);
    }
    return 0;
  }

  if (size < 3 || pool.empty()) return 0;
  Bytes packet = pool[data[1] % pool.size()];
  for (size_t i = 3; i < size && i - 3 < packet.size(); ++i) packet[i - 3] ^= data[i];
  if (data[2] != 0 && data[2] < packet.size()) packet.resize(data[2]);
  unprotect(rx, rtcp, packet);
  unprotect(rx, rtcp, packet);  // and again: the replay path
  return 0;
}
