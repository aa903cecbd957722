// Raw UDP socket helpers for the probe (IPv4 loopback): open, bind, buffer sizes, timeouts.
#pragma once

#include <netinet/in.h>

#include <cstdint>

namespace treff::ceiling {

// A bound IPv4 UDP socket on `ip`:`port` (0 picks one); blocking, with a receive timeout of
// `recvTimeoutMs` so loops can notice a stop flag. Its buffers are `bufferBytes`, beyond
// net.core.rmem_max where the process may (SO_RCVBUFFORCE), so a thread the scheduler holds
// back briefly does not lose datagrams. Throws std::runtime_error with the reason.
// With `reusePort`, several sockets share the port (SO_REUSEPORT): the kernel spreads the
// senders over them by address.
int openUdp(const char* ip, uint16_t port, int recvTimeoutMs, int bufferBytes = 4 << 20,
            bool reusePort = false);
// The receive buffer the kernel granted (it counts skb overhead, so about twice the request).
int receiveBufferBytes(int fd);
sockaddr_in localAddress(int fd);
// Lets the socket receive coalesced GSO trains (UDP_GRO); false where the kernel refuses.
bool enableUdpGro(int fd);

}  // namespace treff::ceiling
