// Test helper: the RTP packets of the captured Chromium call (tests/data), picked out of its UDP
// datagrams, and the RED (RFC 2198) unwrapping the video needs. Test code only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pcap_reader.hpp"
#include "util/bytes.hpp"

namespace treff::rtp::rtptest {

struct CapturedRtp {
  uint64_t timestampUs;
  std::vector<uint8_t> bytes;  // the UDP payload, one RTP packet
};

// The VP8 call by default; the other captures (tests/data/README.md) by file name.
inline std::string capturePath(const std::string& file = "chromium-loopback-unencrypted.pcap") {
  return std::string(TREFF_TEST_DATA) + "/" + file;
}

// RFC 7983 §7: first byte 128..191 is RTP or RTCP; RFC 5761 §4: a second byte whose low 7 bits
// are 64..95 is RTCP (packet types 192..223).
inline bool looksLikeRtp(const std::vector<uint8_t>& d) {
  if (d.size() < 12 || d[0] < 128 || d[0] > 191) return false;
  const uint8_t pt = d[1] & 0x7f;
  return pt < 64 || pt > 95;
}

inline std::vector<CapturedRtp> capturedRtp(
    const std::string& file = "chromium-loopback-unencrypted.pcap") {
  std::vector<CapturedRtp> out;
  for (auto& d : treff::test::readPcapUdp(capturePath(file))) {
    if (looksLikeRtp(d.payload)) out.push_back({d.timestampUs, std::move(d.payload)});
  }
  return out;
}

// RFC 2198 §3: every block header but the last is 4 bytes (F=1); the last is 1 byte (F=0) and
// its data, the primary encoding, runs to the end. Returns the primary block (empty if
// malformed) and its payload type.
inline util::ConstBytes redPrimary(util::ConstBytes red, uint8_t* blockPt) {
  size_t pos = 0;
  size_t redundantBytes = 0;
  while (pos < red.size() && (red[pos] & 0x80)) {
    if (red.size() - pos < 4) return {};
    redundantBytes += static_cast<size_t>((red[pos + 2] & 0x03) << 8 | red[pos + 3]);
    pos += 4;
  }
  if (pos >= red.size()) return {};
  *blockPt = red[pos] & 0x7f;
  pos += 1 + redundantBytes;
  if (pos > red.size()) return {};
  return red.subspan(pos);
}

}  // namespace treff::rtp::rtptest
