#include <gtest/gtest.h>

#include <string>

#include "sdp/parser.hpp"
#include "sdp_test_files.hpp"

namespace treff::sdp {
namespace {

constexpr const char* kHead = "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\n";

std::string errorOf(const std::string& text) {
  auto parsed = parse(text);
  return parsed.ok() ? std::string("(parsed)") : parsed.error();
}

TEST(SdpParserRejects, HugeLine) {
  std::string text = std::string(kHead) + "a=x-huge:" + std::string(100000, 'x') + "\r\n";
  const std::string error = errorOf(text);
  EXPECT_NE(error.find("line 5"), std::string::npos) << error;
  EXPECT_NE(error.find("longer than"), std::string::npos) << error;
}

TEST(SdpParserRejects, TenThousandMediaSections) {
  std::string text = kHead;
  for (int i = 0; i < 10000; ++i) text += "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  const std::string error = errorOf(text);
  EXPECT_NE(error.find("m= sections"), std::string::npos) << error;
  EXPECT_NE(error.find("line 261"), std::string::npos) << error;  // section 257 is refused
}

TEST(SdpParserRejects, TooManyLinesAndTooManyBytes) {
  std::string lines = kHead;
  for (int i = 0; i < 70000; ++i) lines += "a=x\n";
  EXPECT_NE(errorOf(lines).find("more than 65536 lines"), std::string::npos);
  std::string big = std::string(kHead) + std::string(2 << 20, '\n');
  EXPECT_NE(errorOf(big).find("exceeds the limit"), std::string::npos);
}

TEST(SdpParserRejects, BadPortNumbers) {
  for (const char* port : {"65536", "-1", "9x", "", "99999999999999999999999", "0x10"}) {
    const std::string text = std::string(kHead) + "m=audio " + port + " UDP/TLS/RTP/SAVPF 111\r\n";
    const std::string error = errorOf(text);
    EXPECT_NE(error.find("line 5"), std::string::npos) << port << ": " << error;
  }
  EXPECT_NE(errorOf(std::string(kHead) + "m=audio 70000 RTP/AVP 0\r\n").find("bad port"),
            std::string::npos);
}

TEST(SdpParserRejects, BadPayloadTypesAndNumbers) {
  const std::string m = std::string(kHead) + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n";
  EXPECT_NE(
      errorOf(std::string(kHead) + "m=video 9 UDP/TLS/RTP/SAVPF 128\r\n").find("bad payload type"),
      std::string::npos);
  EXPECT_NE(errorOf(std::string(kHead) + "m=video 9 UDP/TLS/RTP/SAVPF 96 96\r\n")
                .find("duplicate payload type"),
            std::string::npos);
  EXPECT_NE(errorOf(m + "a=rtpmap:96 VP8/0\r\n").find("clock rate"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=rtpmap:96 VP8\r\n").find("line 6"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=extmap:0 urn:x\r\n").find("extmap id"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=extmap:256 urn:x\r\n").find("extmap id"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=extmap:1 urn:x\r\na=extmap:1 urn:y\r\n").find("duplicate extmap"),
            std::string::npos);
  EXPECT_NE(errorOf(m + "a=ssrc:4294967296 cname:x\r\n").find("bad SSRC"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=ssrc-group:FID 1 x\r\n").find("bad SSRC"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=candidate:1 1 udp 1 192.0.2.1 70000 typ host\r\n").find("port"),
            std::string::npos);
  EXPECT_NE(errorOf(m + "a=fingerprint:sha-256 AB:CD:E\r\n").find("fingerprint"),
            std::string::npos);
  EXPECT_NE(errorOf(m + "a=rid:q sideways\r\n").find("rid direction"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=simulcast:send q recv\r\n").find("simulcast"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=setup:sometimes\r\n").find("a=setup"), std::string::npos);
}

TEST(SdpParserRejects, TruncatedLines) {
  // A real offer cut in the middle of each line either parses or fails with a line number.
  const std::string offer = testing::readTestSdp("chromium-offer-simulcast.sdp");
  size_t failures = 0;
  size_t lineStart = 0;
  for (size_t end = offer.find('\n'); end != std::string::npos; end = offer.find('\n', end + 1)) {
    const size_t cut = lineStart + (end - lineStart) / 2;
    lineStart = end + 1;
    auto parsed = parse(std::string_view(offer).substr(0, cut));
    if (!parsed.ok()) {
      ++failures;
      EXPECT_TRUE(parsed.error().rfind("line ", 0) == 0 ||
                  parsed.error().find("SDP") != std::string::npos)
          << parsed.error();
    }
  }
  EXPECT_GT(failures, 0u);
  EXPECT_NE(errorOf(std::string(kHead) + "m=audio 9\r\n").find("m= line needs"), std::string::npos);
  EXPECT_NE(errorOf(std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF\r\n").find("m= line needs"),
            std::string::npos);
  EXPECT_NE(errorOf("v=0\r\no=- 1\r\n").find("o= line needs 6 fields"), std::string::npos);
  EXPECT_NE(errorOf(std::string(kHead) + "a\r\n").find("expected <type>=<value>"),
            std::string::npos);
}

TEST(SdpParserRejects, MissingVersionOrOrigin) {
  EXPECT_NE(errorOf("").find("empty SDP"), std::string::npos);
  EXPECT_NE(errorOf("o=- 1 1 IN IP4 0.0.0.0\r\n").find("v=0"), std::string::npos);
  EXPECT_NE(errorOf("v=0\r\ns=-\r\n").find("without o="), std::string::npos);
  EXPECT_NE(errorOf("v=0\r\nm=audio 9 RTP/AVP 0\r\n").find("before o="), std::string::npos);
  std::string withNul = std::string(kHead) + "a=x";
  withNul += '\0';
  withNul += "y\r\n";
  EXPECT_NE(errorOf(withNul).find("control character"), std::string::npos);
}

TEST(SdpParserRejects, BadIceCredentialsAndMid) {
  const std::string m = std::string(kHead) + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n";
  EXPECT_NE(errorOf(m + "a=ice-ufrag:ab cd\r\n").find("a=ice-ufrag"), std::string::npos);
  EXPECT_NE(errorOf(m + "a=ice-pwd:" + std::string(300, 'a') + "\r\n").find("a=ice-pwd"),
            std::string::npos);
  EXPECT_NE(errorOf(m + "a=mid:a:b\r\n").find("a=mid"), std::string::npos);
}

TEST(SdpParser, IgnoresUnknownAttributesAndLineTypes) {
  auto parsed = parse(std::string(kHead) +
                      "b=AS:30\r\na=x-google-flag:conference\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                      "a=rtpmap:111 opus/48000/2\r\na=rtpmap:112 notlisted/8000\r\n"
                      "a=x-whatever\r\nb=TIAS:128000\r\n");
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  ASSERT_EQ(parsed->otherAttributes.size(), 1u);
  EXPECT_EQ(parsed->otherAttributes[0].value, "conference");
  ASSERT_EQ(parsed->media[0].codecs.size(), 1u);
  ASSERT_EQ(parsed->media[0].otherAttributes.size(), 1u);
  EXPECT_FALSE(parsed->media[0].otherAttributes[0].hasValue);
}

}  // namespace
}  // namespace treff::sdp
