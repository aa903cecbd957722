// Helpers shared by the SRTP tests: hex literals and the RTP/RTCP packets of the captured
// unencrypted Chromium call in tests/data.
#pragma once

#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "util/bytes.hpp"
#include "util/encoding.hpp"

namespace treff::srtp::test {

using Bytes = std::vector<uint8_t>;

inline Bytes hex(std::string_view text) {
  auto bytes = util::fromHex(text);
  if (!bytes) throw std::invalid_argument("bad hex in test: " + std::string(text));
  return *bytes;
}

struct CapturedPackets {
  std::vector<Bytes> rtp;
  std::vector<Bytes> rtcp;
};

// UDP payloads of the classic-pcap Ethernet/IPv4 capture, split by RFC 7983/5761 demux:
// first byte 128..191 is RTP/RTCP, and payload type 192..223 is RTCP.
inline CapturedPackets loadChromiumCapture() {
  std::ifstream in(std::string(TREFF_TEST_DATA) + "/chromium-loopback-unencrypted.pcap",
                   std::ios::binary);
  Bytes file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto le32 = [&](size_t at) {
    return static_cast<uint32_t>(file[at]) | static_cast<uint32_t>(file[at + 1]) << 8 |
           static_cast<uint32_t>(file[at + 2]) << 16 | static_cast<uint32_t>(file[at + 3]) << 24;
  };
  CapturedPackets out;
  if (file.size() < 24 || le32(0) != 0xa1b2c3d4 || le32(20) != 1) return out;
  for (size_t at = 24; at + 16 <= file.size();) {
    const uint32_t caplen = le32(at + 8);
    const size_t frame = at + 16;
    at = frame + caplen;
    if (at > file.size() || caplen < 14 + 20 + 8) break;
    if (util::loadBe16(&file[frame + 12]) != 0x0800) continue;  // IPv4 only
    const size_t ip = frame + 14;
    const size_t ihl = 4 * static_cast<size_t>(file[ip] & 0x0f);
    if (file[ip + 9] != 17) continue;  // UDP
    const size_t udp = ip + ihl;
    const size_t udpLen = util::loadBe16(&file[udp + 4]);
    if (udpLen < 8 || udp + udpLen > at) continue;
    Bytes payload(file.begin() + static_cast<long>(udp + 8),
                  file.begin() + static_cast<long>(udp + udpLen));
    if (payload.size() < 12 || payload[0] < 128 || payload[0] > 191) continue;
    const uint8_t pt = payload[1];
    if (pt >= 192 && pt <= 223) {
      out.rtcp.push_back(std::move(payload));
    } else {
      out.rtp.push_back(std::move(payload));
    }
  }
  return out;
}

}  // namespace treff::srtp::test
