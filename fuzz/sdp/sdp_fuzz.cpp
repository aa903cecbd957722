// libFuzzer target: SDP text from the network. Whatever parses must negotiate (or fail cleanly),
// and our own answer must parse again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdp/answer.hpp"
#include "sdp/parser.hpp"
#include "sdp/writer.hpp"

namespace {

treff::sdp::LocalParameters makeLocal() {
  treff::sdp::LocalParameters local;
  local.iceUfrag = "fuzzUfrag";
  local.icePwd = "fuzzPasswordFuzzPassword";
  local.fingerprint = {"sha-256", "00:11:22:33"};
  treff::sdp::Candidate candidate;
  candidate.foundation = "1";
  candidate.priority = 2130706431;
  candidate.address = "192.0.2.1";
  candidate.port = 40000;
  local.candidates.push_back(candidate);
  candidate.transport = "tcp";
  local.candidates.push_back(candidate);
  local.senders.push_back({"1", 1234, 5678, "cname", "stream", "track"});
  local.sessionId = 1;
  return local;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const treff::sdp::LocalParameters local = makeLocal();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto offer = treff::sdp::parse(text);
  if (!offer) return 0;
  // Whatever we parsed, we can write and parse back.
  if (!treff::sdp::parse(treff::sdp::write(*offer))) std::abort();
  auto answer = treff::sdp::negotiateAnswer(*offer, local);
  if (!answer) return 0;
  if (!treff::sdp::parse(treff::sdp::write(answer->description))) std::abort();
  return 0;
}
