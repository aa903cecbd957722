// libFuzzer target: STUN parse, every accessor, integrity and fingerprint checks, the ICE-lite
// agent's answer, and a builder round trip, on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "ice/ice_lite_agent.hpp"
#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "net/socket_address.hpp"

using namespace treff;

namespace {

// The credentials of the captured Chromium call, so seeds from tests/data authenticate and the
// fuzzer reaches the success paths.
ice::IceLiteAgent& agent() {
  static ice::IceLiteAgent a({"7TQQ", "cwevJP3IDJaTsG+Vm1xZphnU"}, 0);
  static bool once = [] {
    a.setRemote({"PeQf", "1j3mdia8np1JbWgDAt0xouPt"});
    return true;
  }();
  (void)once;
  return a;
}

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const util::ConstBytes bytes(data, size);
  const bool looks = ice::looksLikeStun(bytes);
  ice::StunParseError why;
  const auto msg = ice::StunMessage::parse(bytes, &why);
  check(!msg || looks);  // parse accepts only what the demultiplexer would hand it
  if (!msg) {
    check(why != ice::StunParseError::None);
    return 0;
  }

  (void)msg->method();
  (void)msg->messageClass();
  (void)msg->transactionId();
  const auto username = msg->username();
  (void)msg->priority();
  (void)msg->useCandidate();
  (void)msg->iceControlling();
  (void)msg->iceControlled();
  if (auto e = msg->errorCode()) check(e->code >= 300 && e->code <= 699);
  const auto mapped = msg->xorMappedAddress();
  (void)msg->attribute(ice::stun_attr::kSoftware);
  (void)msg->attribute(static_cast<uint16_t>(size > 0 ? data[0] << 8 | data[size - 1] : 0));
  (void)msg->verifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt");
  (void)msg->verifyFingerprint();
  (void)ice::localUfragOf(*msg);

  uint8_t out[1500];
  const auto from = net::SocketAddress::fromString("198.51.100.4", 50000).value();
  const ice::CheckResult r = agent().onBindingRequest(*msg, from, out, sizeof(out), 1);
  if (r.responseLength > 0) {
    const auto response = ice::StunMessage::parse({out, r.responseLength});
    check(response.has_value());
    check(response->verifyFingerprint());
  }

  // Builder round trip: whatever we read back must be what we wrote.
  ice::StunBuilder b(out, sizeof(out), ice::kStunMethodBinding, ice::StunClass::SuccessResponse,
                     msg->transactionId());
  if (username) b.addUsername(*username);
  if (mapped) b.addXorMappedAddress(*mapped);
  const size_t n = b.finish(std::string_view("k"), true);
  if (n > 0) {
    const auto echo = ice::StunMessage::parse({out, n});
    check(echo.has_value());
    check(echo->username() == username);
    check(echo->xorMappedAddress() == mapped);
    check(echo->verifyMessageIntegrity("k"));
    check(echo->verifyFingerprint());
  }
  return 0;
}
