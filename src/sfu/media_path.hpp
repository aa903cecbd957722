// One ICE candidate pair as the server sees it: a local socket (UDP) or connection (ICE-TCP)
// and the peer's address. A transport accepts media only on paths that passed an ICE check.
#pragma once

#include <cstddef>
#include <functional>

#include "net/socket_address.hpp"

namespace treff::net {
class UdpSocket;
class TcpConnection;
}  // namespace treff::net

namespace treff::sfu {

struct MediaPath {
  net::UdpSocket* udp = nullptr;
  net::TcpConnection* tcp = nullptr;
  net::SocketAddress remote;

  bool valid() const { return udp || tcp; }
  bool operator==(const MediaPath& o) const {
    return udp == o.udp && tcp == o.tcp && remote == o.remote;
  }
};

struct MediaPathHash {
  size_t operator()(const MediaPath& p) const {
    return std::hash<const void*>()(p.udp ? static_cast<const void*>(p.udp)
                                          : static_cast<const void*>(p.tcp)) ^
           (p.remote.hash() * 31);
  }
};

}  // namespace treff::sfu
