// SrtpSession construction and the SRTP (RTP) half: RFC 3711 §3.3 and RFC 7714 §8.
#include "srtp/srtp_session.hpp"

#include <openssl/crypto.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "srtp/key_derivation.hpp"
#include "srtp/packet_iv.hpp"
#include "srtp/rtp_index.hpp"
#include "srtp/session_impl.hpp"

namespace treff::srtp {
namespace {

constexpr size_t kRtpFixedHeader = 12;
constexpr size_t kHmacTagLength = 10;  // HMAC-SHA1-80

struct RtpHeader {
  size_t length;  // fixed header, CSRCs and header extension
  uint32_t ssrc;
  uint16_t seq;
};

// RFC 3550 §5.1/§5.3.1: the part SRTP leaves in the clear (and GCM authenticates as AAD).
Error parseRtpHeader(const uint8_t* p, size_t len, RtpHeader* out) {
  if (len < kRtpFixedHeader) return Error::TooShort;
  if ((p[0] >> 6) != 2) return Error::BadHeader;
  size_t h = kRtpFixedHeader + 4 * static_cast<size_t>(p[0] & 0x0f);
  if (p[0] & 0x10) {
    if (h + 4 > len) return Error::BadHeader;
    h += 4 + 4 * static_cast<size_t>(util::loadBe16(p + h + 2));
  }
  if (h > len) return Error::BadHeader;
  out->length = h;
  out->seq = util::loadBe16(p + 2);
  out->ssrc = util::loadBe32(p + 8);
  return Error::Ok;
}

void checkLength(const char* what, util::ConstBytes bytes, size_t expected) {
  if (bytes.size() != expected) {
    throw std::invalid_argument(std::string("SRTP: ") + what + " must be " +
                                std::to_string(expected) + " bytes, got " +
                                std::to_string(bytes.size()));
  }
}

}  // namespace

SrtpSession::SrtpSession(Profile profile, util::ConstBytes masterKey, util::ConstBytes masterSalt,
                         Direction direction, size_t maxStreams) {
  checkLength("master key", masterKey, masterKeyLength(profile));
  checkLength("master salt", masterSalt, masterSaltLength(profile));
  SessionKeys rtpKeys = deriveSessionKeys(profile, masterKey, masterSalt, false);
  SessionKeys rtcpKeys = deriveSessionKeys(profile, masterKey, masterSalt, true);
  impl_ = std::make_unique<Impl>(profile, rtpKeys, rtcpKeys, direction, maxStreams);
  OPENSSL_cleanse(&rtpKeys, sizeof rtpKeys);
  OPENSSL_cleanse(&rtcpKeys, sizeof rtcpKeys);
}

SrtpSession::SrtpSession(Profile profile, const SessionKeys& rtpKeys, const SessionKeys& rtcpKeys,
                         Direction direction, size_t maxStreams)
    : impl_(std::make_unique<Impl>(profile, rtpKeys, rtcpKeys, direction, maxStreams)) {}

SrtpSession::~SrtpSession() = default;
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;

Profile SrtpSession::profile() const { return impl_->profile; }
SrtpSession::Direction SrtpSession::direction() const { return impl_->direction; }
size_t SrtpSession::streamCount() const { return impl_->streams.size(); }
uint64_t SrtpSession::evictedStreams() const { return impl_->streams.evictions(); }

uint32_t SrtpSession::rolloverCounter(uint32_t ssrc) const {
  const StreamState* s = std::as_const(impl_->streams).find(ssrc);
  return s && !s->rtp.empty() ? rocOf(s->rtp.highest()) : 0;
}

Error SrtpSession::protectRtp(const uint8_t* src, size_t headLen, const uint8_t* tail,
                              size_t tailLen, uint8_t* dst, size_t cap, size_t* outLen) {
  Impl& m = *impl_;
  if (m.direction != Direction::Outbound) return Error::CipherFailed;
  RtpHeader h;
  if (Error e = parseRtpHeader(src, headLen, &h); e != Error::Ok) return e;
  const size_t len = headLen + tailLen;
  const size_t tagLen = m.gcm ? PacketCipher::kGcmTagLength : kHmacTagLength;
  if (cap < len + tagLen) return Error::NoSpace;

  // RFC 3711 §3.3.1: the sender's ROC counts wraps of its own sequence numbers. The same index
  // guess as the receiver's keeps a retransmitted older packet on its original ROC.
  StreamState& s = m.streams.findOrInsert(h.ssrc);
  uint64_t index = h.seq;
  if (!s.rtp.empty()) {
    const int64_t guess = guessRtpIndex(s.rtp.highest(), h.seq);
    if (guess < 0) return Error::ReplayOld;
    index = static_cast<uint64_t>(guess);
  }
  const uint32_t roc = rocOf(index);

  if (dst != src) std::memcpy(dst, src, h.length);
  // The payload: the rest of head, then tail.
  const uint8_t* payload = src + h.length;
  const size_t headPayloadLen = headLen - h.length;
  if (m.gcm) {
    uint8_t iv[12];
    gcmRtpIv(m.rtp.salt(), h.ssrc, roc, h.seq, iv);
    if (!m.rtp.gcmSeal(iv, dst, h.length, nullptr, 0, payload, headPayloadLen, tail, tailLen,
                       dst + h.length, dst + len)) {
      return Error::CipherFailed;
    }
  } else {
    uint8_t iv[16];
    aesCmIv(m.rtp.salt(), h.ssrc, index, iv);
    if (!m.rtp.ctrXor(iv, payload, headPayloadLen, tail, tailLen, dst + h.length)) {
      return Error::CipherFailed;
    }
    // RFC 3711 §4.2: the tag covers the authenticated portion followed by the ROC.
    uint8_t rocBytes[4];
    util::storeBe32(rocBytes, roc);
    uint8_t mac[PacketCipher::kHmacSha1Length];
    m.rtp.hmacSha1(dst, len, rocBytes, sizeof rocBytes, mac);
    std::memcpy(dst + len, mac, kHmacTagLength);
  }
  s.rtp.accept(index);
  *outLen = len + tagLen;
  return Error::Ok;
}

Error SrtpSession::unprotectRtp(uint8_t* buf, size_t len, size_t* outLen) {
  Impl& m = *impl_;
  if (m.direction != Direction::Inbound) return Error::CipherFailed;
  const size_t tagLen = m.gcm ? PacketCipher::kGcmTagLength : kHmacTagLength;
  if (len < kRtpFixedHeader + tagLen) return Error::TooShort;
  const size_t bodyLen = len - tagLen;  // header + encrypted payload
  RtpHeader h;
  if (Error e = parseRtpHeader(buf, bodyLen, &h); e != Error::Ok) return e;

  // RFC 3711 §3.3: estimate the index and check the replay window, read-only until the packet
  // has authenticated.
  StreamState* s = m.streams.find(h.ssrc);
  uint64_t index = h.seq;  // a new stream starts at ROC 0
  if (s && !s->rtp.empty()) {
    const int64_t guess = guessRtpIndex(s->rtp.highest(), h.seq);
    if (guess < 0) return Error::ReplayOld;
    index = static_cast<uint64_t>(guess);
    switch (s->rtp.check(index)) {
      case ReplayWindow::Verdict::Old:
        return Error::ReplayOld;
      case ReplayWindow::Verdict::Duplicate:
        return Error::ReplayDuplicate;
      case ReplayWindow::Verdict::New:
        break;
    }
  }
  const uint32_t roc = rocOf(index);
  const size_t payloadLen = bodyLen - h.length;

  if (m.gcm) {
    uint8_t iv[12];
    gcmRtpIv(m.rtp.salt(), h.ssrc, roc, h.seq, iv);
    if (!m.rtp.gcmOpen(iv, buf, h.length, nullptr, 0, buf + h.length, payloadLen, buf + bodyLen)) {
      return Error::AuthFailed;
    }
  } else {
    uint8_t rocBytes[4];
    util::storeBe32(rocBytes, roc);
    uint8_t mac[PacketCipher::kHmacSha1Length];
    m.rtp.hmacSha1(buf, bodyLen, rocBytes, sizeof rocBytes, mac);
    if (CRYPTO_memcmp(mac, buf + bodyLen, kHmacTagLength) != 0) return Error::AuthFailed;
    uint8_t iv[16];
    aesCmIv(m.rtp.salt(), h.ssrc, index, iv);
    if (!m.rtp.ctrXor(iv, buf + h.length, payloadLen, buf + h.length)) {
      return Error::CipherFailed;
    }
  }
  if (s) {
    m.streams.touch(*s);
  } else {
    s = &m.streams.insert(h.ssrc);
  }
  s->rtp.accept(index);
  *outLen = bodyLen;
  return Error::Ok;
}

}  // namespace treff::srtp
