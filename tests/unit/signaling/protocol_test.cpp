#include "signaling/protocol.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace treff::signaling {
namespace {

ProtocolError errorOf(std::string_view text) {
  auto parsed = parseClientMessage(text);
  EXPECT_TRUE(std::holds_alternative<ProtocolError>(parsed)) << text;
  return std::holds_alternative<ProtocolError>(parsed) ? std::get<ProtocolError>(parsed)
                                                       : ProtocolError{};
}

TEST(Protocol, ParsesAnEchoOffer) {
  auto parsed = parseClientMessage(R"({"type":"echo.offer","version":1,"sdp":"v=0\r\n"})");
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed));
  const auto& offer = std::get<EchoOffer>(std::get<ClientMessage>(parsed));
  EXPECT_EQ(offer.sdp, "v=0\r\n");
}

TEST(Protocol, ParsesAnEchoRestart) {
  auto parsed = parseClientMessage(R"({"type":"echo.restart","sdp":"v=0\r\n"})");
  ASSERT_TRUE(std::holds_alternative<ClientMessage>(parsed));
  EXPECT_EQ(std::get<EchoRestart>(std::get<ClientMessage>(parsed)).sdp, "v=0\r\n");
}

TEST(Protocol, RejectsMalformedAndHostileMessagesWithACode) {
  EXPECT_EQ(errorOf("{not json").code, "bad-json");
  EXPECT_EQ(errorOf("[1,2]").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"sdp":"x"})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":42})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer"})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer","sdp":7})").code, "bad-message");
  EXPECT_EQ(errorOf(R"({"type":"launch.missiles"})").code, "unknown-type");
  EXPECT_EQ(errorOf(R"({"type":"echo.offer","version":99,"sdp":""})").code,
            "unsupported-version");
  std::string deep(100000, '[');
  EXPECT_EQ(errorOf(deep).code, "bad-json");
  std::string huge = R"({"type":"echo.offer","sdp":")" + std::string(kMaxSdpBytes + 1, 'a') + "\"}";
  EXPECT_EQ(errorOf(huge).code, "bad-message");
}

TEST(Protocol, EncodesAnswersAndErrorsAsJson) {
  auto answer = nlohmann::json::parse(encodeEchoAnswer("v=0\r\n"));
  EXPECT_EQ(answer["type"], "echo.answer");
  EXPECT_EQ(answer["sdp"], "v=0\r\n");
  // Invalid UTF-8 from a hostile offer must not break the encoder.
  auto error = nlohmann::json::parse(encodeError("bad-offer", "line \xff\xfe"));
  EXPECT_EQ(error["type"], "error");
  EXPECT_EQ(error["code"], "bad-offer");
}

}  // namespace
}  // namespace treff::signaling
