// libFuzzer target: a browser's answer to the server's subscribe offer, from the network.
// Whatever parses is checked against one fixed offer; the check either fails cleanly or returns
// a result that only names what the offer had.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sdp/parser.hpp"
#include "sdp/subscribe_offer.hpp"

namespace {

using namespace treff::sdp;

// Audio, camera and an inactive video m-section, as in a meeting of two.
SessionDescription makeOffer() {
  SubscribeOfferParameters p;
  p.iceUfrag = "fuzzUfrag";
  p.icePwd = "fuzzPasswordFuzzPassword";
  p.fingerprint = {"sha-256", "00:11:22:33"};
  Candidate candidate;
  candidate.foundation = "1";
  candidate.priority = 2130706431;
  candidate.address = "192.0.2.1";
  candidate.port = 40000;
  p.candidates.push_back(candidate);
  SubscribeSlot audio{"0", MediaKind::Audio, true, {"", 1111, 0, "cname", "alice", "mic"}, false};
  SubscribeSlot camera{
      "1", MediaKind::Video, true, {"", 2222, 2223, "cname", "alice", "cam"}, false};
  SubscribeSlot idle{"2", MediaKind::Video, false, {}, false};
  p.slots = {audio, camera, idle};
  p.sessionId = 1;
  return buildSubscribeOffer(p);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const SessionDescription offer = makeOffer();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto answer = parse(text);
  if (!answer) return 0;
  auto result = applySubscribeAnswer(offer, *answer);
  if (!result) return 0;
  if (result->media.size() != offer.media.size()) std::abort();
  for (size_t index = 0; index < result->media.size(); ++index) {
    const SubscribeMediaAnswer& media = result->media[index];
    const MediaSection& offered = offer.media[index];
    if (media.mid != offered.mid) std::abort();
    // The server may only ever send what it offered, and never on an inactive m-section.
    if (media.receiving() && offered.direction != Direction::SendOnly) std::abort();
    for (const NegotiatedCodec& codec : media.codecs) {
      if (offered.findCodec(codec.payloadType) == nullptr) std::abort();
    }
    for (const auto& [rtx, apt] : media.rtxToApt) {
      if (offered.findCodec(rtx) == nullptr || offered.findCodec(apt) == nullptr) std::abort();
    }
    if (media.receiving() && (result->remoteIceUfrag.empty() || result->remoteIcePwd.empty() ||
                              result->remoteFingerprint.value.empty())) {
      std::abort();
    }
  }
  return 0;
}
