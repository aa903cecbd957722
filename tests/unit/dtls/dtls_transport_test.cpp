#include "dtls/dtls_transport.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <thread>

#include "dtls/dtls_record.hpp"
#include "dtls_test_link.hpp"
#include "util/encoding.hpp"
#include "util/time.hpp"

namespace treff::dtls {
namespace {

using test::Datagram;
using test::Link;
using test::LinkOptions;

void expectCrosswiseKeys(const Link& link) {
  ASSERT_TRUE(link.serverSide.keys.has_value());
  ASSERT_TRUE(link.clientSide.keys.has_value());
  const SrtpKeyingMaterial& s = *link.serverSide.keys;
  const SrtpKeyingMaterial& c = *link.clientSide.keys;
  EXPECT_EQ(s.profileId, c.profileId);
  EXPECT_EQ(c.localKey, s.remoteKey);
  EXPECT_EQ(c.localSalt, s.remoteSalt);
  EXPECT_EQ(c.remoteKey, s.localKey);
  EXPECT_EQ(c.remoteSalt, s.localSalt);
  EXPECT_NE(s.localKey, s.remoteKey);
  EXPECT_NE(s.localSalt, s.remoteSalt);
}

size_t recordCount(const Datagram& d) {
  RecordIterator it(d);
  DtlsRecord record;
  size_t n = 0;
  while (it.next(record)) ++n;
  return n;
}

TEST(DtlsTransport, HandshakeCompletesAndExportsCrosswiseGcmKeys) {
  Link link;
  EXPECT_EQ(link.client.state(), DtlsState::New);
  link.client.start();
  EXPECT_EQ(link.client.state(), DtlsState::Connecting);
  link.pump();
  ASSERT_TRUE(link.connected());
  EXPECT_EQ(link.serverSide.connectedCalls, 1);
  EXPECT_EQ(link.clientSide.connectedCalls, 1);
  expectCrosswiseKeys(link);
  const SrtpKeyingMaterial& keys = *link.serverSide.keys;
  // Server preference: AEAD_AES_128_GCM, 128-bit key and 96-bit salt (RFC 7714 §12).
  EXPECT_EQ(keys.profileId, kSrtpAeadAes128Gcm);
  EXPECT_EQ(keys.localKey.size(), 16u);
  EXPECT_EQ(keys.localSalt.size(), 12u);
  EXPECT_FALSE(link.serverSide.failure.has_value());
  EXPECT_FALSE(link.clientSide.failure.has_value());
  EXPECT_EQ(link.server.nextTimeoutMs(1000), DtlsTransport::kNoTimeout);
}

TEST(DtlsTransport, ServerPicksGcmEvenWhenClientPrefersAesCm) {
  LinkOptions options;
  options.client.srtpProfiles = "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM";
  Link link(options);
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  expectCrosswiseKeys(link);
  EXPECT_EQ(link.clientSide.keys->profileId, kSrtpAeadAes128Gcm);
}

TEST(DtlsTransport, ClientOfferingOnlyAesCmGetsAesCm) {
  LinkOptions options;
  options.client.srtpProfiles = "SRTP_AES128_CM_SHA1_80";
  Link link(options);
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  expectCrosswiseKeys(link);
  const SrtpKeyingMaterial& keys = *link.clientSide.keys;
  EXPECT_EQ(keys.profileId, kSrtpAes128CmSha1_80);
  EXPECT_EQ(keys.localKey.size(), 16u);
  EXPECT_EQ(keys.localSalt.size(), 14u);  // RFC 3711 §8.2: 112-bit salt
}

TEST(DtlsTransport, NoCommonSrtpProfileFailsWithoutKeys) {
  LinkOptions options;
  options.server.srtpProfiles = "SRTP_AES128_CM_SHA1_80";
  options.client.srtpProfiles = "SRTP_AEAD_AES_128_GCM";
  Link link(options);
  link.client.start();
  link.pump();
  EXPECT_EQ(link.client.state(), DtlsState::Failed);
  EXPECT_EQ(link.clientSide.failure, DtlsFailure::NoSrtpProfile);
  EXPECT_NE(link.server.state(), DtlsState::Connected);
  EXPECT_FALSE(link.clientSide.keys.has_value());
  EXPECT_FALSE(link.serverSide.keys.has_value());
}

TEST(DtlsTransport, ServerRejectsClientCertificateNotInSdp) {
  Link link;
  Certificate stranger;
  link.server.setRemoteFingerprint("sha-256", stranger.fingerprintSha256());
  link.client.start();
  link.pump();
  EXPECT_EQ(link.server.state(), DtlsState::Failed);
  EXPECT_EQ(link.serverSide.failure, DtlsFailure::FingerprintMismatch);
  // The server's bad_certificate alert ends the client's handshake too.
  EXPECT_EQ(link.client.state(), DtlsState::Failed);
  EXPECT_EQ(link.clientSide.failure, DtlsFailure::PeerAlert);
  EXPECT_FALSE(link.serverSide.keys.has_value());
  EXPECT_FALSE(link.clientSide.keys.has_value());
}

TEST(DtlsTransport, ClientRejectsServerCertificateNotInSdp) {
  Link link;
  Certificate stranger;
  link.client.setRemoteFingerprint("sha-256", stranger.fingerprintSha256());
  link.client.start();
  link.pump();
  EXPECT_EQ(link.client.state(), DtlsState::Failed);
  EXPECT_EQ(link.clientSide.failure, DtlsFailure::FingerprintMismatch);
  EXPECT_EQ(link.server.state(), DtlsState::Failed);
  EXPECT_EQ(link.serverSide.failure, DtlsFailure::PeerAlert);
  EXPECT_FALSE(link.serverSide.keys.has_value());
  EXPECT_FALSE(link.clientSide.keys.has_value());
}

TEST(DtlsTransport, KeysWaitForALateFingerprintAndThenMatch) {
  LinkOptions options;
  options.clientKnowsFingerprint = false;
  Link link(options);
  link.client.start();
  link.pump();
  EXPECT_EQ(link.server.state(), DtlsState::Connected);
  EXPECT_EQ(link.client.state(), DtlsState::Connecting);
  EXPECT_FALSE(link.clientSide.keys.has_value());
  // The answer arrives after the handshake, with a sha-512 fingerprint this time.
  std::vector<uint8_t> digest = certificateDigest(link.serverCertificate.x509(), "sha-512");
  link.client.setRemoteFingerprint("sha-512", util::toColonHex(digest));
  EXPECT_EQ(link.client.state(), DtlsState::Connected);
  expectCrosswiseKeys(link);
}

TEST(DtlsTransport, LateWrongFingerprintFailsAndClosesThePeer) {
  LinkOptions options;
  options.clientKnowsFingerprint = false;
  Link link(options);
  link.client.start();
  link.pump();
  Certificate stranger;
  link.client.setRemoteFingerprint("sha-256", stranger.fingerprintSha256());
  EXPECT_EQ(link.client.state(), DtlsState::Failed);
  EXPECT_EQ(link.clientSide.failure, DtlsFailure::FingerprintMismatch);
  EXPECT_FALSE(link.clientSide.keys.has_value());
  link.pump();
  EXPECT_EQ(link.server.state(), DtlsState::Closed);
  EXPECT_EQ(link.serverSide.closedCalls, 1);
}

TEST(DtlsTransport, SetRemoteFingerprintAcceptsChromiumSdpAndRejectsMalformed) {
  std::ifstream sdp(std::string(TREFF_TEST_DATA) + "/chromium-offer-simulcast.sdp");
  ASSERT_TRUE(sdp.good());
  std::string line;
  std::string fingerprintLine;
  while (std::getline(sdp, line)) {
    if (line.rfind("a=fingerprint:", 0) == 0) fingerprintLine = line;
  }
  ASSERT_FALSE(fingerprintLine.empty());
  if (!fingerprintLine.empty() && fingerprintLine.back() == '\r') fingerprintLine.pop_back();
  const std::string attr = fingerprintLine.substr(14);
  const size_t space = attr.find(' ');
  ASSERT_NE(space, std::string::npos);
  Certificate certificate;
  Context context(certificate);
  test::Endpoint endpoint;
  DtlsTransport transport(context, Role::Server, endpoint);
  EXPECT_NO_THROW(transport.setRemoteFingerprint(attr.substr(0, space), attr.substr(space + 1)));
  EXPECT_THROW(transport.setRemoteFingerprint("md5", "AB:CD"), std::invalid_argument);
  EXPECT_THROW(transport.setRemoteFingerprint("sha-256", "AB:CD"), std::invalid_argument);
  EXPECT_THROW(transport.setRemoteFingerprint("sha-256", std::string(95, 'Z')),
               std::invalid_argument);
}

TEST(DtlsTransport, DatagramsNeverExceedTheMtuAndPackSeveralRecords) {
  Link link;
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  size_t largestRecordCount = 0;
  for (const auto* side : {&link.clientSide.sent, &link.serverSide.sent}) {
    for (const Datagram& d : *side) {
      EXPECT_LE(d.size(), 1200u);
      largestRecordCount = std::max(largestRecordCount, recordCount(d));
    }
  }
  // e.g. ServerHello..ServerHelloDone, or ChangeCipherSpec + Finished, share a datagram.
  EXPECT_GE(largestRecordCount, 2u);
}

TEST(DtlsTransport, SmallMtuSplitsCertificateFlightsAcrossDatagrams) {
  LinkOptions options;
  options.server.mtu = 300;
  options.client.mtu = 300;
  Link link(options);
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  expectCrosswiseKeys(link);
  size_t serverFlightDatagrams = 0;
  for (const auto* side : {&link.clientSide.sent, &link.serverSide.sent}) {
    for (const Datagram& d : *side) {
      EXPECT_LE(d.size(), 300u);
      EXPECT_EQ(validateDatagram(d), RecordError::None);
    }
  }
  // The server's first flight (hello, certificate, key exchange, request, done) is over 300 B.
  for (const Datagram& d : link.serverSide.sent) {
    RecordIterator it(d);
    DtlsRecord record;
    if (it.next(record) && record.epoch == 0) ++serverFlightDatagrams;
  }
  EXPECT_GE(serverFlightDatagrams, 3u);
}

TEST(DtlsTransport, LostClientHelloIsRetransmittedOnTimer) {
  LinkOptions options;
  options.client.initialRetransmitMs = 60;
  Link link(options);
  link.client.start();
  const uint64_t t0 = 5000;
  const uint64_t due = link.client.nextTimeoutMs(t0);
  EXPECT_GE(due, t0 + 1);
  EXPECT_LE(due, t0 + 61);
  link.pump([](bool fromServer, size_t index, const Datagram&) {
    return !fromServer && index == 0;  // the first ClientHello is lost
  });
  EXPECT_EQ(link.server.state(), DtlsState::New);
  const size_t sentBefore = link.clientSide.sent.size();
  link.client.onTimer(t0);  // too early: nothing to resend
  EXPECT_EQ(link.clientSide.sent.size(), sentBefore);
  std::this_thread::sleep_for(std::chrono::milliseconds(80));
  link.client.onTimer(due);
  EXPECT_EQ(link.clientSide.sent.size(), sentBefore + 1);
  link.pump();
  EXPECT_TRUE(link.connected());
  expectCrosswiseKeys(link);
}

TEST(DtlsTransport, LostServerFinishedIsRecoveredByClientRetransmission) {
  LinkOptions options;
  options.client.initialRetransmitMs = 20;
  options.server.initialRetransmitMs = 20;
  Link link(options);
  link.client.start();
  // Let the handshake run until the server has sent its final flight, and lose that flight.
  link.pump([&](bool fromServer, size_t, const Datagram& d) {
    if (!fromServer) return false;
    RecordIterator it(d);
    DtlsRecord record;
    bool finalFlight = false;
    while (it.next(record)) {
      if (record.contentType == ContentType::ChangeCipherSpec) finalFlight = true;
    }
    return finalFlight;
  });
  EXPECT_EQ(link.server.state(), DtlsState::Connected);
  EXPECT_EQ(link.client.state(), DtlsState::Connecting);
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  link.client.onTimer(util::nowMs());
  link.pump();
  EXPECT_TRUE(link.connected());
  expectCrosswiseKeys(link);
  EXPECT_EQ(link.serverSide.connectedCalls, 1);
}

TEST(DtlsTransport, RetransmittedFlightIsNeverPackedWithTheNextFlight) {
  LinkOptions options;
  options.client.initialRetransmitMs = 20;
  Link link(options);
  link.client.start();
  // The server answers only after the client's timer has run out: OpenSSL retransmits the
  // ClientHello and writes the next flight within the same call.
  const Datagram hello = link.clientSide.outbox.front();
  link.clientSide.outbox.clear();
  link.server.onDatagram(hello.data(), hello.size());
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const size_t before = link.clientSide.sent.size();
  link.pump();
  ASSERT_TRUE(link.connected());
  bool sawRetransmittedHello = false;
  for (size_t i = before; i < link.clientSide.sent.size(); ++i) {
    RecordIterator it(link.clientSide.sent[i]);
    DtlsRecord record;
    bool hasHello = false;
    bool hasLaterMessage = false;
    while (it.next(record)) {
      const bool isHandshake = record.contentType == ContentType::Handshake && record.epoch == 0;
      if (isHandshake && record.fragment[0] == 1) hasHello = true;
      if (isHandshake && record.fragment[0] != 1) hasLaterMessage = true;
    }
    sawRetransmittedHello |= hasHello;
    EXPECT_FALSE(hasHello && hasLaterMessage) << "datagram " << i;
  }
  EXPECT_TRUE(sawRetransmittedHello);
}

TEST(DtlsTransport, GivesUpAfterHandshakeTimeout) {
  Link link;
  link.client.start();
  const uint64_t t0 = 100;
  EXPECT_LE(link.client.nextTimeoutMs(t0), t0 + 30000);
  link.clientSide.outbox.clear();  // the peer never answers
  link.client.onTimer(t0 + 29999);
  EXPECT_EQ(link.client.state(), DtlsState::Connecting);
  link.client.onTimer(t0 + 30000);
  EXPECT_EQ(link.client.state(), DtlsState::Failed);
  EXPECT_EQ(link.clientSide.failure, DtlsFailure::HandshakeTimeout);
  EXPECT_EQ(link.client.nextTimeoutMs(t0 + 30001), DtlsTransport::kNoTimeout);
}

TEST(DtlsTransport, GarbageDatagramsAreRejectedWithoutBreakingTheSession) {
  Link link;
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());

  const uint8_t stun[] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
  EXPECT_EQ(link.server.onDatagram(stun, sizeof stun), DatagramResult::NotDtls);
  const uint8_t truncated[] = {0x17, 0xFE, 0xFD, 0x00, 0x01};
  EXPECT_EQ(link.server.onDatagram(truncated, sizeof truncated), DatagramResult::MalformedRecord);
  // Well framed but forged: an epoch-1 application data record that cannot authenticate, and
  // an epoch-0 handshake record after the handshake. RFC 6347 §4.1.2.7: silently discarded.
  std::vector<uint8_t> forged = {0x17, 0xFE, 0xFD, 0x00, 0x01, 0x00, 0x00,
                                 0x00, 0x00, 0x00, 0x63, 0x00, 0x30};
  forged.resize(forged.size() + 0x30, 0xA5);
  EXPECT_EQ(link.server.onDatagram(forged.data(), forged.size()), DatagramResult::Processed);
  std::vector<uint8_t> oldEpoch = {0x16, 0xFE, 0xFD, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                   0x00, 0x09, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00};
  EXPECT_EQ(link.server.onDatagram(oldEpoch.data(), oldEpoch.size()), DatagramResult::Processed);
  EXPECT_EQ(link.server.state(), DtlsState::Connected);
  EXPECT_EQ(link.server.stats().droppedNotDtls, 1u);
  EXPECT_EQ(link.server.stats().droppedMalformed, 1u);
  EXPECT_FALSE(link.serverSide.failure.has_value());
  EXPECT_TRUE(link.serverSide.received.empty());
  link.pump();

  const uint8_t ping[] = {'p', 'i', 'n', 'g'};
  ASSERT_TRUE(link.client.sendApplicationData(ping, sizeof ping));
  link.pump();
  ASSERT_EQ(link.serverSide.received.size(), 1u);
  EXPECT_EQ(link.serverSide.received[0], Datagram(ping, ping + 4));
}

TEST(DtlsTransport, ApplicationDataFlowsBothWays) {
  Link link;
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  std::vector<uint8_t> big(1100);
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<uint8_t>(i);
  ASSERT_TRUE(link.server.sendApplicationData(big.data(), big.size()));
  const uint8_t small[] = {1, 2, 3};
  ASSERT_TRUE(link.client.sendApplicationData(small, sizeof small));
  link.pump();
  ASSERT_EQ(link.clientSide.received.size(), 1u);
  EXPECT_EQ(link.clientSide.received[0], big);
  ASSERT_EQ(link.serverSide.received.size(), 1u);
  EXPECT_EQ(link.serverSide.received[0], Datagram(small, small + 3));
  EXPECT_FALSE(link.server.sendApplicationData(big.data(), 0));
}

TEST(DtlsTransport, CloseNotifyEndsThePeerCleanly) {
  Link link;
  link.client.start();
  link.pump();
  ASSERT_TRUE(link.connected());
  link.client.close();
  EXPECT_EQ(link.client.state(), DtlsState::Closed);
  ASSERT_FALSE(link.clientSide.outbox.empty());
  // The close_notify is one encrypted alert record in epoch 1.
  RecordIterator it(link.clientSide.outbox.back());
  DtlsRecord record;
  ASSERT_TRUE(it.next(record));
  EXPECT_EQ(record.contentType, ContentType::Alert);
  EXPECT_EQ(record.epoch, 1);
  link.pump();
  EXPECT_EQ(link.server.state(), DtlsState::Closed);
  EXPECT_EQ(link.serverSide.closedCalls, 1);
  EXPECT_EQ(link.clientSide.closedCalls, 0);
  EXPECT_FALSE(link.serverSide.failure.has_value());
  const uint8_t late[] = {9};
  EXPECT_FALSE(link.server.sendApplicationData(late, 1));
}

TEST(DtlsTransport, ClientIgnoresDatagramsBeforeStart) {
  Link link;
  link.client.start();
  Link other;
  const Datagram& hello = link.clientSide.sent.at(0);
  EXPECT_EQ(other.client.onDatagram(hello.data(), hello.size()), DatagramResult::Inactive);
  EXPECT_EQ(other.client.stats().droppedInactive, 1u);
}

TEST(DtlsTransport, ServerAndClientRolesWorkFromOneSharedContext) {
  Certificate certificate;
  Context context(certificate);
  test::Endpoint serverSide;
  test::Endpoint clientSide;
  DtlsTransport server(context, Role::Server, serverSide);
  DtlsTransport client(context, Role::Client, clientSide);
  server.setRemoteFingerprint("sha-256", certificate.fingerprintSha256());
  client.setRemoteFingerprint("sha-256", certificate.fingerprintSha256());
  client.start();
  for (int i = 0; i < 20; ++i) {
    while (!clientSide.outbox.empty()) {
      server.onDatagram(clientSide.outbox.front().data(), clientSide.outbox.front().size());
      clientSide.outbox.pop_front();
    }
    while (!serverSide.outbox.empty()) {
      client.onDatagram(serverSide.outbox.front().data(), serverSide.outbox.front().size());
      serverSide.outbox.pop_front();
    }
  }
  EXPECT_EQ(server.state(), DtlsState::Connected);
  EXPECT_EQ(client.state(), DtlsState::Connected);
  ASSERT_TRUE(serverSide.keys && clientSide.keys);
  EXPECT_EQ(serverSide.keys->localKey, clientSide.keys->remoteKey);
}

TEST(DtlsTransport, MeasuresInProcessHandshakeTime) {
  Certificate serverCertificate;
  Certificate clientCertificate;
  Context serverContext(serverCertificate);
  Context clientContext(clientCertificate);
  constexpr int kRounds = 20;
  const uint64_t start = util::nowUs();
  for (int i = 0; i < kRounds; ++i) {
    test::Endpoint serverSide;
    test::Endpoint clientSide;
    DtlsTransport server(serverContext, Role::Server, serverSide);
    DtlsTransport client(clientContext, Role::Client, clientSide);
    server.setRemoteFingerprint("sha-256", clientCertificate.fingerprintSha256());
    client.setRemoteFingerprint("sha-256", serverCertificate.fingerprintSha256());
    client.start();
    while (!clientSide.outbox.empty() || !serverSide.outbox.empty()) {
      for (; !clientSide.outbox.empty(); clientSide.outbox.pop_front()) {
        server.onDatagram(clientSide.outbox.front().data(), clientSide.outbox.front().size());
      }
      for (; !serverSide.outbox.empty(); serverSide.outbox.pop_front()) {
        client.onDatagram(serverSide.outbox.front().data(), serverSide.outbox.front().size());
      }
    }
    ASSERT_EQ(client.state(), DtlsState::Connected);
  }
  const double perHandshakeMs = static_cast<double>(util::nowUs() - start) / 1000.0 / kRounds;
  std::printf("[ handshake ] %.3f ms per in-process DTLS handshake (both sides)\n", perHandshakeMs);
  RecordProperty("handshake_us", static_cast<int>(perHandshakeMs * 1000));
  EXPECT_GT(perHandshakeMs, 0.0);
}

// Writes our client's ClientHello as a fuzz seed when TREFF_DTLS_WRITE_SEED names a file.
TEST(DtlsTransport, ClientHelloSeedForFuzzing) {
  Link link;
  link.client.start();
  ASSERT_EQ(link.clientSide.sent.size(), 1u);
  const Datagram& hello = link.clientSide.sent[0];
  EXPECT_EQ(validateDatagram(hello), RecordError::None);
  if (const char* path = std::getenv("TREFF_DTLS_WRITE_SEED")) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(hello.data()),
              static_cast<std::streamsize>(hello.size()));
    EXPECT_TRUE(out.good());
  }
}

}  // namespace
}  // namespace treff::dtls
