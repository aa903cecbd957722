#include "chromium_capture.hpp"

#include <fstream>
#include <stdexcept>

#include "ice/stun_message.hpp"

namespace treff::ice::test {

std::vector<CapturedDatagram> chromiumStunDatagrams() {
  std::vector<CapturedDatagram> stun;
  for (auto& d :
       readUdpDatagrams(std::string(TREFF_TEST_DATA) + "/chromium-loopback-unencrypted.pcap")) {
    if (looksLikeStun(d.payload)) stun.push_back(std::move(d));
  }
  return stun;
}

IceCredentials iceCredentialsFromSdp(const std::string& fileName) {
  std::ifstream in(std::string(TREFF_TEST_DATA) + "/" + fileName);
  if (!in) throw std::runtime_error("cannot open " + fileName);
  IceCredentials c;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (c.ufrag.empty() && line.rfind("a=ice-ufrag:", 0) == 0) c.ufrag = line.substr(12);
    if (c.pwd.empty() && line.rfind("a=ice-pwd:", 0) == 0) c.pwd = line.substr(10);
  }
  if (c.ufrag.empty() || c.pwd.empty())
    throw std::runtime_error("no ICE credentials in " + fileName);
  return c;
}

}  // namespace treff::ice::test
