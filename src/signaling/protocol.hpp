// The signaling protocol's messages, parsed once at the edge into typed structs (docs/protocol.md).
// Every message is a JSON object with a "type"; a malformed one yields a ProtocolError that the
// caller sends back as an "error" message, and the socket stays open.
#pragma once

#include <string>
#include <string_view>
#include <variant>

namespace treff::signaling {

inline constexpr int kProtocolVersion = 1;

// Client -> server: the echo test's offer.
struct EchoOffer {
  std::string sdp;
};

// Client -> server: an ICE-restart offer for the echo session of this socket.
struct EchoRestart {
  std::string sdp;
};

struct ProtocolError {
  std::string code;     // machine-readable: "bad-json", "bad-message", "unknown-type", ...
  std::string message;  // for people
};

using ClientMessage = std::variant<EchoOffer, EchoRestart>;

// Limits on what a client may send, enforced before anything else reads the message.
inline constexpr size_t kMaxSdpBytes = 64 * 1024;
inline constexpr int kMaxJsonDepth = 8;

std::variant<ClientMessage, ProtocolError> parseClientMessage(std::string_view text);

// Server -> client.
std::string encodeEchoAnswer(std::string_view sdp);
std::string encodeError(std::string_view code, std::string_view message);

}  // namespace treff::signaling
