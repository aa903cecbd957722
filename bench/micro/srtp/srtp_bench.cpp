// SRTP protect/unprotect cost, ours beside Debian's libsrtp2 (which Debian links against NSS).
// Args: {profile (0 AES-CM-HMAC-SHA1-80, 1 AEAD-AES-128-GCM), RTP payload bytes}.
// The RTP header is 12 bytes plus an 8-byte header extension, like a browser's packets.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <cstring>
#include <vector>

#include "srtp/srtp_session.hpp"
#ifdef TREFF_HAVE_LIBSRTP2
#include <srtp2/srtp.h>
#endif

namespace {

using treff::srtp::Error;
using treff::srtp::Profile;
using treff::srtp::SrtpSession;
using Bytes = std::vector<uint8_t>;

constexpr size_t kBatch = 4096;  // unprotect: packets protected ahead, then replayed afresh

Profile profileArg(const benchmark::State& state) {
  return state.range(0) ? Profile::AeadAes128Gcm : Profile::Aes128CmHmacSha1_80;
}
Bytes key() { return Bytes(16, 0x3c); }
Bytes salt(Profile p) { return Bytes(treff::srtp::masterSaltLength(p), 0xc3); }

Bytes makeRtp(size_t payload, uint16_t seq) {
  static const uint8_t kHeader[20] = {0x90, 0x6f, 0,    0,    0,    0,    0x10, 0,    0x12, 0x34,
                                      0x56, 0x78, 0xbe, 0xde, 0x00, 0x01, 0x10, 0x42, 0x00, 0x00};
  Bytes p(sizeof kHeader + payload, 0xa5);
  std::memcpy(p.data(), kHeader, sizeof kHeader);
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  return p;
}

void setSeq(uint8_t* p, uint16_t seq) {
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
}

void label(benchmark::State& state, const char* who) {
  state.SetLabel(std::string(who) + (state.range(0) ? " GCM " : " AES-CM ") +
                 std::to_string(state.range(1)) + " B");
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(1));
}

// The SFU fan-out path: read the rewritten packet, write SRTP into the subscriber's send slot.
void BM_Ours_ProtectIntoSlot(benchmark::State& state) {
  const Profile p = profileArg(state);
  SrtpSession tx(p, key(), salt(p), SrtpSession::Direction::Outbound);
  Bytes rtp = makeRtp(static_cast<size_t>(state.range(1)), 0);
  Bytes slot(rtp.size() + SrtpSession::kMaxRtpOverhead);
  uint16_t seq = 0;
  for (auto _ : state) {
    setSeq(rtp.data(), seq++);
    size_t len = 0;
    if (tx.protectRtp(rtp.data(), rtp.size(), slot.data(), slot.size(), &len) != Error::Ok) {
      state.SkipWithError("protect failed");
      break;
    }
    benchmark::DoNotOptimize(slot.data());
  }
  label(state, "ours");
}

void BM_Ours_ProtectInPlace(benchmark::State& state) {
  const Profile p = profileArg(state);
  SrtpSession tx(p, key(), salt(p), SrtpSession::Direction::Outbound);
  const size_t plainLen = 20 + static_cast<size_t>(state.range(1));
  Bytes buf = makeRtp(static_cast<size_t>(state.range(1)), 0);
  buf.resize(plainLen + SrtpSession::kMaxRtpOverhead);
  uint16_t seq = 0;
  for (auto _ : state) {
    setSeq(buf.data(), seq++);
    size_t len = 0;
    if (tx.protectRtp(buf.data(), plainLen, buf.data(), buf.size(), &len) != Error::Ok) {
      state.SkipWithError("protect failed");
      break;
    }
    benchmark::DoNotOptimize(buf.data());
  }
  label(state, "ours");
}

void BM_Ours_Unprotect(benchmark::State& state) {
  const Profile p = profileArg(state);
  SrtpSession tx(p, key(), salt(p), SrtpSession::Direction::Outbound);
  std::vector<Bytes> pristine;
  for (size_t i = 0; i < kBatch; ++i) {
    const Bytes rtp = makeRtp(static_cast<size_t>(state.range(1)), static_cast<uint16_t>(i));
    Bytes wire(rtp.size() + SrtpSession::kMaxRtpOverhead);
    size_t len = 0;
    tx.protectRtp(rtp.data(), rtp.size(), wire.data(), wire.size(), &len);
    wire.resize(len);
    pristine.push_back(wire);
  }
  std::vector<Bytes> work = pristine;
  auto rx = std::make_unique<SrtpSession>(p, key(), salt(p), SrtpSession::Direction::Inbound);
  size_t i = 0;
  for (auto _ : state) {
    if (i == kBatch) {
      state.PauseTiming();
      work = pristine;
      rx = std::make_unique<SrtpSession>(p, key(), salt(p), SrtpSession::Direction::Inbound);
      i = 0;
      state.ResumeTiming();
    }
    size_t len = 0;
    if (rx->unprotectRtp(work[i].data(), work[i].size(), &len) != Error::Ok) {
      state.SkipWithError("unprotect failed");
      break;
    }
    ++i;
  }
  label(state, "ours");
}

// The floor: bare OpenSSL AES-128-GCM of the same packet (IV set, header as AAD, tag), no SRTP.
void BM_OpenSslGcmFloor(benchmark::State& state) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  const Bytes k = key();
  EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, k.data(), nullptr);
  Bytes rtp = makeRtp(static_cast<size_t>(state.range(1)), 0);
  Bytes slot(rtp.size() + 16);
  uint8_t iv[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  for (auto _ : state) {
    ++iv[11];
    int n = 0;
    EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv);
    EVP_EncryptUpdate(ctx, nullptr, &n, rtp.data(), 20);
    std::memcpy(slot.data(), rtp.data(), 20);
    EVP_EncryptUpdate(ctx, slot.data() + 20, &n, rtp.data() + 20,
                      static_cast<int>(rtp.size() - 20));
    EVP_EncryptFinal_ex(ctx, slot.data() + rtp.size(), &n);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, 16, slot.data() + rtp.size());
    benchmark::DoNotOptimize(slot.data());
  }
  EVP_CIPHER_CTX_free(ctx);
  label(state, "bare OpenSSL");
}

#ifdef TREFF_HAVE_LIBSRTP2
srtp_t makeLibSrtp(Profile p, bool inbound) {
  static const bool initialised = srtp_init() == srtp_err_status_ok;
  (void)initialised;
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  if (p == Profile::AeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  static Bytes keyAndSalt[2];
  Bytes& ks = keyAndSalt[p == Profile::AeadAes128Gcm];
  ks = key();
  const Bytes s = salt(p);
  ks.insert(ks.end(), s.begin(), s.end());
  policy.key = ks.data();
  policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.window_size = 128;
  srtp_t session = nullptr;
  if (srtp_create(&session, &policy) != srtp_err_status_ok) return nullptr;
  return session;
}

void BM_LibSrtp_ProtectInPlace(benchmark::State& state) {
  const Profile p = profileArg(state);
  srtp_t tx = makeLibSrtp(p, false);
  const int plainLen = 20 + static_cast<int>(state.range(1));
  Bytes buf = makeRtp(static_cast<size_t>(state.range(1)), 0);
  buf.resize(buf.size() + SRTP_MAX_TRAILER_LEN);
  uint16_t seq = 0;
  for (auto _ : state) {
    setSeq(buf.data(), seq++);
    int len = plainLen;
    if (srtp_protect(tx, buf.data(), &len) != srtp_err_status_ok) {
      state.SkipWithError("srtp_protect failed");
      break;
    }
    benchmark::DoNotOptimize(buf.data());
  }
  srtp_dealloc(tx);
  label(state, "libsrtp2");
}

// What fan-out costs with libsrtp: copy the packet into the slot, then protect in place.
void BM_LibSrtp_CopyThenProtect(benchmark::State& state) {
  const Profile p = profileArg(state);
  srtp_t tx = makeLibSrtp(p, false);
  Bytes rtp = makeRtp(static_cast<size_t>(state.range(1)), 0);
  Bytes slot(rtp.size() + SRTP_MAX_TRAILER_LEN);
  uint16_t seq = 0;
  for (auto _ : state) {
    setSeq(rtp.data(), seq++);
    std::memcpy(slot.data(), rtp.data(), rtp.size());
    int len = static_cast<int>(rtp.size());
    if (srtp_protect(tx, slot.data(), &len) != srtp_err_status_ok) {
      state.SkipWithError("srtp_protect failed");
      break;
    }
    benchmark::DoNotOptimize(slot.data());
  }
  srtp_dealloc(tx);
  label(state, "libsrtp2");
}

void BM_LibSrtp_Unprotect(benchmark::State& state) {
  const Profile p = profileArg(state);
  srtp_t tx = makeLibSrtp(p, false);
  std::vector<Bytes> pristine;
  for (size_t i = 0; i < kBatch; ++i) {
    Bytes wire = makeRtp(static_cast<size_t>(state.range(1)), static_cast<uint16_t>(i));
    int len = static_cast<int>(wire.size());
    wire.resize(wire.size() + SRTP_MAX_TRAILER_LEN);
    srtp_protect(tx, wire.data(), &len);
    wire.resize(static_cast<size_t>(len));
    pristine.push_back(wire);
  }
  srtp_dealloc(tx);
  std::vector<Bytes> work = pristine;
  srtp_t rx = makeLibSrtp(p, true);
  size_t i = 0;
  for (auto _ : state) {
    if (i == kBatch) {
      state.PauseTiming();
      work = pristine;
      srtp_dealloc(rx);
      rx = makeLibSrtp(p, true);
      i = 0;
      state.ResumeTiming();
    }
    int len = static_cast<int>(work[i].size());
    if (srtp_unprotect(rx, work[i].data(), &len) != srtp_err_status_ok) {
      state.SkipWithError("srtp_unprotect failed");
      break;
    }
    ++i;
  }
  srtp_dealloc(rx);
  label(state, "libsrtp2");
}
#endif

void args(benchmark::internal::Benchmark* b) {
  for (int profile : {0, 1}) {
    for (int payload : {100, 1200}) b->Args({profile, payload});
  }
}

BENCHMARK(BM_OpenSslGcmFloor)->Args({1, 100})->Args({1, 1200});
BENCHMARK(BM_Ours_ProtectIntoSlot)->Apply(args);
BENCHMARK(BM_Ours_ProtectInPlace)->Apply(args);
BENCHMARK(BM_Ours_Unprotect)->Apply(args);
#ifdef TREFF_HAVE_LIBSRTP2
BENCHMARK(BM_LibSrtp_ProtectInPlace)->Apply(args);
BENCHMARK(BM_LibSrtp_CopyThenProtect)->Apply(args);
BENCHMARK(BM_LibSrtp_Unprotect)->Apply(args);
#endif

}  // namespace
