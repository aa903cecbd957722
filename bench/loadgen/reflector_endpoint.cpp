#include "reflector_endpoint.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "media_stamp.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/vp8_descriptor.hpp"
#include "util/time.hpp"

namespace treff::loadgen {
namespace {

constexpr size_t kMaxReadsPerWakeup = 64;
constexpr int kSocketBufferBytes = 1 << 20;  // as a ClientTransport's socket

// The offset of the stamp inside an RTP payload of ours, by payload type; 0 if none.
size_t stampOffsetInPayload(uint8_t payloadType, util::ConstBytes payload) {
  if (payloadType == kReflectorAudioPayloadType) {
    return payload.size() >= kOpusStampOffset + MediaStamp::kSize ? kOpusStampOffset : 0;
  }
  if (payloadType != kReflectorVideoPayloadType) return 0;
  rtp::Vp8Descriptor descriptor;
  if (!rtp::parseVp8Descriptor(payload, &descriptor)) return 0;
  const size_t at = descriptor.size + kVp8StampAfterDescriptor;
  return payload.size() >= at + MediaStamp::kSize ? at : 0;
}

}  // namespace

size_t findStampOffset(uint8_t* packet, size_t size) {
  rtp::RtpPacket rtp;
  if (!rtp::RtpPacket::parse(packet, size, &rtp)) return 0;
  const util::ConstBytes payload = rtp.payload();
  const size_t inPayload = stampOffsetInPayload(rtp.payloadType(), payload);
  if (inPayload == 0) return 0;
  return static_cast<size_t>(payload.data() - packet) + inPayload;
}

ReflectorEndpoint::ReflectorEndpoint(net::EventLoop& loop, uint32_t firstInRoom, uint32_t roomSize,
                                     uint8_t* receiveBuffer, size_t receiveCapacity)
    : loop_(loop),
      firstInRoom_(firstInRoom),
      roomSize_(roomSize),
      receiveBuffer_(receiveBuffer),
      receiveCapacity_(receiveCapacity),
      flows_(size_t{roomSize} * 2) {}

ReflectorEndpoint::~ReflectorEndpoint() {
  if (fd_ >= 0) ::close(fd_);
}

void ReflectorEndpoint::open(const net::SocketAddress& reflector) {
  fd_ = ::socket(reflector.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  // Connected: the kernel picks our port, filters other sources and send() needs no address.
  if (::connect(fd_, reflector.sockaddrPtr(), reflector.sockaddrLength()) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to " + reflector.toString() + ": " + why);
  }
  int bytes = kSocketBufferBytes;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes));
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
  loop_.add(fd_, EPOLLIN, this);
}

size_t ReflectorEndpoint::sendBatch(mmsghdr* messages, size_t count) {
  size_t done = 0, failed = 0;
  while (done < count) {
    const int n = ::sendmmsg(fd_, messages + done, static_cast<unsigned>(count - done), 0);
    if (n <= 0) {
      // The message that failed is dropped (and counted); the rest still go.
      ++failed;
      ++done;
      continue;
    }
    done += static_cast<size_t>(n);
  }
  if (failed) sendErrors_.fetch_add(failed, std::memory_order_relaxed);
  return count - failed;
}

void ReflectorEndpoint::onIoReady(uint32_t) {
  for (size_t i = 0; i < kMaxReadsPerWakeup; ++i) {
    const ssize_t n = ::recv(fd_, receiveBuffer_, receiveCapacity_, 0);
    if (n <= 0) return;
    onDatagram(receiveBuffer_, static_cast<size_t>(n), util::nowUs());
  }
}

void ReflectorEndpoint::onDatagram(uint8_t* data, size_t size, uint64_t nowUs) {
  ++counters_.datagrams;
  counters_.bytes += size;
  liveReceived_.store(liveReceived_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  const size_t at = findStampOffset(data, size);
  MediaStamp stamp;
  if (at == 0 || !stamp.read(data + at, size - at)) {
    ++counters_.noStamp;
    return;
  }
  // In reflector mode the stamp's publisher field names the copy's recipient.
  const uint32_t recipient = stamp.publisher;
  if (recipient < firstInRoom_ || recipient - firstInRoom_ >= roomSize_) {
    ++counters_.foreignRecipient;
    return;
  }
  const uint32_t kind = data[1] & 0x7f;  // payload type, checked by findStampOffset
  const uint64_t delay = nowUs > stamp.sendUs ? nowUs - stamp.sendUs : 0;
  flows_[(recipient - firstInRoom_) * 2 + (kind == kReflectorVideoPayloadType ? 1 : 0)].onPacket(
      stamp.sequence, delay);
}

void ReflectorEndpoint::resetFlows() {
  for (auto& f : flows_) f.reset();
}

}  // namespace treff::loadgen
