// RFC 3711 Appendix B.2/B.3 and RFC 7714 §16/§17 test vectors, typed in from the RFC text.
#include <gtest/gtest.h>

#include <cstring>

#include "srtp/key_derivation.hpp"
#include "srtp/packet_cipher.hpp"
#include "srtp/packet_iv.hpp"
#include "srtp/srtp_session.hpp"
#include "test_support.hpp"

namespace treff::srtp {
namespace {

using test::Bytes;
using test::hex;

const Bytes kB3MasterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139");
const Bytes kB3MasterSalt = hex("0EC675AD498AFEEBB6960B3AABE6");

TEST(KeyDerivation, MatchesRfc3711B3CipherKey) {
  Bytes out(16);
  deriveKey(kB3MasterKey, kB3MasterSalt, KeyLabel::RtpCipher, out);
  EXPECT_EQ(out, hex("C61E7A93744F39EE10734AFE3FF7A087"));
}

TEST(KeyDerivation, MatchesRfc3711B3CipherSalt) {
  Bytes out(14);
  deriveKey(kB3MasterKey, kB3MasterSalt, KeyLabel::RtpSalt, out);
  EXPECT_EQ(out, hex("30CBBC08863D8C85D49DB34A9AE1"));
}

TEST(KeyDerivation, MatchesRfc3711B3FullAuthKey) {
  // B.3 derives 94 octets of auth key; HMAC-SHA1 uses the first 20.
  Bytes out(94);
  deriveKey(kB3MasterKey, kB3MasterSalt, KeyLabel::RtpAuth, out);
  EXPECT_EQ(out, hex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
                     "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
                     "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"));
}

TEST(KeyDerivation, SessionKeysTakeTheRtpLabels) {
  const SessionKeys keys =
      deriveSessionKeys(Profile::Aes128CmHmacSha1_80, kB3MasterKey, kB3MasterSalt, false);
  EXPECT_EQ(Bytes(keys.cipherKey.begin(), keys.cipherKey.end()),
            hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(Bytes(keys.salt.begin(), keys.salt.end()), hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(Bytes(keys.authKey.begin(), keys.authKey.end()),
            hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
  const SessionKeys rtcp =
      deriveSessionKeys(Profile::Aes128CmHmacSha1_80, kB3MasterKey, kB3MasterSalt, true);
  EXPECT_NE(rtcp.cipherKey, keys.cipherKey);
  EXPECT_NE(rtcp.salt, keys.salt);
  EXPECT_NE(rtcp.authKey, keys.authKey);
}

TEST(KeyDerivation, RejectsWrongMasterKeyLength) {
  Bytes out(16);
  EXPECT_THROW(deriveKey(Bytes(15), kB3MasterSalt, KeyLabel::RtpCipher, out),
               std::invalid_argument);
  EXPECT_THROW(deriveKey(kB3MasterKey, Bytes(15), KeyLabel::RtpCipher, out), std::invalid_argument);
}

TEST(AesCm, KeystreamMatchesRfc3711B2) {
  SessionKeys keys;
  const Bytes key = hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const Bytes salt = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD");
  std::memcpy(keys.cipherKey.data(), key.data(), 16);
  std::memcpy(keys.salt.data(), salt.data(), 14);
  PacketCipher cipher(Profile::Aes128CmHmacSha1_80, keys, true);
  uint8_t iv[16];
  aesCmIv(cipher.salt(), /*ssrc=*/0, /*index=*/0, iv);
  EXPECT_EQ(Bytes(iv, iv + 16), hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"));

  // 65282 AES blocks of keystream: encrypt zeros.
  const size_t blocks = 65282;
  Bytes zeros(blocks * 16, 0), stream(blocks * 16);
  ASSERT_TRUE(cipher.ctrXor(iv, zeros.data(), zeros.size(), stream.data()));
  auto block = [&](size_t n) {
    return Bytes(stream.begin() + n * 16, stream.begin() + n * 16 + 16);
  };
  EXPECT_EQ(block(0), hex("E03EAD0935C95E80E166B16DD92B4EB4"));
  EXPECT_EQ(block(1), hex("D23513162B02D0F72A43A2FE4A5F97AB"));
  EXPECT_EQ(block(2), hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
  EXPECT_EQ(block(0xFEFF), hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
  EXPECT_EQ(block(0xFF00), hex("362B7C3C6773516318A077D7FC5073AE"));
  EXPECT_EQ(block(0xFF01), hex("6A2CC3787889374FBEB4C81B17BA6C44"));
}

// RFC 7714 §16/§17 give the session key and salt directly.
SessionKeys rfc7714Keys() {
  SessionKeys keys;
  const Bytes key = hex("000102030405060708090a0b0c0d0e0f");
  const Bytes salt = hex("517569642070726f2071756f");
  std::memcpy(keys.cipherKey.data(), key.data(), 16);
  std::memcpy(keys.salt.data(), salt.data(), 12);
  return keys;
}

SrtpSession rfc7714Session(SrtpSession::Direction direction) {
  return SrtpSession(Profile::AeadAes128Gcm, rfc7714Keys(), rfc7714Keys(), direction);
}

const Bytes kRfc7714Rtp =
    hex("8040f17b 8041f8d3 5501a0b2 47616c6c 69612065 7374206f 6d6e6973 20646976"
        "69736120 696e2070 61727465 73207472 6573");
const Bytes kRfc7714Srtp =
    hex("8040f17b 8041f8d3 5501a0b2 f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5"
        "0d294e6f 42a5f47a 51c7d19b 36de3adf 8833899d 7f27beb1 6a9152cf 765ee439 0cce");
const Bytes kRfc7714Rtcp =
    hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
        "deadbeef deadbeef deadbeef deadbeef deadbeef");
const Bytes kRfc7714SrtcpEncrypted =
    hex("81c8000d 4d617273 63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d"
        "c676a5f1 730d6fda 4ce09b46 86303ded 0bb9275b c84aa458 96cf4d2f c5abf872"
        "45d9eade 800005d4");
const Bytes kRfc7714SrtcpTagOnly =
    hex("81c8000d 4d617273 4e545031 4e545032 52545020 0000042a 0000e930 4c756e61"
        "deadbeef deadbeef deadbeef deadbeef deadbeef 841dd968 3dd78ec9 2ae58790"
        "125f62b3 000005d4");

TEST(Rfc7714, IvsMatchSection16And17) {
  const SessionKeys keys = rfc7714Keys();
  uint8_t iv[12];
  gcmRtpIv(keys.salt.data(), 0x5501a0b2, 0, 0xf17b, iv);
  EXPECT_EQ(Bytes(iv, iv + 12), hex("51753c6580c2726f20718414"));
  gcmRtcpIv(keys.salt.data(), 0x4d617273, 0x5d4, iv);
  EXPECT_EQ(Bytes(iv, iv + 12), hex("517524055203726f207170bb"));
}

TEST(Rfc7714, ProtectsSection16RtpPacket) {
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Outbound);
  Bytes out(kRfc7714Rtp.size() + SrtpSession::kMaxRtpOverhead);
  size_t outLen = 0;
  ASSERT_EQ(
      session.protectRtp(kRfc7714Rtp.data(), kRfc7714Rtp.size(), out.data(), out.size(), &outLen),
      Error::Ok);
  out.resize(outLen);
  EXPECT_EQ(out, kRfc7714Srtp);
}

TEST(Rfc7714, UnprotectsSection16RtpPacket) {
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Inbound);
  Bytes buf = kRfc7714Srtp;
  size_t outLen = 0;
  ASSERT_EQ(session.unprotectRtp(buf.data(), buf.size(), &outLen), Error::Ok);
  buf.resize(outLen);
  EXPECT_EQ(buf, kRfc7714Rtp);
}

TEST(Rfc7714, UnprotectsSection17EncryptedRtcp) {
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Inbound);
  Bytes buf = kRfc7714SrtcpEncrypted;
  size_t outLen = 0;
  ASSERT_EQ(session.unprotectRtcp(buf.data(), buf.size(), &outLen), Error::Ok);
  buf.resize(outLen);
  EXPECT_EQ(buf, kRfc7714Rtcp);
}

TEST(Rfc7714, UnprotectsSection17TagOnlyRtcp) {
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Inbound);
  Bytes buf = kRfc7714SrtcpTagOnly;
  size_t outLen = 0;
  ASSERT_EQ(session.unprotectRtcp(buf.data(), buf.size(), &outLen), Error::Ok);
  buf.resize(outLen);
  EXPECT_EQ(buf, kRfc7714Rtcp);
}

TEST(Rfc7714, ProtectsSection17RtcpAtIndex0x5d4) {
  // The SRTCP index counts from zero, so the 0x5d5th packet of the SSRC carries 0x5d4.
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Outbound);
  Bytes out(kRfc7714Rtcp.size() + SrtpSession::kMaxRtcpOverhead);
  size_t outLen = 0;
  for (int i = 0; i < 0x5d4; ++i) {
    ASSERT_EQ(session.protectRtcp(kRfc7714Rtcp.data(), kRfc7714Rtcp.size(), out.data(), out.size(),
                                  &outLen),
              Error::Ok);
  }
  ASSERT_EQ(session.protectRtcp(kRfc7714Rtcp.data(), kRfc7714Rtcp.size(), out.data(), out.size(),
                                &outLen),
            Error::Ok);
  out.resize(outLen);
  EXPECT_EQ(out, kRfc7714SrtcpEncrypted);
}

TEST(Rfc7714, RejectsSection17PacketWithFlippedEncryptionFlag) {
  SrtpSession session = rfc7714Session(SrtpSession::Direction::Inbound);
  Bytes buf = kRfc7714SrtcpEncrypted;
  buf[buf.size() - 4] ^= 0x80;  // E is authenticated (AAD)
  size_t outLen = 0;
  EXPECT_EQ(session.unprotectRtcp(buf.data(), buf.size(), &outLen), Error::AuthFailed);
}

}  // namespace
}  // namespace treff::srtp
