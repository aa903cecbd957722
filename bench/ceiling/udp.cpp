#include "udp.hpp"

#include <arpa/inet.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace treff::ceiling {

int openUdp(const char* ip, uint16_t port, int recvTimeoutMs, int bufferBytes, bool reusePort) {
  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("udp socket: ") + std::strerror(errno));
  const int one = 1;
  if (reusePort) setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bufferBytes, sizeof(bufferBytes)) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufferBytes, sizeof(bufferBytes));
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &bufferBytes, sizeof(bufferBytes)) != 0)
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufferBytes, sizeof(bufferBytes));
  timeval tv{};
  tv.tv_sec = recvTimeoutMs / 1000;
  tv.tv_usec = (recvTimeoutMs % 1000) * 1000;
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, ip, &addr.sin_addr) != 1) {
    close(fd);
    throw std::runtime_error(std::string("not an IPv4 address: ") + ip);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(fd);
    throw std::runtime_error("cannot bind UDP " + std::string(ip) + ":" + std::to_string(port) +
                             ": " + std::strerror(err));
  }
  return fd;
}

sockaddr_in localAddress(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return addr;
}

int receiveBufferBytes(int fd) {
  int size = 0;
  socklen_t len = sizeof(size);
  getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, &len);
  return size;
}

bool enableUdpGro(int fd) {
  int one = 1;
  return setsockopt(fd, IPPROTO_UDP, UDP_GRO, &one, sizeof(one)) == 0;
}

}  // namespace treff::ceiling
