// Test harness: a server and a client DtlsTransport joined in memory. Each side's datagrams are
// queued by its listener and delivered by pump(), which may drop some to simulate loss.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_transport.hpp"

namespace treff::dtls::test {

using Datagram = std::vector<uint8_t>;

struct Endpoint : DtlsTransport::Listener {
  std::deque<Datagram> outbox;  // sent, not yet delivered
  std::vector<Datagram> sent;   // everything ever sent
  std::optional<SrtpKeyingMaterial> keys;
  std::optional<DtlsFailure> failure;
  int connectedCalls = 0;
  int closedCalls = 0;
  std::vector<Datagram> received;

  void onDtlsSend(const uint8_t* data, size_t size) override {
    outbox.emplace_back(data, data + size);
    sent.emplace_back(data, data + size);
  }
  void onDtlsConnected(const SrtpKeyingMaterial& k) override {
    keys = k;
    ++connectedCalls;
  }
  void onDtlsFailed(DtlsFailure reason) override { failure = reason; }
  void onDtlsClosed() override { ++closedCalls; }
  void onDtlsApplicationData(const uint8_t* data, size_t size) override {
    received.emplace_back(data, data + size);
  }
};

struct LinkOptions {
  ContextOptions server;
  ContextOptions client;
  bool serverKnowsFingerprint = true;
  bool clientKnowsFingerprint = true;
};

class Link {
 public:
  // Returns true to drop a datagram; `fromServer` says who sent it, `index` counts that side's
  // datagrams from 0.
  using DropFilter = std::function<bool(bool fromServer, size_t index, const Datagram&)>;

  explicit Link(LinkOptions options = {})
      : serverContext(serverCertificate, options.server),
        clientContext(clientCertificate, options.client),
        server(serverContext, Role::Server, serverSide),
        client(clientContext, Role::Client, clientSide) {
    if (options.serverKnowsFingerprint) {
      server.setRemoteFingerprint("sha-256", clientCertificate.fingerprintSha256());
    }
    if (options.clientKnowsFingerprint) {
      client.setRemoteFingerprint("sha-256", serverCertificate.fingerprintSha256());
    }
  }

  // Delivers queued datagrams both ways until neither side has anything left to send.
  void pump(const DropFilter& drop = {}) {
    for (int rounds = 0; rounds < 100; ++rounds) {
      if (serverSide.outbox.empty() && clientSide.outbox.empty()) return;
      deliver(serverSide, client, true, drop);
      deliver(clientSide, server, false, drop);
    }
  }

  bool connected() const {
    return server.state() == DtlsState::Connected && client.state() == DtlsState::Connected;
  }

  Certificate serverCertificate;
  Certificate clientCertificate;
  Context serverContext;
  Context clientContext;
  Endpoint serverSide;
  Endpoint clientSide;
  DtlsTransport server;
  DtlsTransport client;
  size_t serverSentCount = 0;
  size_t clientSentCount = 0;

 private:
  void deliver(Endpoint& from, DtlsTransport& to, bool fromServer, const DropFilter& drop) {
    std::deque<Datagram> batch;
    batch.swap(from.outbox);
    for (const Datagram& d : batch) {
      size_t& counter = fromServer ? serverSentCount : clientSentCount;
      const size_t index = counter++;
      if (drop && drop(fromServer, index, d)) continue;
      to.onDatagram(d.data(), d.size());
    }
  }
};

}  // namespace treff::dtls::test
