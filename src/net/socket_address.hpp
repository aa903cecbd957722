// An IPv4 or IPv6 address and port, comparable and hashable, for 5-tuple lookups.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace treff::net {

class SocketAddress {
 public:
  SocketAddress() { std::memset(&storage_, 0, sizeof(storage_)); }
  static SocketAddress fromSockaddr(const sockaddr* sa, socklen_t len);
  // "1.2.3.4" or "::1" (no brackets); nullopt when not a numeric address.
  static std::optional<SocketAddress> fromString(std::string_view ip, uint16_t port);

  int family() const { return storage_.ss_family; }
  bool isV4() const { return family() == AF_INET; }
  bool isV6() const { return family() == AF_INET6; }
  uint16_t port() const;
  void setPort(uint16_t port);
  // 4 or 16 address bytes in network order.
  const uint8_t* addressBytes() const;
  size_t addressLength() const { return isV4() ? 4 : isV6() ? 16 : 0; }
  std::string ipString() const;
  // "1.2.3.4:5" or "[::1]:5".
  std::string toString() const;

  const sockaddr* sockaddrPtr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* sockaddrPtr() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t sockaddrLength() const {
    return isV4() ? sizeof(sockaddr_in) : isV6() ? sizeof(sockaddr_in6) : 0;
  }

  bool operator==(const SocketAddress& o) const;
  bool operator!=(const SocketAddress& o) const { return !(*this == o); }
  size_t hash() const;

 private:
  sockaddr_storage storage_;
};

}  // namespace treff::net

template <>
struct std::hash<treff::net::SocketAddress> {
  size_t operator()(const treff::net::SocketAddress& a) const { return a.hash(); }
};
