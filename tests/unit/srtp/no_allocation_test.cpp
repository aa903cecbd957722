// Per-packet work must not touch the heap (design: the media plane is allocation-free).
// OpenSSL's allocator is replaced before its first use (a static initializer in this binary)
// and C++ operator new is counted; both counters must stay still across a burst of packets.
#include <gtest/gtest.h>
#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "srtp/srtp_session.hpp"
#include "test_support.hpp"

namespace {

std::atomic<long> g_opensslAllocs{0};
std::atomic<long> g_cxxAllocs{0};

void* countingMalloc(size_t n, const char*, int) {
  ++g_opensslAllocs;
  return std::malloc(n);
}
void* countingRealloc(void* p, size_t n, const char*, int) {
  ++g_opensslAllocs;
  return std::realloc(p, n);
}
void countingFree(void* p, const char*, int) { std::free(p); }

const bool g_hookInstalled =
    CRYPTO_set_mem_functions(countingMalloc, countingRealloc, countingFree) == 1;

}  // namespace

// GCC pairs the inlined malloc with delete's free and warns; the pairing is what we mean.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(size_t n) {
  ++g_cxxAllocs;
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, size_t) noexcept { std::free(p); }

namespace treff::srtp {
namespace {

using test::Bytes;
using Direction = SrtpSession::Direction;

class NoAllocationTest : public ::testing::TestWithParam<Profile> {};

TEST_P(NoAllocationTest, ProtectAndUnprotectDoNotAllocate) {
  ASSERT_TRUE(g_hookInstalled) << "OpenSSL allocated before the counting hook was installed";
  const Profile p = GetParam();
  const Bytes key(16, 0x42), salt(masterSaltLength(p), 0x24);
  SrtpSession tx(p, key, salt, Direction::Outbound), rx(p, key, salt, Direction::Inbound);

  Bytes rtp(1200, 0x5a), rtcp(60, 0x33);
  rtp[0] = 0x80;
  rtcp[0] = 0x80;
  rtcp[1] = 200;
  Bytes wire(1300);
  // Warm up: the streams are created on first use, which is allowed to touch the table only.
  int i = 0;
  auto burst = [&](int packets) {
    for (const int end = i + packets; i < end; ++i) {
      util::storeBe16(&rtp[2], static_cast<uint16_t>(65000 + i));  // crosses the wrap
      util::storeBe32(&rtp[8], static_cast<uint32_t>(1 + i % 3));
      size_t len = 0, plain = 0;
      ASSERT_EQ(tx.protectRtp(rtp.data(), rtp.size(), wire.data(), wire.size(), &len), Error::Ok);
      ASSERT_EQ(rx.unprotectRtp(wire.data(), len, &plain), Error::Ok);
      ASSERT_EQ(tx.protectRtcp(rtcp.data(), rtcp.size(), wire.data(), wire.size(), &len),
                Error::Ok);
      ASSERT_EQ(rx.unprotectRtcp(wire.data(), len, &plain), Error::Ok);
      // Rejections take the same care.
      wire[len - 1] ^= 1;
      ASSERT_NE(rx.unprotectRtcp(wire.data(), len, &plain), Error::Ok);
    }
  };
  burst(3);
  const long openssl0 = g_opensslAllocs, cxx0 = g_cxxAllocs;
  burst(2000);
  EXPECT_EQ(g_opensslAllocs - openssl0, 0);
  EXPECT_EQ(g_cxxAllocs - cxx0, 0);
  // The counters do count: constructing a session allocates.
  { SrtpSession another(p, key, salt, Direction::Outbound); }
  EXPECT_GT(g_opensslAllocs - openssl0, 0);
  EXPECT_GT(g_cxxAllocs - cxx0, 0);
}

INSTANTIATE_TEST_SUITE_P(BothProfiles, NoAllocationTest,
                         ::testing::Values(Profile::Aes128CmHmacSha1_80, Profile::AeadAes128Gcm),
                         [](const auto& info) {
                           return info.param == Profile::AeadAes128Gcm ? "Gcm" : "AesCm";
                         });

}  // namespace
}  // namespace treff::srtp
