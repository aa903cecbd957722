#include "send_batch.hpp"

#include <netinet/udp.h>
#include <sys/uio.h>

#include <cstring>
#include <stdexcept>

namespace treff::ceiling {

SendBatch::SendBatch(int fd, size_t maxMessages, bool gso)
    : fd_(fd),
      maxMessages_(maxMessages),
      gso_(gso),
      arenaSize_(maxMessages * kMaxDatagram),
      arena_(new uint8_t[maxMessages * kMaxDatagram]),
      messages_(new Message[maxMessages]),
      headers_(new mmsghdr[maxMessages]),
      iovs_(new iovec[maxMessages]),
      controlStride_(CMSG_SPACE(sizeof(uint16_t))) {
  if (maxMessages == 0 || maxMessages > 1024)
    throw std::invalid_argument("send batch must hold 1..1024 messages (UIO_MAXIOV)");
  control_.reset(new uint8_t[controlStride_ * maxMessages]);
  std::memset(arena_.get(), 0, arenaSize_);  // fault the pages in before measuring
  std::memset(control_.get(), 0, controlStride_ * maxMessages);
}

SendBatch::~SendBatch() = default;

void SendBatch::commit(const sockaddr_in* to, size_t len) {
  if (gso_ && count_ > 0) {
    Message& last = messages_[count_ - 1];
    if (last.to == to && !last.closed && last.segments < kMaxSegments &&
        last.bytes + len <= kMaxGsoBytes && len <= last.segmentSize) {
      last.bytes += static_cast<uint32_t>(len);
      ++last.segments;
      last.closed = len < last.segmentSize;
      used_ += len;
      return;
    }
  }
  messages_[count_] = Message{
      to,   static_cast<uint32_t>(used_), static_cast<uint32_t>(len), static_cast<uint16_t>(len), 1,
      false};
  ++count_;
  used_ += len;
}

void SendBatch::flush() {
  if (count_ == 0) return;
  uint8_t* controlBase = control_.get();
  for (size_t i = 0; i < count_; ++i) {
    const Message& m = messages_[i];
    iovs_[i].iov_base = arena_.get() + m.offset;
    iovs_[i].iov_len = m.bytes;
    msghdr& h = headers_[i].msg_hdr;
    h.msg_name = const_cast<sockaddr_in*>(m.to);
    h.msg_namelen = sizeof(sockaddr_in);
    h.msg_iov = &iovs_[i];
    h.msg_iovlen = 1;
    h.msg_flags = 0;
    if (m.segments > 1) {
      // Linux UDP GSO: the UDP_SEGMENT cmsg carries the segment size as a uint16_t.
      uint8_t* buf = controlBase + i * controlStride_;
      h.msg_control = buf;
      h.msg_controllen = controlStride_;
      cmsghdr* c = CMSG_FIRSTHDR(&h);
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      std::memcpy(CMSG_DATA(c), &m.segmentSize, sizeof(uint16_t));
    } else {
      h.msg_control = nullptr;
      h.msg_controllen = 0;
    }
  }
  size_t done = 0;
  while (done < count_) {
    int n = sendmmsg(fd_, headers_.get() + done, static_cast<unsigned>(count_ - done), 0);
    ++stats_.syscalls;
    if (n <= 0) {
      // The message at the head was refused: count its datagrams as lost and go on.
      ++stats_.sendErrors;
      stats_.datagramsRefused += messages_[done].segments;
      ++done;
      continue;
    }
    for (int i = 0; i < n; ++i) stats_.datagramsSent += messages_[done + i].segments;
    stats_.messagesSent += static_cast<uint64_t>(n);
    done += static_cast<size_t>(n);
  }
  count_ = 0;
  used_ = 0;
}

}  // namespace treff::ceiling
