#include "generator.hpp"

#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "send_batch.hpp"
#include "srtp/srtp_session.hpp"
#include "udp.hpp"
#include "util/bytes.hpp"

namespace treff::ceiling {

using srtp::SrtpSession;

namespace {

constexpr size_t kRtpHeader = 12;
constexpr size_t kExtension = 8;  // RFC 8285 one-byte form: one 2-byte element and padding
constexpr size_t kMaxBurst = 64;

uint64_t monotonicNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

}  // namespace

struct Generator::Publisher {
  size_t index;
  int fd;
  SrtpSession session;
  uint16_t videoSeq, audioSeq;
  uint32_t videoTs, audioTs;
  uint16_t extensionSeq;
  uint64_t nextFrameNs, nextAudioNs;
  uint64_t frames;
};

Generator::Generator(const Config& config, size_t first, size_t count, const sockaddr_in& forwarder)
    : config_(config),
      first_(first),
      forwarder_(forwarder),
      plain_(SendBatch::kMaxDatagram, 0),
      out_(kMaxBurst * SendBatch::kMaxDatagram, 0),
      outLen_(kMaxBurst, 0) {
  if (config.videoFramePackets == 0 || config.videoFramePackets > kMaxBurst)
    throw std::invalid_argument("video frame packets must be 1..64");
  const size_t tag = srtp::rtpTagLength(config.profile);
  const size_t smallest = kRtpHeader + kExtension + tag + 1;
  if (config.audioBytes < smallest || config.videoBytes < smallest ||
      config.audioBytes > SendBatch::kMaxDatagram - SrtpSession::kMaxRtpOverhead ||
      config.videoBytes > SendBatch::kMaxDatagram - SrtpSession::kMaxRtpOverhead)
    throw std::invalid_argument("packet sizes must leave room for header, extension and tag");
  publishers_.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const size_t p = first + i;
    const uint32_t seed = static_cast<uint32_t>(p * 2654435761u);
    publishers_.push_back(Publisher{
        p, openUdp("127.0.0.1", 0, 50),
        Topology::publisherSession(p, config.profile, SrtpSession::Direction::Outbound),
        static_cast<uint16_t>(seed), static_cast<uint16_t>(seed >> 16), seed, ~seed, 0, 0, 0, 0});
  }
  // The payload pattern is written once; only headers change per packet.
  for (size_t i = kRtpHeader + kExtension; i < plain_.size(); ++i)
    plain_[i] = static_cast<uint8_t>(i * 7 + 3);
}

Generator::~Generator() {
  for (auto& p : publishers_) close(p.fd);
}

std::vector<uint16_t> Generator::sourcePorts() const {
  std::vector<uint16_t> ports;
  for (const auto& p : publishers_) ports.push_back(ntohs(localAddress(p.fd).sin_port));
  return ports;
}

void Generator::sendBurst(Publisher& p, size_t count) {
  mmsghdr headers[kMaxBurst];
  iovec iovs[kMaxBurst];
  for (size_t i = 0; i < count; ++i) {
    iovs[i].iov_base = out_.data() + i * SendBatch::kMaxDatagram;
    iovs[i].iov_len = outLen_[i];
    std::memset(&headers[i], 0, sizeof(mmsghdr));
    headers[i].msg_hdr.msg_iov = &iovs[i];
    headers[i].msg_hdr.msg_iovlen = 1;
    headers[i].msg_hdr.msg_name = &forwarder_;
    headers[i].msg_hdr.msg_namelen = sizeof(forwarder_);
  }
  size_t done = 0;
  while (done < count) {
    int n = sendmmsg(p.fd, headers + done, static_cast<unsigned>(count - done), 0);
    if (n <= 0) {
      ++errors_;
      ++done;
      continue;
    }
    for (int i = 0; i < n; ++i) bytes_ += outLen_[done + static_cast<size_t>(i)];
    sent_ += static_cast<uint64_t>(n);
    done += static_cast<size_t>(n);
  }
}

namespace {

// Writes the RTP header and the one-byte header extension (a transport-wide sequence number,
// as browsers send) in front of the payload pattern.
void writeHeader(uint8_t* p, bool marker, uint8_t pt, uint16_t seq, uint32_t ts, uint32_t ssrc,
                 uint16_t extensionSeq) {
  p[0] = 0x90;  // V=2, X=1
  p[1] = static_cast<uint8_t>((marker ? 0x80 : 0) | pt);
  util::storeBe16(p + 2, seq);
  util::storeBe32(p + 4, ts);
  util::storeBe32(p + 8, ssrc);
  p[12] = 0xbe;
  p[13] = 0xde;
  util::storeBe16(p + 14, 1);
  p[16] = 0x31;  // id 3, length 2
  util::storeBe16(p + 17, extensionSeq);
  p[19] = 0;
}

}  // namespace

void Generator::sendFrame(Publisher& p, uint64_t frameIndex) {
  const size_t tag = srtp::rtpTagLength(config_.profile);
  const size_t full = config_.videoBytes - tag;
  const size_t n = config_.videoFramePackets;
  const uint32_t ssrc = Topology::publisherSsrc(p.index, MediaKind::Video);
  for (size_t i = 0; i < n; ++i) {
    // The last packet of a frame carries the remainder: 40..100 % of a full packet.
    size_t len = full;
    if (i + 1 == n && n > 1)
      len = std::max<size_t>(kRtpHeader + kExtension + 1,
                             full * (40 + (frameIndex * 37 + p.index * 11) % 61) / 100);
    writeHeader(plain_.data(), i + 1 == n, kVideoPayloadType, p.videoSeq++, p.videoTs, ssrc,
                p.extensionSeq++);
    size_t outLen = 0;
    p.session.protectRtp(plain_.data(), len, out_.data() + i * SendBatch::kMaxDatagram,
                         SendBatch::kMaxDatagram, &outLen);
    outLen_[i] = outLen;
  }
  sendBurst(p, n);
}

void Generator::sendAudio(Publisher& p) {
  const size_t len = config_.audioBytes - srtp::rtpTagLength(config_.profile);
  writeHeader(plain_.data(), false, kAudioPayloadType, p.audioSeq++, p.audioTs,
              Topology::publisherSsrc(p.index, MediaKind::Audio), p.extensionSeq++);
  p.audioTs += 960;  // 20 ms at 48 kHz
  size_t outLen = 0;
  p.session.protectRtp(plain_.data(), len, out_.data(), SendBatch::kMaxDatagram, &outLen);
  outLen_[0] = outLen;
  sendBurst(p, 1);
}

void Generator::run(const std::atomic<bool>& stop) {
  const double fps = config_.audioOnly ? 0.0
                                       : config_.videoPacketsPerSecond * config_.rateScale /
                                             static_cast<double>(config_.videoFramePackets);
  const double aps = config_.audioPacketsPerSecond * config_.rateScale;
  const uint64_t framePeriod = fps > 0 ? static_cast<uint64_t>(1e9 / fps) : 0;
  const uint64_t audioPeriod = aps > 0 ? static_cast<uint64_t>(1e9 / aps) : 0;
  const uint32_t frameTicks = fps > 0 ? static_cast<uint32_t>(90000.0 / fps) : 0;
  const uint64_t start = monotonicNs() + 10000000ull;
  const size_t total = std::max<size_t>(1, config_.publisherCount());
  constexpr uint64_t kNever = ~0ull;
  for (auto& p : publishers_) {
    // Spread the publishers' phases evenly over one period.
    p.nextFrameNs = framePeriod ? start + framePeriod * p.index / total : kNever;
    p.nextAudioNs = audioPeriod ? start + audioPeriod * p.index / total + audioPeriod / 2 : kNever;
  }
  while (!stop.load(std::memory_order_relaxed)) {
    const uint64_t now = monotonicNs();
    uint64_t next = kNever;
    for (auto& p : publishers_) {
      if (p.nextFrameNs <= now) {
        if (now - p.nextFrameNs > 5000000ull) lateWakeups.fetch_add(1, std::memory_order_relaxed);
        sendFrame(p, p.frames++);
        p.videoTs += frameTicks;
        p.nextFrameNs += framePeriod;
        if (p.nextFrameNs + 100000000ull < now) p.nextFrameNs = now;  // fell far behind
      }
      if (p.nextAudioNs <= now) {
        if (now - p.nextAudioNs > 5000000ull) lateWakeups.fetch_add(1, std::memory_order_relaxed);
        sendAudio(p);
        p.nextAudioNs += audioPeriod;
        if (p.nextAudioNs + 100000000ull < now) p.nextAudioNs = now;
      }
      next = std::min({next, p.nextFrameNs, p.nextAudioNs});
    }
    packetsSent.store(sent_, std::memory_order_relaxed);
    bytesSent.store(bytes_, std::memory_order_relaxed);
    sendErrors.store(errors_, std::memory_order_relaxed);
    if (next == kNever) break;
    const uint64_t wake = std::min<uint64_t>(next, monotonicNs() + 50000000ull);
    if (wake > monotonicNs()) {
      timespec ts{static_cast<time_t>(wake / 1000000000ull),
                  static_cast<long>(wake % 1000000000ull)};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
    }
  }
}

}  // namespace treff::ceiling
