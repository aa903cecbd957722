// STUN codec and ICE-lite agent cost on a real Chromium connectivity check (frame 3 of
// tests/data/chromium-loopback-unencrypted.pcap: USERNAME, GOOG-NETWORK-INFO, ICE-CONTROLLING,
// USE-CANDIDATE, PRIORITY, MESSAGE-INTEGRITY, FINGERPRINT; 100 bytes).
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <atomic>
#include <cstdlib>
#include <vector>

#include "ice/hmac_sha1.hpp"
#include "ice/ice_lite_agent.hpp"
#include "ice/stun_message.hpp"
#include "net/socket_address.hpp"
#include "util/encoding.hpp"

namespace {

using namespace treff;

// Counts OpenSSL's heap allocations, to show the integrity path makes none.
std::atomic<long> gOpensslAllocations{0};
void* countingMalloc(size_t n, const char*, int) {
  ++gOpensslAllocations;
  return std::malloc(n);
}
void* countingRealloc(void* p, size_t n, const char*, int) {
  ++gOpensslAllocations;
  return std::realloc(p, n);
}
void plainFree(void* p, const char*, int) { std::free(p); }
const bool gCountingInstalled =
    CRYPTO_set_mem_functions(countingMalloc, countingRealloc, plainFree) == 1;

const std::vector<uint8_t> kCheck =
    util::fromHex(
        "000100502112a442454c46366b6e66333437427600060009375451513a50655166000000c05700040001"
        "0032802a000837b6f7e488cb2c1c00250000002400046e7f1eff00080014a79c603718142b90930a0615"
        "f3738d02524eba6280280004d2b054c1")
        .value();
constexpr std::string_view kLocalUfrag = "7TQQ";
constexpr std::string_view kLocalPwd = "cwevJP3IDJaTsG+Vm1xZphnU";

void reportAllocations(benchmark::State& state, long before) {
  state.counters["openssl_allocs_per_op"] = benchmark::Counter(
      static_cast<double>(gOpensslAllocations - before), benchmark::Counter::kAvgIterations);
  state.counters["counting"] = gCountingInstalled ? 1 : 0;
}

void BM_StunParse(benchmark::State& state) {
  for (auto _ : state) {
    auto msg = ice::StunMessage::parse(kCheck);
    benchmark::DoNotOptimize(msg);
  }
}
BENCHMARK(BM_StunParse);

void BM_StunParseVerifyIntegrityFingerprint(benchmark::State& state) {
  const long before = gOpensslAllocations;
  for (auto _ : state) {
    auto msg = ice::StunMessage::parse(kCheck);
    bool ok = msg->verifyMessageIntegrity(kLocalPwd) && msg->verifyFingerprint();
    if (!ok) state.SkipWithError("check did not verify");
    benchmark::DoNotOptimize(ok);
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_StunParseVerifyIntegrityFingerprint);

void BM_StunVerifyFingerprintOnly(benchmark::State& state) {
  const auto msg = ice::StunMessage::parse(kCheck);
  for (auto _ : state) {
    bool ok = msg->verifyFingerprint();
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_StunVerifyFingerprintOnly);

void BM_StunVerifyIntegrityOnlyPreparedKey(benchmark::State& state) {
  const auto msg = ice::StunMessage::parse(kCheck);
  const ice::HmacSha1Key key(kLocalPwd);
  for (auto _ : state) {
    bool ok = msg->verifyMessageIntegrity(key);
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_StunVerifyIntegrityOnlyPreparedKey);

// The agent keys its password once; this is the per-check integrity cost it actually pays.
void BM_StunParseVerifyWithPreparedKey(benchmark::State& state) {
  const ice::HmacSha1Key key(kLocalPwd);
  for (auto _ : state) {
    auto msg = ice::StunMessage::parse(kCheck);
    bool ok = msg->verifyMessageIntegrity(key) && msg->verifyFingerprint();
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_StunParseVerifyWithPreparedKey);

void BM_IceLiteAgentCheckAndResponse(benchmark::State& state) {
  ice::IceLiteAgent agent({std::string(kLocalUfrag), std::string(kLocalPwd)}, 0);
  agent.setRemote({"PeQf", "1j3mdia8np1JbWgDAt0xouPt"});
  const auto from = *net::SocketAddress::fromString("127.0.0.1", 33684);
  uint8_t out[256];
  uint64_t now = 0;
  const long before = gOpensslAllocations;
  for (auto _ : state) {
    auto msg = ice::StunMessage::parse(kCheck);
    const ice::CheckResult r = agent.onBindingRequest(*msg, from, out, sizeof(out), ++now);
    if (r.outcome != ice::CheckOutcome::SuccessNominated) state.SkipWithError("check failed");
    benchmark::DoNotOptimize(out);
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_IceLiteAgentCheckAndResponse);

// For comparison: OpenSSL's one-shot HMAC() over the same bytes as the integrity check.
void BM_OpensslOneShotHmacSha1(benchmark::State& state) {
  uint8_t mac[20];
  unsigned int macLength = 0;
  const long before = gOpensslAllocations;
  for (auto _ : state) {
    HMAC(EVP_sha1(), kLocalPwd.data(), static_cast<int>(kLocalPwd.size()), kCheck.data(),
         kCheck.size() - 32, mac, &macLength);
    benchmark::DoNotOptimize(mac);
  }
  reportAllocations(state, before);
}
BENCHMARK(BM_OpensslOneShotHmacSha1);

}  // namespace
