// Test helper: reads a classic libpcap file (Ethernet link type, IPv4/UDP) and yields each UDP
// payload with its capture time and ports. Other packets (ARP, IPv6, TCP, fragments) are skipped.
// Test code only: reads the whole file into memory and allocates freely.
#pragma once

#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace treff::test {

struct UdpDatagram {
  uint64_t timestampUs = 0;  // capture time, microseconds since the epoch
  uint32_t srcIp = 0;        // host order
  uint32_t dstIp = 0;
  uint16_t srcPort = 0;
  uint16_t dstPort = 0;
  std::vector<uint8_t> payload;
};

namespace pcap_detail {

inline uint32_t load32(const uint8_t* p, bool swapped) {
  if (swapped) {
    return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
           static_cast<uint32_t>(p[2]) << 8 | p[3];
  }
  return static_cast<uint32_t>(p[3]) << 24 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[1]) << 8 | p[0];
}

inline uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }

inline uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

}  // namespace pcap_detail

// Returns every IPv4/UDP datagram in capture order. Throws std::runtime_error if the file cannot
// be read or is not a pcap file with Ethernet link type.
inline std::vector<UdpDatagram> readPcapUdp(const std::string& path) {
  using namespace pcap_detail;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open pcap file: " + path);
  std::vector<uint8_t> file;
  uint8_t chunk[65536];
  size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof(chunk), f)) > 0)
    file.insert(file.end(), chunk, chunk + n);
  std::fclose(f);

  if (file.size() < 24) throw std::runtime_error("pcap file too short: " + path);
  const uint32_t magic = load32(file.data(), false);
  bool swapped = false;
  bool nanos = false;
  if (magic == 0xa1b2c3d4u) {
  } else if (magic == 0xd4c3b2a1u) {
    swapped = true;
  } else if (magic == 0xa1b23c4du) {
    nanos = true;
  } else if (magic == 0x4d3cb2a1u) {
    swapped = nanos = true;
  } else {
    throw std::runtime_error("not a classic pcap file: " + path);
  }
  const uint32_t linkType = load32(file.data() + 20, swapped);
  if (linkType != 1) throw std::runtime_error("pcap link type is not Ethernet: " + path);

  std::vector<UdpDatagram> out;
  size_t pos = 24;
  while (pos + 16 <= file.size()) {
    const uint8_t* rec = file.data() + pos;
    const uint64_t sec = load32(rec, swapped);
    const uint64_t frac = load32(rec + 4, swapped);
    const uint32_t capLen = load32(rec + 8, swapped);
    pos += 16;
    if (capLen > file.size() - pos) break;  // truncated last record
    const uint8_t* frame = file.data() + pos;
    pos += capLen;

    // Ethernet II, with optional 802.1Q tags.
    size_t off = 12;
    if (capLen < off + 2) continue;
    uint16_t etherType = be16(frame + off);
    off += 2;
    while ((etherType == 0x8100 || etherType == 0x88a8) && capLen >= off + 4) {
      etherType = be16(frame + off + 2);
      off += 4;
    }
    if (etherType != 0x0800 || capLen < off + 20) continue;
    const uint8_t* ip = frame + off;
    if ((ip[0] >> 4) != 4) continue;
    const size_t ihl = static_cast<size_t>(ip[0] & 0x0f) * 4;
    const size_t totalLen = be16(ip + 2);
    const uint16_t fragment = be16(ip + 6);
    if (ihl < 20 || totalLen < ihl + 8 || off + totalLen > capLen) continue;
    if (ip[9] != 17 || (fragment & 0x3fff) != 0) continue;  // UDP, unfragmented only
    const uint8_t* udp = ip + ihl;
    const size_t udpLen = be16(udp + 4);
    if (udpLen < 8 || ihl + udpLen > totalLen) continue;

    UdpDatagram d;
    d.timestampUs = sec * 1000000u + (nanos ? frac / 1000u : frac);
    d.srcIp = be32(ip + 12);
    d.dstIp = be32(ip + 16);
    d.srcPort = be16(udp);
    d.dstPort = be16(udp + 2);
    d.payload.assign(udp + 8, udp + udpLen);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace treff::test
