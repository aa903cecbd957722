#include "client_transport.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ice/stun_builder.hpp"
#include "ice/stun_message.hpp"
#include "srtp/srtp_session.hpp"
#include "util/random.hpp"
#include "util/time.hpp"

namespace treff::loadgen {
namespace {

// RFC 8445 §5.1.2.1 priority of a host candidate: type preference 126, local preference 65535,
// component 1.
constexpr uint32_t kHostPriority = (126u << 24) | (65535u << 8) | (256u - 1);
constexpr size_t kMaxReadsPerWakeup = 64;

}  // namespace

const char* toString(TransportState state) {
  switch (state) {
    case TransportState::New:
      return "new";
    case TransportState::Checking:
      return "checking";
    case TransportState::Handshaking:
      return "handshaking";
    case TransportState::Connected:
      return "connected";
    case TransportState::Failed:
      return "failed";
    case TransportState::Closed:
      return "closed";
  }
  return "?";
}

ClientTransport::ClientTransport(net::EventLoop& loop, const dtls::Context& dtlsContext,
                                 Listener& listener, std::string localUfrag, std::string localPwd,
                                 uint8_t* receiveBuffer, size_t receiveCapacity)
    : loop_(loop),
      dtlsContext_(dtlsContext),
      listener_(listener),
      localUfrag_(std::move(localUfrag)),
      localPwd_(std::move(localPwd)),
      receiveBuffer_(receiveBuffer),
      receiveCapacity_(receiveCapacity),
      tieBreaker_(util::randomU64()) {}

ClientTransport::~ClientTransport() {
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
}

void ClientTransport::start(const RemoteEndpoint& remote, uint64_t nowMs) {
  remote_ = remote;
  fd_ = ::socket(remote.address.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  // A connected socket: the kernel filters other sources and send() needs no address.
  if (::connect(fd_, remote.address.sockaddrPtr(), remote.address.sockaddrLength()) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd_);
    fd_ = -1;
    throw std::runtime_error("connect to " + remote.address.toString() + ": " + why);
  }
  int size = 1 << 20;
  setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
  setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
  loop_.add(fd_, EPOLLIN, this);
  startedAtMs_ = nowMs;
  state_ = TransportState::Checking;
  dtls_ = std::make_unique<dtls::DtlsTransport>(dtlsContext_, remote.localRole,
                                                static_cast<dtls::DtlsTransport::Listener&>(*this));
  dtls_->setRemoteFingerprint(remote.fingerprintAlgorithm, remote.fingerprint);
  sendBindingRequest(true, nowMs);
}

void ClientTransport::sendBindingRequest(bool nominate, uint64_t nowMs) {
  ice::ControllingBindingRequest request;
  request.localUfrag = localUfrag_;
  request.remoteUfrag = remote_.ufrag;
  request.remotePwd = remote_.pwd;
  request.priority = kHostPriority;
  request.tieBreaker = tieBreaker_;
  request.useCandidate = nominate;
  util::randomBytes({request.transactionId.data(), request.transactionId.size()});
  pending_[pendingNext_++ % pending_.size()] = request.transactionId;
  uint8_t buf[256];
  const size_t size = ice::buildControllingBindingRequest(request, buf, sizeof(buf));
  if (size == 0) return;
  sendDatagram(buf, size);
  ++counters_.stunRequestsSent;
  nextCheckMs_ = nowMs + (state_ == TransportState::Checking
                              ? kCheckIntervalMs
                              : kConsentIntervalMs * (80 + util::randomU32() % 41) / 100);
}

void ClientTransport::onTick(uint64_t nowMs) {
  if (state_ == TransportState::New || state_ == TransportState::Failed ||
      state_ == TransportState::Closed) {
    return;
  }
  if (state_ != TransportState::Connected && nowMs - startedAtMs_ > kConnectTimeoutMs) {
    fail(state_ == TransportState::Checking ? "ICE checks got no answer" : "DTLS timed out");
    return;
  }
  if (state_ == TransportState::Connected && lastResponseMs_ &&
      nowMs - lastResponseMs_ > kConsentTimeoutMs) {
    fail("ICE consent expired");  // RFC 7675 §5.1
    return;
  }
  // Until connected keep nominating; afterwards the checks only refresh consent.
  if (nowMs >= nextCheckMs_) sendBindingRequest(state_ != TransportState::Connected, nowMs);
  if (dtls_ && dtls_->state() == dtls::DtlsState::Connecting &&
      dtls_->nextTimeoutMs(nowMs) <= nowMs) {
    dtls_->onTimer(nowMs);
  }
}

void ClientTransport::onIoReady(uint32_t) {
  for (size_t i = 0; i < kMaxReadsPerWakeup && fd_ >= 0; ++i) {
    const ssize_t n = ::recv(fd_, receiveBuffer_, receiveCapacity_, 0);
    if (n <= 0) return;
    const uint64_t nowUs = util::nowUs();
    const auto size = static_cast<size_t>(n);
    ++counters_.datagramsReceived;
    counters_.bytesReceived += size;
    const uint8_t first = receiveBuffer_[0];
    // RFC 7983 §7 demultiplexing by the first byte.
    if (first <= 3) {
      onStun(receiveBuffer_, size, nowUs / 1000);
    } else if (first >= 20 && first <= 63) {
      if (dtls_) dtls_->onDatagram(receiveBuffer_, size);
    } else if (first >= 128 && first <= 191) {
      onSrtpDatagram(receiveBuffer_, size, nowUs);
    } else {
      ++counters_.unknownDatagrams;
    }
  }
}

void ClientTransport::onStun(const uint8_t* data, size_t size, uint64_t nowMs) {
  auto message = ice::StunMessage::parse({data, size});
  if (!message || message->method() != ice::kStunMethodBinding) {
    ++counters_.unknownDatagrams;
    return;
  }
  if (message->messageClass() == ice::StunClass::Request) {
    answerBindingRequest(data, size);
    return;
  }
  if (message->messageClass() != ice::StunClass::SuccessResponse) {
    ++counters_.unknownDatagrams;  // an error response: keep checking until the timeout
    return;
  }
  bool ours = false;
  for (const auto& id : pending_) {
    ours = ours || std::memcmp(id.data(), message->transactionId().data(), id.size()) == 0;
  }
  if (!ours || !message->verifyMessageIntegrity(remote_.pwd)) {
    ++counters_.unknownDatagrams;
    return;
  }
  ++counters_.stunResponsesReceived;
  lastResponseMs_ = nowMs;
  if (state_ == TransportState::Checking) {
    // The nominated pair works (RFC 8445 §8.1.1): DTLS may start.
    state_ = TransportState::Handshaking;
    nextCheckMs_ = nowMs + kConsentIntervalMs;
    dtls_->start();
  }
}

// A full ICE peer (not Treff, which is ICE-lite) checks our candidate too: answer it
// (RFC 8445 §7.3), keyed with our own password.
void ClientTransport::answerBindingRequest(const uint8_t* data, size_t size) {
  auto request = ice::StunMessage::parse({data, size});
  if (!request || !request->verifyMessageIntegrity(localPwd_)) return;
  uint8_t buf[256];
  ice::StunBuilder builder(buf, sizeof(buf), ice::kStunMethodBinding,
                           ice::StunClass::SuccessResponse, request->transactionId());
  builder.addXorMappedAddress(remote_.address);
  const size_t length = builder.finish(std::string_view(localPwd_), true);
  if (length == 0) return;
  sendDatagram(buf, length);
  ++counters_.stunRequestsAnswered;
}

void ClientTransport::onSrtpDatagram(uint8_t* data, size_t size, uint64_t nowUs) {
  if (!inbound_ || size < 12) return;
  size_t plain = 0;
  // RFC 5761 §4: payload types 64..95 with the marker bit (second byte 192..223) are RTCP.
  const bool rtcp = data[1] >= 192 && data[1] <= 223;
  const srtp::Error error = rtcp ? inbound_->unprotectRtcp(data, size, &plain)
                                 : inbound_->unprotectRtp(data, size, &plain);
  if (error != srtp::Error::Ok) {
    ++counters_.srtpErrors;
    return;
  }
  if (rtcp) {
    listener_.onRtcp(*this, data, plain, nowUs);
  } else {
    listener_.onRtp(*this, data, plain, nowUs);
  }
}

bool ClientTransport::sendRtp(uint8_t* buf, size_t size, size_t cap) {
  if (!outbound_) return false;
  size_t out = 0;
  if (outbound_->protectRtp(buf, size, buf, cap, &out) != srtp::Error::Ok) return false;
  sendDatagram(buf, out);
  return true;
}

bool ClientTransport::sendRtcp(uint8_t* buf, size_t size, size_t cap) {
  if (!outbound_) return false;
  size_t out = 0;
  if (outbound_->protectRtcp(buf, size, buf, cap, &out) != srtp::Error::Ok) return false;
  sendDatagram(buf, out);
  return true;
}

void ClientTransport::sendDatagram(const uint8_t* data, size_t size) {
  if (fd_ < 0) return;
  if (::send(fd_, data, size, 0) < 0) {
    ++counters_.sendErrors;
    return;
  }
  ++counters_.datagramsSent;
  counters_.bytesSent += size;
}

void ClientTransport::close() {
  if (state_ == TransportState::Closed) return;
  if (dtls_ && dtls_->state() == dtls::DtlsState::Connected) dtls_->close();
  state_ = TransportState::Closed;
  outbound_.reset();
  inbound_.reset();
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
    fd_ = -1;
  }
}

void ClientTransport::fail(const char* why) {
  if (state_ == TransportState::Failed || state_ == TransportState::Closed) return;
  state_ = TransportState::Failed;
  failure_ = why;
  listener_.onTransportFailed(*this, why);
}

void ClientTransport::onDtlsSend(const uint8_t* data, size_t size) { sendDatagram(data, size); }

void ClientTransport::onDtlsConnected(const dtls::SrtpKeyingMaterial& keys) {
  const auto profile = srtp::profileFromId(keys.profileId);
  if (!profile) {
    fail("DTLS chose an SRTP profile we cannot use");
    return;
  }
  // Room for every SSRC a big room sends us, plus their retransmission streams.
  constexpr size_t kMaxStreams = 1024;
  outbound_ = std::make_unique<srtp::SrtpSession>(*profile, keys.localKey, keys.localSalt,
                                                  srtp::SrtpSession::Direction::Outbound);
  inbound_ =
      std::make_unique<srtp::SrtpSession>(*profile, keys.remoteKey, keys.remoteSalt,
                                          srtp::SrtpSession::Direction::Inbound, kMaxStreams);
  state_ = TransportState::Connected;
  connectedAtMs_ = util::nowMs();
  listener_.onTransportConnected(*this);
}

void ClientTransport::onDtlsFailed(dtls::DtlsFailure reason) { fail(dtls::toString(reason)); }

void ClientTransport::onDtlsClosed() { fail("the server closed DTLS"); }

}  // namespace treff::loadgen
