// Test helper: the UDP datagrams of a classic pcap file (Ethernet link type, IPv4, no
// fragments), enough to replay the captured Chromium call in tests/data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "net/socket_address.hpp"

namespace treff::ice::test {

struct CapturedDatagram {
  size_t frameNumber;  // 1-based, as Wireshark counts
  net::SocketAddress source;
  net::SocketAddress destination;
  std::vector<uint8_t> payload;
};

// Throws std::runtime_error when the file is missing or not a pcap this reader understands.
std::vector<CapturedDatagram> readUdpDatagrams(const std::string& path);

}  // namespace treff::ice::test
