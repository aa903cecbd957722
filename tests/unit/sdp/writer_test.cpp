#include <gtest/gtest.h>

#include "sdp/parser.hpp"
#include "sdp/writer.hpp"
#include "sdp_test_files.hpp"

namespace treff::sdp {
namespace {

using testing::readTestSdp;

// Lines of `text` without their line ends.
std::vector<std::string> linesOf(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
  return std::find(lines.begin(), lines.end(), line) != lines.end();
}

class SdpWriterRoundTrip : public ::testing::TestWithParam<const char*> {};

// Every line of the browser's SDP appears in our rewrite of it (order may differ), and the
// rewrite is CRLF terminated and parses to the same model fields.
TEST_P(SdpWriterRoundTrip, KeepsEveryBrowserLine) {
  const std::string original = readTestSdp(GetParam());
  auto parsed = parse(original);
  ASSERT_TRUE(parsed.ok()) << parsed.error();
  const std::string written = write(*parsed);
  ASSERT_GE(written.size(), 2u);
  EXPECT_EQ(written.substr(written.size() - 2), "\r\n");
  EXPECT_EQ(written.find("\n\n"), std::string::npos);
  const auto writtenLines = linesOf(written);
  for (const std::string& line : linesOf(original)) {
    if (line.rfind("a=msid-semantic:", 0) == 0) continue;  // spacing is normalised
    EXPECT_TRUE(contains(writtenLines, line)) << "lost: " << line;
  }
  auto reparsed = parse(written);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  ASSERT_EQ(reparsed->media.size(), parsed->media.size());
  for (size_t i = 0; i < parsed->media.size(); ++i) {
    const MediaSection& a = parsed->media[i];
    const MediaSection& b = reparsed->media[i];
    EXPECT_EQ(a.mid, b.mid);
    ASSERT_EQ(a.codecs.size(), b.codecs.size());
    for (size_t c = 0; c < a.codecs.size(); ++c) {
      EXPECT_EQ(a.codecs[c].payloadType, b.codecs[c].payloadType);
      EXPECT_EQ(a.codecs[c].fmtp, b.codecs[c].fmtp);
      EXPECT_EQ(a.codecs[c].rtcpFeedback, b.codecs[c].rtcpFeedback);
    }
    EXPECT_EQ(a.ssrcs.size(), b.ssrcs.size());
    EXPECT_EQ(a.extmaps.size(), b.extmaps.size());
  }
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, SdpWriterRoundTrip,
                         ::testing::Values("chromium-offer-simulcast.sdp",
                                           "firefox-offer-simulcast.sdp", "chromium-answer.sdp",
                                           "chromium-offer-simulcast-unencrypted.sdp",
                                           "chromium-answer-unencrypted.sdp"));

TEST(SdpWriter, WritesServerOfferSsrcsWithFidGroup) {
  SessionDescription d;
  d.origin.sessionId = "42";
  d.iceLite = true;
  d.bundleMids = {"0"};
  MediaSection video;
  video.kind = MediaKind::Video;
  video.media = "video";
  video.mid = "0";
  video.direction = Direction::SendOnly;
  video.rtcpMux = true;
  Codec vp8;
  vp8.payloadType = 96;
  vp8.name = "VP8";
  vp8.clockRate = 90000;
  vp8.rtcpFeedback = {{"nack", "pli"}};
  Codec rtx;
  rtx.payloadType = 97;
  rtx.name = "rtx";
  rtx.clockRate = 90000;
  rtx.fmtp = "apt=96";
  video.codecs = {vp8, rtx};
  video.msids = {{"stream", "track"}};
  video.ssrcGroups = {{"FID", {1111, 2222}}};
  video.ssrcs = {{1111, "cname", "c"}, {2222, "cname", "c"}};
  d.media.push_back(video);
  const std::string text = write(d);
  EXPECT_NE(text.find("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"), std::string::npos) << text;
  EXPECT_NE(text.find("a=ice-lite\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=group:BUNDLE 0\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=msid:stream track\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ssrc-group:FID 1111 2222\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=ssrc:2222 cname:c\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=rtcp-fb:96 nack pli\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=fmtp:97 apt=96\r\n"), std::string::npos);
  EXPECT_NE(text.find("a=sendonly\r\n"), std::string::npos);
  auto reparsed = parse(text);
  ASSERT_TRUE(reparsed.ok()) << reparsed.error();
  EXPECT_EQ(reparsed->media[0].ssrcGroups[0].ssrcs, (std::vector<uint32_t>{1111, 2222}));
  EXPECT_EQ(reparsed->media[0].findCodec(97)->fmtpParameter("apt"), "96");
}

}  // namespace
}  // namespace treff::sdp
