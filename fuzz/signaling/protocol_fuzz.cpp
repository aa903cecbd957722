// The signaling parser on arbitrary text: it must answer every input with a message or an
// error, and every error must encode as JSON.
#include <string_view>

#include "signaling/protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = treff::signaling::parseClientMessage(text);
  if (auto* error = std::get_if<treff::signaling::ProtocolError>(&parsed)) {
    (void)treff::signaling::encodeError(error->code, error->message);
  } else if (auto* offer = std::get_if<treff::signaling::EchoOffer>(
                 &std::get<treff::signaling::ClientMessage>(parsed))) {
    (void)treff::signaling::encodeEchoAnswer(offer->sdp);
  }
  return 0;
}
