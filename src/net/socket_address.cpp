#include "net/socket_address.hpp"

#include <arpa/inet.h>

namespace treff::net {

SocketAddress SocketAddress::fromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress a;
  if (sa->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in));
  } else if (sa->sa_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    std::memcpy(&a.storage_, sa, sizeof(sockaddr_in6));
  }
  return a;
}

std::optional<SocketAddress> SocketAddress::fromString(std::string_view ip, uint16_t port) {
  std::string s(ip);
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, s.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, s.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return a;
  }
  return std::nullopt;
}

uint16_t SocketAddress::port() const {
  if (isV4()) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  if (isV6()) return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
  return 0;
}

void SocketAddress::setPort(uint16_t port) {
  if (isV4()) reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  if (isV6()) reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
}

const uint8_t* SocketAddress::addressBytes() const {
  if (isV4()) {
    return reinterpret_cast<const uint8_t*>(
        &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr);
  }
  return reinterpret_cast<const uint8_t*>(
      &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr);
}

std::string SocketAddress::ipString() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (isV4() || isV6()) inet_ntop(family(), addressBytes(), buf, sizeof(buf));
  return buf;
}

std::string SocketAddress::toString() const {
  if (isV6()) return "[" + ipString() + "]:" + std::to_string(port());
  return ipString() + ":" + std::to_string(port());
}

bool SocketAddress::operator==(const SocketAddress& o) const {
  if (family() != o.family() || port() != o.port()) return false;
  return std::memcmp(addressBytes(), o.addressBytes(), addressLength()) == 0;
}

size_t SocketAddress::hash() const {
  size_t h = static_cast<size_t>(family()) * 1000003u ^ port();
  const uint8_t* p = addressBytes();
  for (size_t i = 0; i < addressLength(); ++i) h = h * 131 + p[i];
  return h;
}

}  // namespace treff::net
