#include "pcap_reader.hpp"

#include <arpa/inet.h>

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "util/bytes.hpp"

namespace treff::ice::test {
namespace {

constexpr uint32_t kPcapMagicMicros = 0xA1B2C3D4;
constexpr uint32_t kPcapMagicNanos = 0xA1B23C4D;
constexpr uint32_t kLinkTypeEthernet = 1;
constexpr size_t kEthernetHeader = 14;
constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint8_t kIpProtoUdp = 17;

uint32_t loadLe32(const uint8_t* p) {
  return p[0] | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}

net::SocketAddress ipv4Address(const uint8_t* address, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  std::memcpy(&sa.sin_addr, address, 4);
  return net::SocketAddress::fromSockaddr(reinterpret_cast<const sockaddr*>(&sa), sizeof(sa));
}

}  // namespace

std::vector<CapturedDatagram> readUdpDatagrams(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  in.seekg(0, std::ios::end);
  std::vector<uint8_t> file(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  in.read(reinterpret_cast<char*>(file.data()), static_cast<std::streamsize>(file.size()));
  if (file.size() < 24) throw std::runtime_error("pcap too short: " + path);

  // Global header: magic, version, zone, sigfigs, snaplen, link type. Swapped magic = big endian.
  const uint32_t magicLe = loadLe32(file.data());
  const bool littleEndian = magicLe == kPcapMagicMicros || magicLe == kPcapMagicNanos;
  const uint32_t magicBe = util::loadBe32(file.data());
  if (!littleEndian && magicBe != kPcapMagicMicros && magicBe != kPcapMagicNanos) {
    throw std::runtime_error("not a classic pcap file: " + path);
  }
  auto load32 = [littleEndian](const uint8_t* p) {
    return littleEndian ? loadLe32(p) : util::loadBe32(p);
  };
  if (load32(file.data() + 20) != kLinkTypeEthernet) {
    throw std::runtime_error("pcap link type is not Ethernet: " + path);
  }

  std::vector<CapturedDatagram> out;
  size_t at = 24;
  size_t frame = 0;
  while (file.size() - at >= 16) {
    const uint32_t captured = load32(file.data() + at + 8);
    at += 16;
    if (captured > file.size() - at) throw std::runtime_error("truncated pcap record");
    const uint8_t* p = file.data() + at;
    const size_t n = captured;
    at += captured;
    ++frame;

    if (n < kEthernetHeader + 20 || util::loadBe16(p + 12) != kEtherTypeIpv4) continue;
    const uint8_t* ip = p + kEthernetHeader;
    const size_t ipAvailable = n - kEthernetHeader;
    const size_t ihl = static_cast<size_t>(ip[0] & 0x0F) * 4;
    const size_t ipTotal = util::loadBe16(ip + 2);
    const bool fragmented = (util::loadBe16(ip + 6) & 0x3FFF) != 0;  // MF flag or an offset
    if ((ip[0] >> 4) != 4 || ihl < 20 || ipTotal > ipAvailable || ipTotal < ihl + 8 ||
        ip[9] != kIpProtoUdp || fragmented) {
      continue;
    }
    const uint8_t* udp = ip + ihl;
    const size_t udpLength = util::loadBe16(udp + 4);
    if (udpLength < 8 || udpLength > ipTotal - ihl) continue;
    out.push_back({frame, ipv4Address(ip + 12, util::loadBe16(udp)),
                   ipv4Address(ip + 16, util::loadBe16(udp + 2)),
                   std::vector<uint8_t>(udp + 8, udp + udpLength)});
  }
  return out;
}

}  // namespace treff::ice::test
