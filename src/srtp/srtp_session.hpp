// SRTP and SRTCP (RFC 3711) for one direction of one DTLS-SRTP association, with the
// AES128_CM_HMAC_SHA1_80 and AEAD_AES_128_GCM (RFC 7714) profiles on OpenSSL 3.
//
// Per packet: no heap allocation, no exception, no lock. A session belongs to one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "srtp/srtp_profile.hpp"
#include "util/bytes.hpp"

namespace treff::srtp {

struct SessionKeys;

class SrtpSession {
 public:
  enum class Direction { Inbound, Outbound };

  static constexpr size_t kMaxRtpOverhead = 16;   // bytes protect adds at most
  static constexpr size_t kMaxRtcpOverhead = 20;  // GCM: tag 16 + E/index 4
  static constexpr size_t kDefaultMaxStreams = 64;

  // Derives the SRTP and SRTCP session keys (RFC 3711 §4.3, kdr 0). Throws
  // std::invalid_argument when the key or salt length does not fit the profile. maxStreams
  // bounds the per-SSRC state table (allocated here, once); when it is full the least recently
  // used SSRC is forgotten.
  SrtpSession(Profile profile, util::ConstBytes masterKey, util::ConstBytes masterSalt,
              Direction direction, size_t maxStreams = kDefaultMaxStreams);
  // From session keys already derived (test vectors, or keys derived elsewhere).
  SrtpSession(Profile profile, const SessionKeys& rtpKeys, const SessionKeys& rtcpKeys,
              Direction direction, size_t maxStreams = kDefaultMaxStreams);
  ~SrtpSession();
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;

  // Outbound only. Reads the RTP packet src[0..len) and writes the SRTP packet to dst, which
  // is either src itself or a buffer not overlapping it; cap is dst's capacity and must be at
  // least len + rtpTagLength(profile).
  Error protectRtp(const uint8_t* src, size_t len, uint8_t* dst, size_t cap, size_t* outLen) {
    return protectRtp(src, len, nullptr, 0, dst, cap, outLen);
  }
  // The same for an RTP packet given in two pieces: head (the whole RTP header, then perhaps
  // the start of the payload) and tail (the rest of the payload). An SFU writes a subscriber's
  // header into head and leaves the payload where it arrived: dst is the only copy. dst must
  // not overlap either piece.
  Error protectRtp(const uint8_t* head, size_t headLen, const uint8_t* tail, size_t tailLen,
                   uint8_t* dst, size_t cap, size_t* outLen);
  // Inbound only, in place. Authenticates before touching the replay window or the ROC. On an
  // error the buffer content is unspecified (GCM may have decrypted part of it).
  Error unprotectRtp(uint8_t* buf, size_t len, size_t* outLen);
  // Same contract for RTCP; protect always encrypts (E = 1), unprotect accepts E = 0 too.
  Error protectRtcp(const uint8_t* src, size_t len, uint8_t* dst, size_t cap, size_t* outLen);
  Error unprotectRtcp(uint8_t* buf, size_t len, size_t* outLen);

  Profile profile() const;
  Direction direction() const;
  size_t streamCount() const;
  uint64_t evictedStreams() const;
  // The current rollover counter of ssrc's SRTP stream, or 0 when the stream is unknown.
  uint32_t rolloverCounter(uint32_t ssrc) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace treff::srtp
