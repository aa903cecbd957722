// Interop with Debian's libsrtp2 as the oracle: each side protects, the other unprotects, on
// both profiles, RTP and RTCP, across the ROC 0 -> 1 wrap, with CSRCs and header extensions.
#ifdef TREFF_HAVE_LIBSRTP2

#include <gtest/gtest.h>
#include <srtp2/srtp.h>

#include <cstring>

#include "srtp/srtp_session.hpp"
#include "test_support.hpp"

namespace treff::srtp {
namespace {

using test::Bytes;
using Direction = SrtpSession::Direction;

class LibSrtp {
 public:
  // rtcpEncrypt = false asks libsrtp for authenticated-only SRTCP (E = 0).
  LibSrtp(Profile profile, const Bytes& key, const Bytes& salt, bool inbound,
          bool rtcpEncrypt = true) {
    static const bool initialised = srtp_init() == srtp_err_status_ok;
    EXPECT_TRUE(initialised);
    srtp_policy_t policy;
    std::memset(&policy, 0, sizeof policy);
    if (profile == Profile::AeadAes128Gcm) {
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
    } else {
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
    }
    if (!rtcpEncrypt) policy.rtcp.sec_serv = sec_serv_auth;
    keyAndSalt_ = key;
    keyAndSalt_.insert(keyAndSalt_.end(), salt.begin(), salt.end());
    policy.key = keyAndSalt_.data();
    policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    policy.window_size = 128;
    EXPECT_EQ(srtp_create(&session_, &policy), srtp_err_status_ok);
  }
  ~LibSrtp() { srtp_dealloc(session_); }

  Bytes protect(Bytes packet, bool rtcp) {
    int len = static_cast<int>(packet.size());
    packet.resize(packet.size() + SRTP_MAX_TRAILER_LEN);
    const srtp_err_status_t e = rtcp ? srtp_protect_rtcp(session_, packet.data(), &len)
                                     : srtp_protect(session_, packet.data(), &len);
    EXPECT_EQ(e, srtp_err_status_ok);
    packet.resize(static_cast<size_t>(len));
    return packet;
  }
  srtp_err_status_t unprotect(Bytes* packet, bool rtcp) {
    int len = static_cast<int>(packet->size());
    const srtp_err_status_t e = rtcp ? srtp_unprotect_rtcp(session_, packet->data(), &len)
                                     : srtp_unprotect(session_, packet->data(), &len);
    if (e == srtp_err_status_ok) packet->resize(static_cast<size_t>(len));
    return e;
  }

 private:
  srtp_t session_ = nullptr;
  Bytes keyAndSalt_;
};

Bytes keyFor(uint8_t seed) {
  Bytes k(16);
  for (size_t i = 0; i < k.size(); ++i) k[i] = static_cast<uint8_t>(seed * 31 + i * 13);
  return k;
}
Bytes saltFor(Profile p, uint8_t seed) {
  Bytes s(masterSaltLength(p));
  for (size_t i = 0; i < s.size(); ++i) s[i] = static_cast<uint8_t>(seed * 17 + i * 29 + 1);
  return s;
}

// RTP with CSRCs, a two-byte-header extension (RFC 8285 §4.3), padding-free payload.
Bytes makeRtp(uint32_t ssrc, uint16_t seq, size_t payloadLen, int csrcs) {
  Bytes p = {static_cast<uint8_t>(0x90 | csrcs), 0x6f, 0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0, 0, 0};
  util::storeBe16(&p[2], seq);
  util::storeBe32(&p[8], ssrc);
  for (int i = 0; i < csrcs; ++i) {
    for (int b = 0; b < 4; ++b) p.push_back(static_cast<uint8_t>(0xc0 + i * 4 + b));
  }
  const Bytes ext = {0x10, 0x00, 0x00, 0x02, 0x03, 0x02, 0xaa, 0xbb, 0x07, 0x00, 0x00, 0x00};
  p.insert(p.end(), ext.begin(), ext.end());
  for (size_t i = 0; i < payloadLen; ++i) p.push_back(static_cast<uint8_t>(i ^ seq));
  return p;
}

Bytes makeSenderReport(uint32_t ssrc, uint32_t n) {
  Bytes p = {0x80, 0xc8, 0x00, 0x06};
  p.resize(28);
  util::storeBe32(&p[4], ssrc);
  util::storeBe32(&p[8], 0xe1000000u + n);  // NTP seconds
  util::storeBe32(&p[16], n * 960);         // RTP timestamp
  util::storeBe32(&p[20], n);               // packet count
  util::storeBe32(&p[24], n * 1000);        // octet count
  return p;
}

class LibSrtpOracleTest : public ::testing::TestWithParam<Profile> {
 protected:
  Profile profile() const { return GetParam(); }
  Bytes key = keyFor(3);
  Bytes salt = saltFor(GetParam(), 5);

  // The wrap case: sequence 65500 .. 65535, 0 .. 63 (ROC 0 -> 1), payload sizes varied.
  std::vector<Bytes> wrappingRtp(uint32_t ssrc) {
    std::vector<Bytes> out;
    for (uint32_t i = 0; i < 100; ++i) {
      out.push_back(makeRtp(ssrc, static_cast<uint16_t>(65500 + i), 1 + (i * 37) % 1200,
                            static_cast<int>(i % 4)));
    }
    return out;
  }
};

TEST_P(LibSrtpOracleTest, LibSrtpUnprotectsOurRtpAcrossWrap) {
  SrtpSession ours(profile(), key, salt, Direction::Outbound);
  LibSrtp theirs(profile(), key, salt, /*inbound=*/true);
  for (const Bytes& rtp : wrappingRtp(0x11223344)) {
    Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
    size_t len = 0;
    ASSERT_EQ(ours.protectRtp(rtp.data(), rtp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    ASSERT_EQ(theirs.unprotect(&out, false), srtp_err_status_ok) << util::loadBe16(&rtp[2]);
    ASSERT_EQ(out, rtp);
  }
  EXPECT_EQ(ours.rolloverCounter(0x11223344), 1u);
}

TEST_P(LibSrtpOracleTest, WeUnprotectLibSrtpRtpAcrossWrap) {
  LibSrtp theirs(profile(), key, salt, /*inbound=*/false);
  SrtpSession ours(profile(), key, salt, Direction::Inbound);
  for (const Bytes& rtp : wrappingRtp(0x55667788)) {
    Bytes srtp = theirs.protect(rtp, false);
    size_t len = 0;
    ASSERT_EQ(ours.unprotectRtp(srtp.data(), srtp.size(), &len), Error::Ok)
        << util::loadBe16(&rtp[2]);
    srtp.resize(len);
    ASSERT_EQ(srtp, rtp);
  }
  EXPECT_EQ(ours.rolloverCounter(0x55667788), 1u);
}

TEST_P(LibSrtpOracleTest, BothWaysOnCapturedChromiumPackets) {
  const test::CapturedPackets capture = test::loadChromiumCapture();
  ASSERT_FALSE(capture.rtp.empty());
  SrtpSession ourTx(profile(), key, salt, Direction::Outbound);
  SrtpSession ourRx(profile(), key, salt, Direction::Inbound);
  LibSrtp theirRx(profile(), key, salt, true), theirTx(profile(), key, salt, false);
  for (const Bytes& rtp : capture.rtp) {
    Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
    size_t len = 0;
    ASSERT_EQ(ourTx.protectRtp(rtp.data(), rtp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    Bytes fromLib = theirTx.protect(rtp, false);
    ASSERT_EQ(out, fromLib);  // same keys, same index: byte-identical SRTP
    ASSERT_EQ(theirRx.unprotect(&out, false), srtp_err_status_ok);
    ASSERT_EQ(out, rtp);
    ASSERT_EQ(ourRx.unprotectRtp(fromLib.data(), fromLib.size(), &len), Error::Ok);
    fromLib.resize(len);
    ASSERT_EQ(fromLib, rtp);
  }
  for (const Bytes& rtcp : capture.rtcp) {
    Bytes out(rtcp.size() + SrtpSession::kMaxRtcpOverhead);
    size_t len = 0;
    ASSERT_EQ(ourTx.protectRtcp(rtcp.data(), rtcp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    ASSERT_EQ(theirRx.unprotect(&out, true), srtp_err_status_ok);
    ASSERT_EQ(out, rtcp);
    Bytes fromLib = theirTx.protect(rtcp, true);
    ASSERT_EQ(ourRx.unprotectRtcp(fromLib.data(), fromLib.size(), &len), Error::Ok);
    fromLib.resize(len);
    ASSERT_EQ(fromLib, rtcp);
  }
}

TEST_P(LibSrtpOracleTest, RtcpBothWays) {
  SrtpSession ourTx(profile(), key, salt, Direction::Outbound);
  SrtpSession ourRx(profile(), key, salt, Direction::Inbound);
  LibSrtp theirRx(profile(), key, salt, true), theirTx(profile(), key, salt, false);
  for (uint32_t n = 0; n < 300; ++n) {
    const Bytes rtcp = makeSenderReport(0xabcdef01, n);
    Bytes out(rtcp.size() + SrtpSession::kMaxRtcpOverhead);
    size_t len = 0;
    ASSERT_EQ(ourTx.protectRtcp(rtcp.data(), rtcp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    ASSERT_EQ(theirRx.unprotect(&out, true), srtp_err_status_ok) << n;
    ASSERT_EQ(out, rtcp);
    Bytes fromLib = theirTx.protect(rtcp, true);
    ASSERT_EQ(ourRx.unprotectRtcp(fromLib.data(), fromLib.size(), &len), Error::Ok) << n;
    fromLib.resize(len);
    ASSERT_EQ(fromLib, rtcp);
  }
}

TEST_P(LibSrtpOracleTest, WeUnprotectLibSrtpAuthenticatedOnlyRtcp) {
  LibSrtp theirTx(profile(), key, salt, false, /*rtcpEncrypt=*/false);
  SrtpSession ourRx(profile(), key, salt, Direction::Inbound);
  for (uint32_t n = 0; n < 5; ++n) {
    const Bytes rtcp = makeSenderReport(0x0badcafe, n);
    Bytes srtcp = theirTx.protect(rtcp, true);
    const size_t wordAt =
        profile() == Profile::AeadAes128Gcm ? srtcp.size() - 4 : srtcp.size() - 14;
    ASSERT_EQ(srtcp[wordAt] & 0x80, 0);  // E = 0
    size_t len = 0;
    ASSERT_EQ(ourRx.unprotectRtcp(srtcp.data(), srtcp.size(), &len), Error::Ok);
    srtcp.resize(len);
    ASSERT_EQ(srtcp, rtcp);
  }
}

TEST_P(LibSrtpOracleTest, LibSrtpRejectsOurPacketWithWrongKey) {
  SrtpSession ours(profile(), key, salt, Direction::Outbound);
  LibSrtp theirs(profile(), keyFor(4), salt, true);
  const Bytes rtp = makeRtp(9, 9, 100, 1);
  Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
  size_t len = 0;
  ASSERT_EQ(ours.protectRtp(rtp.data(), rtp.size(), out.data(), out.size(), &len), Error::Ok);
  out.resize(len);
  EXPECT_EQ(theirs.unprotect(&out, false), srtp_err_status_auth_fail);
}

INSTANTIATE_TEST_SUITE_P(BothProfiles, LibSrtpOracleTest,
                         ::testing::Values(Profile::Aes128CmHmacSha1_80, Profile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == Profile::AeadAes128Gcm ? "Gcm" : "AesCm";
                         });

}  // namespace
}  // namespace treff::srtp

#endif  // TREFF_HAVE_LIBSRTP2
