// SrtpSession behaviour on both profiles: round trips on captured Chromium packets, replay and
// tamper rejection, malformed input, ROC across the sequence wrap, stream table policy.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "srtp/srtp_session.hpp"
#include "test_support.hpp"

namespace treff::srtp {
namespace {

using test::Bytes;
using Direction = SrtpSession::Direction;

Bytes masterKey() {
  return Bytes{0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87,
               0x98, 0xa9, 0xba, 0xcb, 0xdc, 0xed, 0xfe, 0x0f};
}
Bytes masterSalt(Profile p) {
  Bytes salt(masterSaltLength(p));
  for (size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<uint8_t>(0xa0 + i);
  return salt;
}

// An RTP packet with two CSRCs and a one-byte header extension (RFC 8285).
Bytes makeRtp(uint32_t ssrc, uint16_t seq, size_t payloadLen) {
  Bytes p = {0x92, 0x60, 0,    0,    0x00, 0x01, 0xe2, 0x40, 0,    0,
             0,    0,    0x11, 0x11, 0x11, 0x11, 0x22, 0x22, 0x22, 0x22,  // CSRCs
             0xbe, 0xde, 0x00, 0x02, 0x12, 0xab, 0xcd, 0x31,              // extension
             0x00, 0x05, 0x00, 0x00};
  util::storeBe16(&p[2], seq);
  util::storeBe32(&p[8], ssrc);
  for (size_t i = 0; i < payloadLen; ++i) p.push_back(static_cast<uint8_t>(i * 7 + seq));
  return p;
}

// A receiver report with one report block.
Bytes makeRtcp(uint32_t ssrc) {
  Bytes p = {0x81, 0xc9, 0x00, 0x07, 0, 0, 0, 0};
  util::storeBe32(&p[4], ssrc);
  for (int i = 0; i < 24; ++i) p.push_back(static_cast<uint8_t>(0x40 + i));
  return p;
}

class SrtpSessionTest : public ::testing::TestWithParam<Profile> {
 protected:
  Profile profile() const { return GetParam(); }
  SrtpSession make(Direction d, size_t maxStreams = SrtpSession::kDefaultMaxStreams) {
    return SrtpSession(profile(), masterKey(), masterSalt(profile()), d, maxStreams);
  }
  Bytes protect(SrtpSession& s, const Bytes& rtp) {
    Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
    size_t len = 0;
    EXPECT_EQ(s.protectRtp(rtp.data(), rtp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    return out;
  }
  Bytes protectRtcp(SrtpSession& s, const Bytes& rtcp) {
    Bytes out(rtcp.size() + SrtpSession::kMaxRtcpOverhead);
    size_t len = 0;
    EXPECT_EQ(s.protectRtcp(rtcp.data(), rtcp.size(), out.data(), out.size(), &len), Error::Ok);
    out.resize(len);
    return out;
  }
  Error unprotect(SrtpSession& s, Bytes packet, Bytes* plain = nullptr) {
    size_t len = 0;
    Error e = s.unprotectRtp(packet.data(), packet.size(), &len);
    if (plain && e == Error::Ok) *plain = Bytes(packet.begin(), packet.begin() + long(len));
    return e;
  }
  Error unprotectRtcp(SrtpSession& s, Bytes packet, Bytes* plain = nullptr) {
    size_t len = 0;
    Error e = s.unprotectRtcp(packet.data(), packet.size(), &len);
    if (plain && e == Error::Ok) *plain = Bytes(packet.begin(), packet.begin() + long(len));
    return e;
  }
};

TEST_P(SrtpSessionTest, RoundTripsCapturedChromiumPackets) {
  const test::CapturedPackets capture = test::loadChromiumCapture();
  ASSERT_GT(capture.rtp.size(), 100u);
  ASSERT_GT(capture.rtcp.size(), 5u);
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  for (const Bytes& rtp : capture.rtp) {
    const Bytes srtp = protect(tx, rtp);
    ASSERT_EQ(srtp.size(), rtp.size() + rtpTagLength(profile()));
    Bytes plain;
    ASSERT_EQ(unprotect(rx, srtp, &plain), Error::Ok);
    ASSERT_EQ(plain, rtp);
  }
  for (const Bytes& rtcp : capture.rtcp) {
    const Bytes srtcp = protectRtcp(tx, rtcp);
    Bytes plain;
    ASSERT_EQ(unprotectRtcp(rx, srtcp, &plain), Error::Ok);
    ASSERT_EQ(plain, rtcp);
  }
}

TEST_P(SrtpSessionTest, ProtectIntoSeparateBufferMatchesInPlaceAndKeepsSource) {
  SrtpSession a = make(Direction::Outbound), b = make(Direction::Outbound);
  const Bytes rtp = makeRtp(0x1234, 100, 1200);
  const Bytes separate = protect(a, rtp);
  Bytes inPlace = rtp;
  inPlace.resize(rtp.size() + SrtpSession::kMaxRtpOverhead);
  size_t len = 0;
  ASSERT_EQ(b.protectRtp(inPlace.data(), rtp.size(), inPlace.data(), inPlace.size(), &len),
            Error::Ok);
  inPlace.resize(len);
  EXPECT_EQ(separate, inPlace);
  EXPECT_EQ(rtp, makeRtp(0x1234, 100, 1200));
  // Header in the clear, payload not.
  EXPECT_TRUE(std::equal(rtp.begin(), rtp.begin() + 32, separate.begin()));
  EXPECT_FALSE(std::equal(rtp.begin() + 32, rtp.end(), separate.begin() + 32));
}

TEST_P(SrtpSessionTest, ProtectFromTwoPiecesMatchesOneBufferAtEverySplit) {
  // The captured Chromium packets, each protected whole and from two pieces split at every
  // point from the end of its header on (inside and across cipher blocks): the same bytes.
  const test::CapturedPackets capture = test::loadChromiumCapture();
  int checked = 0;
  for (size_t i = 0; i < capture.rtp.size() && checked < 20; i += 7) {
    const Bytes& rtp = capture.rtp[i];
    const size_t headerLen =
        12 + 4 * (rtp[0] & 0x0f) +
        ((rtp[0] & 0x10) ? 4 + 4 * util::loadBe16(&rtp[12 + 4 * (rtp[0] & 0x0f) + 2]) : 0);
    ASSERT_LE(headerLen, rtp.size());
    for (size_t split = headerLen; split <= rtp.size(); ++split) {
      SrtpSession whole = make(Direction::Outbound), pieces = make(Direction::Outbound);
      const Bytes expected = protect(whole, rtp);
      Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
      size_t len = 0;
      ASSERT_EQ(pieces.protectRtp(rtp.data(), split, rtp.data() + split, rtp.size() - split,
                                  out.data(), out.size(), &len),
                Error::Ok);
      out.resize(len);
      ASSERT_EQ(out, expected) << "packet " << i << " split at " << split;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 20);
  // A head shorter than the RTP header is refused.
  SrtpSession s = make(Direction::Outbound);
  const Bytes rtp = makeRtp(0x1234, 100, 200);
  Bytes out(rtp.size() + SrtpSession::kMaxRtpOverhead);
  size_t len = 0;
  EXPECT_NE(
      s.protectRtp(rtp.data(), 8, rtp.data() + 8, rtp.size() - 8, out.data(), out.size(), &len),
      Error::Ok);
}

TEST_P(SrtpSessionTest, RejectsReplayedRtp) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  const Bytes srtp = protect(tx, makeRtp(1, 10, 100));
  EXPECT_EQ(unprotect(rx, srtp), Error::Ok);
  EXPECT_EQ(unprotect(rx, srtp), Error::ReplayDuplicate);
}

TEST_P(SrtpSessionTest, RejectsRtpOlderThanWindow) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  std::vector<Bytes> sent;
  for (uint16_t seq = 0; seq < 300; ++seq) sent.push_back(protect(tx, makeRtp(1, seq, 20)));
  EXPECT_EQ(unprotect(rx, sent[299]), Error::Ok);
  EXPECT_EQ(unprotect(rx, sent[299 - 127]), Error::Ok);
  EXPECT_EQ(unprotect(rx, sent[299 - 128]), Error::ReplayOld);
  EXPECT_EQ(unprotect(rx, sent[10]), Error::ReplayOld);
}

TEST_P(SrtpSessionTest, AcceptsReorderingWithinWindow) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  std::vector<Bytes> sent;
  for (uint16_t seq = 1000; seq < 1100; ++seq) sent.push_back(protect(tx, makeRtp(9, seq, 50)));
  std::vector<Bytes> shuffled = sent;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(3));
  for (const Bytes& p : shuffled) ASSERT_EQ(unprotect(rx, p), Error::Ok);
  for (const Bytes& p : sent) ASSERT_EQ(unprotect(rx, p), Error::ReplayDuplicate);
}

TEST_P(SrtpSessionTest, RejectsEveryFlippedBitAndKeepsState) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  const Bytes srtp = protect(tx, makeRtp(0xabc, 500, 60));
  for (size_t bit = 0; bit < srtp.size() * 8; ++bit) {
    Bytes bad = srtp;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_NE(unprotect(rx, bad), Error::Ok) << "bit " << bit;
  }
  // No failed attempt created the stream or moved its window.
  EXPECT_EQ(rx.streamCount(), 0u);
  EXPECT_EQ(unprotect(rx, srtp), Error::Ok);
}

TEST_P(SrtpSessionTest, RejectsEveryFlippedBitOfRtcpAndKeepsState) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  const Bytes srtcp = protectRtcp(tx, makeRtcp(0x5150));
  for (size_t bit = 0; bit < srtcp.size() * 8; ++bit) {
    Bytes bad = srtcp;
    bad[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_NE(unprotectRtcp(rx, bad), Error::Ok) << "bit " << bit;
  }
  EXPECT_EQ(rx.streamCount(), 0u);
  EXPECT_EQ(unprotectRtcp(rx, srtcp), Error::Ok);
}

TEST_P(SrtpSessionTest, RejectsReplayedRtcp) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  const Bytes first = protectRtcp(tx, makeRtcp(77));
  const Bytes second = protectRtcp(tx, makeRtcp(77));
  EXPECT_EQ(unprotectRtcp(rx, second), Error::Ok);
  EXPECT_EQ(unprotectRtcp(rx, first), Error::Ok);  // reordered, inside the window
  EXPECT_EQ(unprotectRtcp(rx, first), Error::ReplayDuplicate);
  EXPECT_EQ(unprotectRtcp(rx, second), Error::ReplayDuplicate);
}

TEST_P(SrtpSessionTest, RejectsTooShortPackets) {
  SrtpSession rx = make(Direction::Inbound), tx = make(Direction::Outbound);
  const size_t tag = rtpTagLength(profile());
  Bytes buf(64, 0x80);
  size_t len = 0;
  for (size_t n = 0; n < 12 + tag; ++n) {
    EXPECT_EQ(rx.unprotectRtp(buf.data(), n, &len), Error::TooShort) << n;
  }
  const size_t rtcpTrailer = profile() == Profile::AeadAes128Gcm ? 20 : 14;
  for (size_t n = 0; n < 8 + rtcpTrailer; ++n) {
    EXPECT_EQ(rx.unprotectRtcp(buf.data(), n, &len), Error::TooShort) << n;
  }
  for (size_t n = 0; n < 12; ++n) {
    EXPECT_EQ(tx.protectRtp(buf.data(), n, buf.data(), buf.size(), &len), Error::TooShort);
  }
  for (size_t n = 0; n < 8; ++n) {
    EXPECT_EQ(tx.protectRtcp(buf.data(), n, buf.data(), buf.size(), &len), Error::TooShort);
  }
}

TEST_P(SrtpSessionTest, RejectsHeadersRunningPastThePacket) {
  SrtpSession tx = make(Direction::Outbound);
  Bytes out(200);
  size_t len = 0;
  Bytes v1 = makeRtp(1, 1, 10);
  v1[0] = 0x40 | (v1[0] & 0x3f);
  EXPECT_EQ(tx.protectRtp(v1.data(), v1.size(), out.data(), out.size(), &len), Error::BadHeader);
  Bytes csrcs = makeRtp(1, 1, 0);
  csrcs.resize(16);  // CC = 2 needs 20 bytes
  csrcs[0] = 0x82;
  EXPECT_EQ(tx.protectRtp(csrcs.data(), csrcs.size(), out.data(), out.size(), &len),
            Error::BadHeader);
  Bytes ext = makeRtp(1, 1, 0);
  ext[23] = 0x40;  // extension length 64 words
  EXPECT_EQ(tx.protectRtp(ext.data(), ext.size(), out.data(), out.size(), &len), Error::BadHeader);
  Bytes rtcp = makeRtcp(1);
  rtcp[0] = 0x01;
  EXPECT_EQ(tx.protectRtcp(rtcp.data(), rtcp.size(), out.data(), out.size(), &len),
            Error::BadHeader);
}

TEST_P(SrtpSessionTest, ReportsNoSpaceWhenDestinationTooSmall) {
  SrtpSession tx = make(Direction::Outbound);
  const Bytes rtp = makeRtp(1, 1, 100);
  Bytes out(rtp.size() + rtpTagLength(profile()) - 1);
  size_t len = 0;
  EXPECT_EQ(tx.protectRtp(rtp.data(), rtp.size(), out.data(), out.size(), &len), Error::NoSpace);
  const Bytes rtcp = makeRtcp(1);
  EXPECT_EQ(tx.protectRtcp(rtcp.data(), rtcp.size(), out.data(), rtcp.size() + 13, &len),
            Error::NoSpace);
}

TEST_P(SrtpSessionTest, RefusesTheOtherDirection) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  Bytes rtp = makeRtp(1, 1, 100);
  rtp.resize(rtp.size() + 32);
  size_t len = 0;
  EXPECT_EQ(rx.protectRtp(rtp.data(), 132, rtp.data(), rtp.size(), &len), Error::CipherFailed);
  EXPECT_EQ(tx.unprotectRtp(rtp.data(), 132, &len), Error::CipherFailed);
  EXPECT_EQ(tx.unprotectRtcp(rtp.data(), 132, &len), Error::CipherFailed);
}

TEST_P(SrtpSessionTest, ThrowsOnWrongKeyOrSaltLength) {
  EXPECT_THROW(SrtpSession(profile(), Bytes(15), masterSalt(profile()), Direction::Inbound),
               std::invalid_argument);
  Bytes salt = masterSalt(profile());
  salt.push_back(0);
  EXPECT_THROW(SrtpSession(profile(), masterKey(), salt, Direction::Inbound),
               std::invalid_argument);
}

TEST_P(SrtpSessionTest, TracksRocAcrossWrapWithReordering) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  const uint32_t ssrc = 0xfeedbeef;
  std::vector<Bytes> sent;  // seq 65530..65535, 0..9
  for (uint32_t i = 0; i < 16; ++i) {
    sent.push_back(protect(tx, makeRtp(ssrc, static_cast<uint16_t>(65530 + i), 40)));
  }
  EXPECT_EQ(tx.rolloverCounter(ssrc), 1u);
  // Arrival order straddles the wrap both ways.
  for (int i : {0, 1, 2, 4, 7, 3, 6, 5, 10, 8, 12, 9, 15, 11, 14, 13}) {
    Bytes plain;
    ASSERT_EQ(unprotect(rx, sent[i], &plain), Error::Ok) << i;
    ASSERT_EQ(util::loadBe16(&plain[2]), static_cast<uint16_t>(65530 + i));
  }
  EXPECT_EQ(rx.rolloverCounter(ssrc), 1u);
  EXPECT_EQ(unprotect(rx, sent[3]), Error::ReplayDuplicate);
  // A retransmitted pre-wrap packet keeps ROC 0 on the sender, so the receiver sees the same
  // index again.
  EXPECT_EQ(unprotect(rx, protect(tx, makeRtp(ssrc, 65534, 40))), Error::ReplayDuplicate);
}

TEST_P(SrtpSessionTest, FollowsManyWraps) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  // Steps of 1000 (below half the sequence space) from 60000 to 60000 + 300 * 1000, which
  // is ROC 5.
  for (uint32_t n = 0; n <= 300; ++n) {
    const auto seq = static_cast<uint16_t>(60000 + n * 1000);
    ASSERT_EQ(unprotect(rx, protect(tx, makeRtp(5, seq, 8))), Error::Ok) << n;
  }
  EXPECT_EQ(tx.rolloverCounter(5), 5u);
  EXPECT_EQ(rx.rolloverCounter(5), 5u);
}

TEST_P(SrtpSessionTest, PacketEncryptedWithOtherRocFailsAuthentication) {
  // A receiver joining after the sender wrapped assumes ROC 0 and cannot decrypt.
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  protect(tx, makeRtp(3, 65535, 8));
  const Bytes afterWrap = protect(tx, makeRtp(3, 1, 8));
  EXPECT_EQ(unprotect(rx, afterWrap), Error::AuthFailed);
}

TEST_P(SrtpSessionTest, KeepsIndependentStatePerSsrc) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  EXPECT_EQ(unprotect(rx, protect(tx, makeRtp(1, 7, 10))), Error::Ok);
  EXPECT_EQ(unprotect(rx, protect(tx, makeRtp(2, 7, 10))), Error::Ok);
  EXPECT_EQ(rx.streamCount(), 2u);
}

TEST_P(SrtpSessionTest, EvictsLeastRecentlyUsedStreamWhenTableFull) {
  SrtpSession tx = make(Direction::Outbound, 4), rx = make(Direction::Inbound, 4);
  std::vector<Bytes> first;
  for (uint32_t ssrc = 1; ssrc <= 5; ++ssrc) {
    first.push_back(protect(tx, makeRtp(ssrc, 100, 10)));
    ASSERT_EQ(unprotect(rx, first.back()), Error::Ok);
  }
  EXPECT_EQ(rx.streamCount(), 4u);
  EXPECT_EQ(rx.evictedStreams(), 1u);
  EXPECT_EQ(tx.evictedStreams(), 1u);
  // SSRC 1 was forgotten: its replay state is gone, the documented cost of eviction.
  EXPECT_EQ(unprotect(rx, first[0]), Error::Ok);
  EXPECT_EQ(unprotect(rx, first[4]), Error::ReplayDuplicate);
}

TEST_P(SrtpSessionTest, ForgedPacketsDoNotKeepAStreamRecentlyUsed) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound, 2);
  const Bytes a = protect(tx, makeRtp(0xa, 1, 10));
  const Bytes b = protect(tx, makeRtp(0xb, 1, 10));
  ASSERT_EQ(unprotect(rx, a), Error::Ok);
  ASSERT_EQ(unprotect(rx, b), Error::Ok);
  Bytes forged = protect(tx, makeRtp(0xa, 2, 10));
  forged.back() ^= 1;
  ASSERT_EQ(unprotect(rx, forged), Error::AuthFailed);
  ASSERT_EQ(unprotect(rx, protect(tx, makeRtp(0xc, 1, 10))), Error::Ok);
  // A, not B, was the least recently used and is gone; B's window is intact.
  EXPECT_EQ(unprotect(rx, b), Error::ReplayDuplicate);
  EXPECT_EQ(unprotect(rx, a), Error::Ok);
}

TEST_P(SrtpSessionTest, RejectsRtcpWithClearedEncryptionFlag) {
  SrtpSession tx = make(Direction::Outbound), rx = make(Direction::Inbound);
  Bytes srtcp = protectRtcp(tx, makeRtcp(11));
  // Clearing E without re-tagging must fail: E is authenticated.
  const size_t word = profile() == Profile::AeadAes128Gcm ? srtcp.size() - 4 : srtcp.size() - 14;
  srtcp[word] &= 0x7f;
  EXPECT_EQ(unprotectRtcp(rx, srtcp), Error::AuthFailed);
}

INSTANTIATE_TEST_SUITE_P(BothProfiles, SrtpSessionTest,
                         ::testing::Values(Profile::Aes128CmHmacSha1_80, Profile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == Profile::AeadAes128Gcm ? "Gcm" : "AesCm";
                         });

TEST(SrtpProfile, MapsDtlsProfileIds) {
  EXPECT_EQ(profileFromId(0x0001), Profile::Aes128CmHmacSha1_80);
  EXPECT_EQ(profileFromId(0x0007), Profile::AeadAes128Gcm);
  EXPECT_EQ(profileFromId(0x0002), std::nullopt);
  EXPECT_EQ(masterKeyLength(Profile::AeadAes128Gcm), 16u);
  EXPECT_EQ(masterSaltLength(Profile::Aes128CmHmacSha1_80), 14u);
  EXPECT_EQ(masterSaltLength(Profile::AeadAes128Gcm), 12u);
  EXPECT_STREQ(errorName(Error::AuthFailed), "auth_failed");
  EXPECT_STREQ(errorName(Error::ReplayDuplicate), "replay_duplicate");
}

}  // namespace
}  // namespace treff::srtp
