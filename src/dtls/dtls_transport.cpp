#include "dtls/dtls_transport.hpp"

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "dtls/certificate.hpp"
#include "dtls/dtls_record.hpp"
#include "util/encoding.hpp"

namespace treff::dtls {

const char* toString(DtlsFailure failure) {
  switch (failure) {
    case DtlsFailure::HandshakeTimeout:
      return "handshake timeout";
    case DtlsFailure::HandshakeFailed:
      return "handshake failed";
    case DtlsFailure::PeerAlert:
      return "peer sent a fatal alert";
    case DtlsFailure::FingerprintMismatch:
      return "fingerprint mismatch";
    case DtlsFailure::NoSrtpProfile:
      return "no common SRTP profile";
    case DtlsFailure::KeyExportFailed:
      return "key export failed";
    case DtlsFailure::ProtocolError:
      return "protocol error";
  }
  return "unknown";
}

const char* toString(DtlsState state) {
  switch (state) {
    case DtlsState::New:
      return "new";
    case DtlsState::Connecting:
      return "connecting";
    case DtlsState::Connected:
      return "connected";
    case DtlsState::Failed:
      return "failed";
    case DtlsState::Closed:
      return "closed";
  }
  return "unknown";
}

namespace {

// RFC 5764 §4.2: the exporter label for DTLS-SRTP keys.
constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";
// RFC 6347 §4.2.4.1: back off to at most 60 s.
constexpr unsigned kMaxRetransmitUs = 60'000'000;
constexpr size_t kMaxPlaintext = 16384;

struct ProfileLengths {
  size_t key = 0;
  size_t salt = 0;
};

// Master key and salt lengths per protection profile (RFC 5764 §4.1.2, RFC 7714 §12).
ProfileLengths lengthsFor(uint16_t profileId) {
  switch (profileId) {
    case kSrtpAes128CmSha1_80:
    case kSrtpAes128CmSha1_32:
      return {16, 14};
    case kSrtpAeadAes128Gcm:
      return {16, 12};
    case kSrtpAeadAes256Gcm:
      return {32, 12};
    default:
      return {};
  }
}

}  // namespace

// OpenSSL callbacks, given access to the transport that owns the SSL (SSL app data).
struct SslCallbacks {
  static DtlsTransport* transportOf(const SSL* ssl) {
    return static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  }

  // Runs for each certificate of the peer's chain. Self-signed is expected (RFC 8827 §6.5);
  // what we pin is the end-entity certificate's fingerprint from the remote SDP (RFC 5763 §5).
  // Rejecting it here makes OpenSSL send a bad_certificate alert, so the peer fails too.
  static int verify(int, X509_STORE_CTX* store) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    DtlsTransport* self = ssl ? transportOf(ssl) : nullptr;
    if (self == nullptr) return 0;
    if (X509_STORE_CTX_get_error_depth(store) != 0) return 1;
    if (self->remoteFingerprint_.empty()) return 1;  // checked once the SDP arrives
    X509* leaf = X509_STORE_CTX_get_current_cert(store);
    if (certificateDigest(leaf, self->remoteAlgorithm_) == self->remoteFingerprint_) return 1;
    self->fingerprintMismatch_ = true;
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
    return 0;
  }

  static void info(const SSL* ssl, int where, int value) {
    if ((where & SSL_CB_READ_ALERT) && (value >> 8) == SSL3_AL_FATAL) {
      if (DtlsTransport* self = transportOf(ssl)) self->peerFatalAlert_ = true;
    }
  }

  // OpenSSL asks for the next retransmission interval right before it writes a new flight
  // (previousUs == 0) or retransmits the last one.
  static unsigned int retransmitInterval(SSL* ssl, unsigned int previousUs) {
    DtlsTransport* self = transportOf(ssl);
    if (self) self->markFlightBoundary();
    if (previousUs == 0) {
      return self ? self->context_.options().initialRetransmitMs * 1000u : 1'000'000u;
    }
    return previousUs >= kMaxRetransmitUs / 2 ? kMaxRetransmitUs : previousUs * 2;
  }
};

DtlsTransport::DtlsTransport(const Context& context, Role role, Listener& listener)
    : context_(context), role_(role), listener_(listener) {
  ssl_ = SSL_new(context.sslContext());
  if (ssl_ == nullptr) throw std::runtime_error("dtls: SSL_new failed");
  readBio_ = BIO_new(BIO_s_mem());
  writeBio_ = BIO_new(BIO_s_mem());
  if (readBio_ == nullptr || writeBio_ == nullptr) {
    BIO_free(readBio_);
    BIO_free(writeBio_);
    SSL_free(ssl_);
    throw std::runtime_error("dtls: BIO_new failed");
  }
  // An empty read BIO means "no datagram yet", not end of stream.
  BIO_set_mem_eof_return(readBio_, -1);
  SSL_set_bio(ssl_, readBio_, writeBio_);
  SSL_set_app_data(ssl_, this);
  SSL_set_verify(ssl_, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, SslCallbacks::verify);
  SSL_set_info_callback(ssl_, SslCallbacks::info);
  DTLS_set_timer_cb(ssl_, SslCallbacks::retransmitInterval);
  // A memory BIO cannot report a path MTU: fix the record layer's budget ourselves. With a
  // memory BIO the per-datagram overhead is 0, so this is the whole DTLS datagram.
  SSL_set_options(ssl_, SSL_OP_NO_QUERY_MTU);
  if (DTLS_set_link_mtu(ssl_, context.options().mtu) != 1) {
    SSL_free(ssl_);
    throw std::runtime_error("dtls: DTLS_set_link_mtu failed");
  }
  if (role_ == Role::Server) {
    SSL_set_accept_state(ssl_);
  } else {
    SSL_set_connect_state(ssl_);
  }
  readBuffer_.resize(kMaxPlaintext);
  writeBuffer_.resize(4096);
}

DtlsTransport::~DtlsTransport() { SSL_free(ssl_); }

void DtlsTransport::setRemoteFingerprint(std::string_view algorithm, std::string_view value) {
  const size_t expectedLength = fingerprintLength(algorithm);
  if (expectedLength == 0) {
    throw std::invalid_argument("dtls: unsupported fingerprint algorithm " +
                                std::string(algorithm));
  }
  std::optional<std::vector<uint8_t>> bytes = util::fromHex(value);
  if (!bytes || bytes->size() != expectedLength) {
    throw std::invalid_argument("dtls: malformed " + std::string(algorithm) + " fingerprint");
  }
  remoteAlgorithm_ = std::string(algorithm);
  remoteFingerprint_ = std::move(*bytes);
  if (handshakeDone_ && state_ == DtlsState::Connecting) {
    finishConnection();
    flushOutput();
  }
}

void DtlsTransport::start() {
  if (state_ != DtlsState::New) return;
  state_ = DtlsState::Connecting;
  if (role_ == Role::Client) {
    advanceHandshake();
    flushOutput();
  }
}

DatagramResult DtlsTransport::onDatagram(const uint8_t* data, size_t size) {
  const util::ConstBytes datagram(data, size);
  if (!looksLikeDtls(datagram)) {
    ++stats_.droppedNotDtls;
    return DatagramResult::NotDtls;
  }
  if (validateDatagram(datagram) != RecordError::None) {
    ++stats_.droppedMalformed;
    return DatagramResult::MalformedRecord;
  }
  if (state_ == DtlsState::New && role_ == Role::Server) start();
  if (state_ != DtlsState::Connecting && state_ != DtlsState::Connected) {
    ++stats_.droppedInactive;
    return DatagramResult::Inactive;
  }
  ++stats_.datagramsReceived;
  // OpenSSL reads one datagram per BIO read: never let a leftover run into this one.
  if (BIO_ctrl_pending(readBio_) > 0) (void)BIO_reset(readBio_);
  BIO_write(readBio_, data, static_cast<int>(size));
  if (!handshakeDone_) advanceHandshake();
  if (handshakeDone_ && (state_ == DtlsState::Connecting || state_ == DtlsState::Connected)) {
    // Application data, the peer's retransmitted last flight, alerts, close_notify.
    readApplicationData();
  }
  flushOutput();
  return DatagramResult::Processed;
}

void DtlsTransport::advanceHandshake() {
  ERR_clear_error();
  const int ret = SSL_do_handshake(ssl_);
  if (ret == 1) {
    onHandshakeComplete();
    return;
  }
  const int error = SSL_get_error(ssl_, ret);
  ERR_clear_error();
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
  fail(handshakeFailureReason());
}

DtlsFailure DtlsTransport::handshakeFailureReason() const {
  if (fingerprintMismatch_) return DtlsFailure::FingerprintMismatch;
  if (peerFatalAlert_) return DtlsFailure::PeerAlert;
  return DtlsFailure::HandshakeFailed;
}

void DtlsTransport::onHandshakeComplete() {
  handshakeDone_ = true;
  // Without the remote fingerprint yet (the answer may arrive after the handshake), the keys
  // wait in OpenSSL until setRemoteFingerprint.
  if (!remoteFingerprint_.empty()) finishConnection();
}

bool DtlsTransport::peerCertificateMatches() const {
  X509* peer = SSL_get0_peer_certificate(ssl_);
  return peer != nullptr && certificateDigest(peer, remoteAlgorithm_) == remoteFingerprint_;
}

void DtlsTransport::finishConnection() {
  if (!peerCertificateMatches()) {
    // The handshake is over, so no handshake alert fits: end it cleanly so the peer stops too.
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
    fail(DtlsFailure::FingerprintMismatch);
    return;
  }
  const SRTP_PROTECTION_PROFILE* profile = SSL_get_selected_srtp_profile(ssl_);
  const uint16_t profileId = profile ? static_cast<uint16_t>(profile->id) : 0;
  const ProfileLengths lengths = lengthsFor(profileId);
  if (lengths.key == 0) {
    fail(DtlsFailure::NoSrtpProfile);
    return;
  }
  // RFC 5764 §4.2: client key | server key | client salt | server salt.
  const size_t total = 2 * (lengths.key + lengths.salt);
  std::vector<uint8_t> material(total);
  if (SSL_export_keying_material(ssl_, material.data(), total, kExporterLabel,
                                 sizeof(kExporterLabel) - 1, nullptr, 0, 0) != 1) {
    ERR_clear_error();
    fail(DtlsFailure::KeyExportFailed);
    return;
  }
  const uint8_t* clientKey = material.data();
  const uint8_t* serverKey = clientKey + lengths.key;
  const uint8_t* clientSalt = serverKey + lengths.key;
  const uint8_t* serverSalt = clientSalt + lengths.salt;
  const bool isServer = role_ == Role::Server;
  SrtpKeyingMaterial keys;
  keys.profileId = profileId;
  keys.localKey.assign(isServer ? serverKey : clientKey,
                       (isServer ? serverKey : clientKey) + lengths.key);
  keys.localSalt.assign(isServer ? serverSalt : clientSalt,
                        (isServer ? serverSalt : clientSalt) + lengths.salt);
  keys.remoteKey.assign(isServer ? clientKey : serverKey,
                        (isServer ? clientKey : serverKey) + lengths.key);
  keys.remoteSalt.assign(isServer ? clientSalt : serverSalt,
                         (isServer ? clientSalt : serverSalt) + lengths.salt);
  OPENSSL_cleanse(material.data(), material.size());
  state_ = DtlsState::Connected;
  listener_.onDtlsConnected(keys);
  OPENSSL_cleanse(keys.localKey.data(), keys.localKey.size());
  OPENSSL_cleanse(keys.remoteKey.data(), keys.remoteKey.size());
}

void DtlsTransport::readApplicationData() {
  while (state_ == DtlsState::Connecting || state_ == DtlsState::Connected) {
    ERR_clear_error();
    const int ret = SSL_read(ssl_, readBuffer_.data(), static_cast<int>(readBuffer_.size()));
    if (ret > 0) {
      // Before the fingerprint check nothing the peer says is trusted: drop it.
      if (state_ == DtlsState::Connected) {
        listener_.onDtlsApplicationData(readBuffer_.data(), static_cast<size_t>(ret));
      }
      continue;
    }
    const int error = SSL_get_error(ssl_, ret);
    ERR_clear_error();
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      // RFC 5246 §7.2.1: the peer's close_notify.
      const bool wasConnected = state_ == DtlsState::Connected;
      state_ = DtlsState::Closed;
      if (wasConnected) listener_.onDtlsClosed();
      return;
    }
    fail(peerFatalAlert_ ? DtlsFailure::PeerAlert : DtlsFailure::ProtocolError);
    return;
  }
}

void DtlsTransport::flushOutput() {
  // OpenSSL appends all records of this call to the memory BIO, without datagram boundaries.
  // Split them again at record boundaries, packing as many whole records per datagram as the
  // MTU allows; OpenSSL already fragments handshake messages so each record fits.
  size_t pending = BIO_ctrl_pending(writeBio_);
  if (pending == 0) return;
  if (writeBuffer_.size() < pending) writeBuffer_.resize(pending);
  const int read = BIO_read(writeBio_, writeBuffer_.data(), static_cast<int>(pending));
  if (read <= 0) return;
  const util::ConstBytes out(writeBuffer_.data(), static_cast<size_t>(read));
  const size_t mtu = context_.options().mtu;
  RecordIterator records(out);
  DtlsRecord record;
  size_t datagramStart = 0;
  size_t datagramEnd = 0;
  size_t nextBoundary = 0;
  while (records.next(record)) {
    const size_t recordEnd = records.offset();
    // A retransmitted flight and the next new flight can land in one call (the peer's flight
    // arrives after our timer ran out): keep them in separate datagrams, since a receiver may
    // discard whatever follows a stale record in the same datagram.
    bool flightStartsHere = false;
    while (nextBoundary < flightBoundaryCount_ && flightBoundaries_[nextBoundary] <= datagramEnd) {
      flightStartsHere = flightBoundaries_[nextBoundary] == datagramEnd;
      ++nextBoundary;
    }
    if ((flightStartsHere || recordEnd - datagramStart > mtu) && datagramEnd > datagramStart) {
      emitDatagram(out.data() + datagramStart, datagramEnd - datagramStart);
      datagramStart = datagramEnd;
    }
    datagramEnd = recordEnd;
  }
  flightBoundaryCount_ = 0;
  if (datagramEnd > datagramStart) {
    emitDatagram(out.data() + datagramStart, datagramEnd - datagramStart);
  }
  // Unparseable output cannot come from OpenSSL; should it ever, send it as it is.
  if (datagramEnd < out.size()) emitDatagram(out.data() + datagramEnd, out.size() - datagramEnd);
}

void DtlsTransport::markFlightBoundary() {
  const size_t offset = BIO_ctrl_pending(writeBio_);
  if (offset == 0 || flightBoundaryCount_ == flightBoundaries_.size()) return;
  if (flightBoundaryCount_ > 0 && flightBoundaries_[flightBoundaryCount_ - 1] == offset) return;
  flightBoundaries_[flightBoundaryCount_++] = offset;
}

void DtlsTransport::emitDatagram(const uint8_t* data, size_t size) {
  ++stats_.datagramsSent;
  listener_.onDtlsSend(data, size);
}

void DtlsTransport::latchDeadline(uint64_t nowMs) {
  if (deadlineLatched_) return;
  deadlineLatched_ = true;
  giveUpAtMs_ = nowMs + context_.options().handshakeTimeoutMs;
}

uint64_t DtlsTransport::nextTimeoutMs(uint64_t nowMs) {
  if (state_ != DtlsState::Connecting) return kNoTimeout;
  latchDeadline(nowMs);
  uint64_t next = giveUpAtMs_;
  timeval remaining{};
  if (DTLSv1_get_timeout(ssl_, &remaining) == 1) {
    const uint64_t remainingMs = static_cast<uint64_t>(remaining.tv_sec) * 1000 +
                                 (static_cast<uint64_t>(remaining.tv_usec) + 999) / 1000;
    next = std::min(next, nowMs + remainingMs);
  }
  return next;
}

void DtlsTransport::onTimer(uint64_t nowMs) {
  if (state_ != DtlsState::Connecting) return;
  latchDeadline(nowMs);
  if (nowMs >= giveUpAtMs_) {
    fail(DtlsFailure::HandshakeTimeout);
    return;
  }
  ERR_clear_error();
  // Retransmits the last flight if OpenSSL's timer has run out (RFC 6347 §4.2.4).
  if (DTLSv1_handle_timeout(ssl_) < 0) {
    ERR_clear_error();
    fail(DtlsFailure::HandshakeTimeout);
    return;
  }
  flushOutput();
}

bool DtlsTransport::sendApplicationData(const uint8_t* data, size_t size) {
  if (state_ != DtlsState::Connected || size == 0 || size > kMaxPlaintext) return false;
  ERR_clear_error();
  const int ret = SSL_write(ssl_, data, static_cast<int>(size));
  ERR_clear_error();
  flushOutput();
  return ret == static_cast<int>(size);
}

void DtlsTransport::close() {
  if (state_ != DtlsState::Connected && state_ != DtlsState::Connecting) return;
  if (handshakeDone_) {
    ERR_clear_error();
    SSL_shutdown(ssl_);  // RFC 5246 §7.2.1 close_notify
    ERR_clear_error();
    flushOutput();
  }
  state_ = DtlsState::Closed;
}

void DtlsTransport::fail(DtlsFailure reason) {
  if (state_ == DtlsState::Failed || state_ == DtlsState::Closed) return;
  flushOutput();  // an alert OpenSSL queued goes out first
  state_ = DtlsState::Failed;
  listener_.onDtlsFailed(reason);
}

}  // namespace treff::dtls
