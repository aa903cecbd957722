// Fuzzes the DTLS record iterator on arbitrary bytes, then hands the same bytes to a fresh
// server-role DtlsTransport as its first datagram, then fires its timer.
#include <cstddef>
#include <cstdint>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_record.hpp"
#include "dtls/dtls_transport.hpp"

namespace {

using namespace treff::dtls;

struct NullListener : DtlsTransport::Listener {
  void onDtlsSend(const uint8_t*, size_t size) override { sent += size; }
  void onDtlsConnected(const SrtpKeyingMaterial&) override { __builtin_trap(); }
  void onDtlsFailed(DtlsFailure) override {}
  void onDtlsClosed() override {}
  void onDtlsApplicationData(const uint8_t*, size_t) override {}
  size_t sent = 0;
};

constexpr const char* kZeroFingerprint =
    "00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:00:"
    "00";

const Context& serverContext() {
  static const Certificate certificate;
  static const Context context(certificate);
  return context;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const treff::util::ConstBytes bytes(data, size);
  RecordIterator it(bytes);
  DtlsRecord record;
  size_t total = 0;
  while (it.next(record)) {
    total += record.whole.size();
    if (record.fragment.data() + record.fragment.size() > data + size) __builtin_trap();
  }
  if (it.error() == RecordError::None && total != size) __builtin_trap();
  (void)looksLikeDtls(bytes);

  NullListener listener;
  DtlsTransport server(serverContext(), Role::Server, listener);
  // No fuzzed handshake can present a certificate with this fingerprint: keys never come out.
  server.setRemoteFingerprint("sha-256", kZeroFingerprint);
  server.onDatagram(data, size);
  server.nextTimeoutMs(0);
  server.onTimer(1);
  return 0;
}
