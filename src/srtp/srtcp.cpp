// SrtpSession's SRTCP half: RFC 3711 §3.4 (AES-CM) and RFC 7714 §9 (GCM).
//
// AES-CM:  header(8) | encrypted rest | E+index(4) | HMAC-SHA1-80 tag(10)
// GCM:     header(8) | encrypted rest | GCM tag(16) | E+index(4), AAD = header | E+index
#include <openssl/crypto.h>

#include <cstring>

#include "srtp/packet_iv.hpp"
#include "srtp/session_impl.hpp"

namespace treff::srtp {
namespace {

constexpr size_t kRtcpHeader = 8;  // V/P/RC, PT, length, sender SSRC: never encrypted
constexpr size_t kIndexWord = 4;
constexpr size_t kHmacTagLength = 10;
constexpr uint32_t kEncryptedFlag = 0x80000000u;
constexpr uint32_t kIndexMask = 0x7fffffffu;

size_t trailerLength(bool gcm) {
  return kIndexWord + (gcm ? PacketCipher::kGcmTagLength : kHmacTagLength);
}

}  // namespace

Error SrtpSession::protectRtcp(const uint8_t* src, size_t len, uint8_t* dst, size_t cap,
                               size_t* outLen) {
  Impl& m = *impl_;
  if (m.direction != Direction::Outbound) return Error::CipherFailed;
  if (len < kRtcpHeader) return Error::TooShort;
  if ((src[0] >> 6) != 2) return Error::BadHeader;
  const size_t trailer = trailerLength(m.gcm);
  if (cap < len + trailer) return Error::NoSpace;

  const uint32_t ssrc = util::loadBe32(src + 4);
  StreamState& s = m.streams.findOrInsert(ssrc);
  // RFC 3711 §3.4: the index starts at zero and counts this SSRC's SRTCP packets. It has 31
  // bits and must not wrap (that would reuse IVs): past it the key needs replacing.
  if (s.rtcpNextIndex > kIndexMask) return Error::CipherFailed;
  const uint32_t index = s.rtcpNextIndex;
  uint8_t word[kIndexWord];
  util::storeBe32(word, kEncryptedFlag | index);

  if (dst != src) std::memcpy(dst, src, kRtcpHeader);
  const size_t bodyLen = len - kRtcpHeader;
  if (m.gcm) {
    uint8_t iv[12];
    gcmRtcpIv(m.rtcp.salt(), ssrc, index, iv);
    if (!m.rtcp.gcmSeal(iv, dst, kRtcpHeader, word, kIndexWord, src + kRtcpHeader, bodyLen,
                        dst + kRtcpHeader, dst + len)) {
      return Error::CipherFailed;
    }
    std::memcpy(dst + len + PacketCipher::kGcmTagLength, word, kIndexWord);
  } else {
    uint8_t iv[16];
    aesCmIv(m.rtcp.salt(), ssrc, index, iv);
    if (!m.rtcp.ctrXor(iv, src + kRtcpHeader, bodyLen, dst + kRtcpHeader)) {
      return Error::CipherFailed;
    }
    std::memcpy(dst + len, word, kIndexWord);
    uint8_t mac[PacketCipher::kHmacSha1Length];
    m.rtcp.hmacSha1(dst, len + kIndexWord, nullptr, 0, mac);
    std::memcpy(dst + len + kIndexWord, mac, kHmacTagLength);
  }
  s.rtcpNextIndex = index + 1;
  *outLen = len + trailer;
  return Error::Ok;
}

Error SrtpSession::unprotectRtcp(uint8_t* buf, size_t len, size_t* outLen) {
  Impl& m = *impl_;
  if (m.direction != Direction::Inbound) return Error::CipherFailed;
  const size_t trailer = trailerLength(m.gcm);
  if (len < kRtcpHeader + trailer) return Error::TooShort;
  if ((buf[0] >> 6) != 2) return Error::BadHeader;

  const size_t plainLen = len - trailer;
  const uint8_t* wordPtr = m.gcm ? buf + len - kIndexWord : buf + plainLen;
  const uint32_t word = util::loadBe32(wordPtr);
  const bool encrypted = (word & kEncryptedFlag) != 0;
  const uint32_t index = word & kIndexMask;
  const uint32_t ssrc = util::loadBe32(buf + 4);

  StreamState* s = m.streams.find(ssrc);
  if (s) {
    switch (s->rtcp.check(index)) {
      case ReplayWindow::Verdict::Old:
        return Error::ReplayOld;
      case ReplayWindow::Verdict::Duplicate:
        return Error::ReplayDuplicate;
      case ReplayWindow::Verdict::New:
        break;
    }
  }

  if (m.gcm) {
    uint8_t iv[12];
    gcmRtcpIv(m.rtcp.salt(), ssrc, index, iv);
    const uint8_t* tag = buf + plainLen;
    // RFC 7714 §9.2/§9.3: with E = 0 the whole packet is AAD and nothing is encrypted.
    const size_t aadLen = encrypted ? kRtcpHeader : plainLen;
    const size_t cipherLen = encrypted ? plainLen - kRtcpHeader : 0;
    if (!m.rtcp.gcmOpen(iv, buf, aadLen, wordPtr, kIndexWord, buf + kRtcpHeader, cipherLen, tag)) {
      return Error::AuthFailed;
    }
  } else {
    uint8_t mac[PacketCipher::kHmacSha1Length];
    m.rtcp.hmacSha1(buf, plainLen + kIndexWord, nullptr, 0, mac);
    if (CRYPTO_memcmp(mac, buf + plainLen + kIndexWord, kHmacTagLength) != 0) {
      return Error::AuthFailed;
    }
    if (encrypted) {
      uint8_t iv[16];
      aesCmIv(m.rtcp.salt(), ssrc, index, iv);
      if (!m.rtcp.ctrXor(iv, buf + kRtcpHeader, plainLen - kRtcpHeader, buf + kRtcpHeader)) {
        return Error::CipherFailed;
      }
    }
  }
  if (s) {
    m.streams.touch(*s);
  } else {
    s = &m.streams.insert(ssrc);
  }
  s->rtcp.accept(index);
  *outLen = plainLen;
  return Error::Ok;
}

}  // namespace treff::srtp
