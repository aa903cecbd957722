#include "app/config.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace treff::app {
namespace {

ParsedArgs parse(std::vector<const char*> args) {
  args.insert(args.begin(), "treff");
  return parseArgs(static_cast<int>(args.size()), args.data());
}

std::string writeTemp(const std::string& text) {
  char name[] = "/tmp/treff-config-XXXXXX";
  int fd = mkstemp(name);
  EXPECT_GE(fd, 0);
  FILE* f = fdopen(fd, "w");
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return name;
}

TEST(Config, DefaultsListenOnLoopback) {
  auto r = parse({});
  ASSERT_FALSE(r.exit);
  EXPECT_EQ(r.config.listenIps, std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(r.config.httpPort, 8080);
  EXPECT_EQ(r.config.mediaPort, 10000);
  EXPECT_GE(r.config.workers, 1u);
  EXPECT_FALSE(r.config.logAddresses);
}

TEST(Config, FlagsSetEveryValue) {
  auto r = parse({"--listen-ip", "127.0.0.1", "--listen-ip", "::1", "--announce-ip", "203.0.113.7",
                  "--http-port", "0", "--media-port", "41000", "--workers", "3"});
  ASSERT_FALSE(r.exit);
  EXPECT_EQ(r.config.listenIps, (std::vector<std::string>{"127.0.0.1", "::1"}));
  EXPECT_EQ(r.config.announceIp, "203.0.113.7");
  EXPECT_EQ(r.config.httpPort, 0);
  EXPECT_EQ(r.config.mediaPort, 41000);
  EXPECT_EQ(r.config.workers, 3u);
}

TEST(Config, BadFlagValuesExitWithAnError) {
  testing::internal::CaptureStderr();
  EXPECT_TRUE(parse({"--listen-ip", "not-an-ip"}).exit);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("not-an-ip"), std::string::npos) << err;

  testing::internal::CaptureStderr();
  auto r = parse({"--media-port", "70000"});
  testing::internal::GetCapturedStderr();
  EXPECT_TRUE(r.exit);
  EXPECT_NE(r.exitCode, 0);

  testing::internal::CaptureStderr();
  EXPECT_TRUE(parse({"--no-such-flag"}).exit);
  testing::internal::GetCapturedStderr();
}

TEST(Config, MediaPortsMustFitAboveTheBase) {
  testing::internal::CaptureStderr();
  auto r = parse({"--media-port", "65535", "--workers", "2"});
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_TRUE(r.exit);
  EXPECT_NE(err.find("65535"), std::string::npos) << err;
}

TEST(Config, WildcardListenNeedsAnAnnouncedAddress) {
  testing::internal::CaptureStderr();
  EXPECT_TRUE(parse({"--listen-ip", "0.0.0.0"}).exit);
  testing::internal::GetCapturedStderr();
  EXPECT_FALSE(parse({"--listen-ip", "0.0.0.0", "--announce-ip", "198.51.100.1"}).exit);
}

TEST(Config, TomlFileIsReadAndFlagsOverrideIt) {
  std::string path = writeTemp(
      "listen_ips = [\"127.0.0.1\"]\nhttp_port = 9000\nmedia_port = 45000\nworkers = 2\n"
      "log_level = \"warn\"\n");
  auto r = parse({"--config", path.c_str(), "--http-port", "9100"});
  ASSERT_FALSE(r.exit);
  EXPECT_EQ(r.config.httpPort, 9100);
  EXPECT_EQ(r.config.mediaPort, 45000);
  EXPECT_EQ(r.config.workers, 2u);
  EXPECT_EQ(r.config.logLevel, "warn");
  std::remove(path.c_str());
}

TEST(Config, MeetingLimitsAndOperatorLinks) {
  auto r = parse({"--max-participants", "12", "--privacy-url", "https://example.org/privacy",
                  "--imprint-url", "/imprint"});
  ASSERT_FALSE(r.exit);
  EXPECT_EQ(r.config.maxParticipantsPerMeeting, 12u);
  EXPECT_EQ(r.config.privacyUrl, "https://example.org/privacy");
  EXPECT_EQ(r.config.imprintUrl, "/imprint");
  testing::internal::CaptureStderr();
  EXPECT_TRUE(parse({"--privacy-url", "javascript:alert(1)"}).exit);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("javascript:alert(1)"), std::string::npos) << err;
}

TEST(Config, TomlErrorsNameTheKey) {
  struct Case {
    std::string text;
    std::string mentions;
  };
  for (const auto& c : std::vector<Case>{{"http_port = \"eighty\"\n", "http_port"},
                                         {"workers = 1000\n", "workers"},
                                         {"colour = \"blue\"\n", "colour"},
                                         {"listen_ips = \"127.0.0.1\"\n", "listen_ips"},
                                         {"media_port = [\n", "line"}}) {
    std::string path = writeTemp(c.text);
    testing::internal::CaptureStderr();
    auto r = parse({"--config", path.c_str()});
    std::string err = testing::internal::GetCapturedStderr();
    EXPECT_TRUE(r.exit) << c.text;
    EXPECT_NE(err.find(c.mentions), std::string::npos) << c.text << " -> " << err;
    std::remove(path.c_str());
  }
}

TEST(Config, LastNAndLoudestAudioHaveDefaultsFlagsAndFileKeys) {
  auto defaults = parse({});
  ASSERT_FALSE(defaults.exit);
  EXPECT_EQ(defaults.config.lastN, -1);
  EXPECT_EQ(defaults.config.audioLoudestN, 5);
  EXPECT_EQ(defaults.config.audioLoudestMinParticipants, 30u);
  auto flags =
      parse({"--last-n", "4", "--audio-loudest-n", "0", "--audio-loudest-min-participants", "50"});
  ASSERT_FALSE(flags.exit);
  EXPECT_EQ(flags.config.lastN, 4);
  EXPECT_EQ(flags.config.audioLoudestN, 0);
  EXPECT_EQ(flags.config.audioLoudestMinParticipants, 50u);
  std::string file = writeTemp("last_n = 2\naudio_loudest_n = 3\n");
  auto toml = parse({"--config", file.c_str()});
  std::remove(file.c_str());
  ASSERT_FALSE(toml.exit);
  EXPECT_EQ(toml.config.lastN, 2);
  EXPECT_EQ(toml.config.audioLoudestN, 3);
  testing::internal::CaptureStderr();
  auto bad = parse({"--last-n", "-5"});
  testing::internal::GetCapturedStderr();
  EXPECT_TRUE(bad.exit);
  EXPECT_NE(bad.exitCode, 0);
}

TEST(Config, VideoCodecIsVp8UnlessSetAndMustBeKnown) {
  auto defaults = parse({});
  ASSERT_FALSE(defaults.exit);
  EXPECT_EQ(defaults.config.videoCodec, "VP8");
  auto flag = parse({"--video-codec", "vp9"});
  ASSERT_FALSE(flag.exit);
  EXPECT_EQ(flag.config.videoCodec, "VP9");  // written as SDP names it
  std::string file = writeTemp("video_codec = \"av1\"\n");
  auto toml = parse({"--config", file.c_str()});
  std::remove(file.c_str());
  ASSERT_FALSE(toml.exit);
  EXPECT_EQ(toml.config.videoCodec, "AV1");
  auto bad = parse({"--video-codec", "H265"});
  EXPECT_TRUE(bad.exit);
  EXPECT_NE(bad.exitCode, 0);
}

}  // namespace
}  // namespace treff::app
