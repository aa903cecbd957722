#include "net/udp_socket.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "net/event_loop.hpp"
#include "net/tcp_server.hpp"

namespace treff::net {
namespace {

struct Collector : UdpSocket::Listener {
  std::vector<std::string> payloads;
  std::vector<SocketAddress> senders;
  void onUdpPacket(UdpSocket&, util::PacketRef p, const SocketAddress& from, uint64_t) override {
    payloads.emplace_back(reinterpret_cast<char*>(p->data()), p->size);
    senders.push_back(from);
  }
};

TEST(UdpSocket, ReceivesABatchAndSendsABatchWithOneFlush) {
  EventLoop loop;
  util::PacketPool pool(256);
  Collector a, b;
  UdpSocket sa(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, a);
  UdpSocket sb(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, b);
  for (int i = 0; i < 40; ++i) {
    auto p = pool.acquire();
    std::string text = "pkt" + std::to_string(i);
    std::memcpy(p->data(), text.data(), text.size());
    p->size = static_cast<uint32_t>(text.size());
    sa.queueSend(std::move(p), sb.localAddress());
  }
  EXPECT_EQ(sa.queued(), 40u);
  sa.flush();
  EXPECT_EQ(sa.queued(), 0u);
  EXPECT_EQ(sa.stats().datagramsSent, 40u);
  EXPECT_EQ(sa.stats().sendBatches, 1u);
  // "pkt0".."pkt9" share one GSO message (4 bytes each), "pkt10".."pkt39" another (5 bytes).
  EXPECT_EQ(sa.stats().gsoMessages, 2u);
  EXPECT_EQ(sa.stats().messagesSent, 2u);
  for (int i = 0; i < 20 && b.payloads.size() < 40; ++i) loop.runOnce(50);
  ASSERT_EQ(b.payloads.size(), 40u);
  EXPECT_EQ(b.payloads[0], "pkt0");
  EXPECT_EQ(b.payloads[39], "pkt39");
  EXPECT_EQ(b.senders[0], sa.localAddress());
  EXPECT_LT(sb.stats().recvBatches, 40u);  // recvmmsg took several at once
  // Every buffer went back to the pool except those waiting for the next receive.
  EXPECT_GE(pool.available() + 2 * UdpSocket::kBatch, pool.capacity());
}

// Queues `sizes` (in bytes) to `to`, each datagram starting with its index in the queue.
void queueNumbered(util::PacketPool& pool, UdpSocket& from, const SocketAddress& to, int index,
                   size_t size) {
  auto p = pool.acquire();
  ASSERT_TRUE(p);
  std::memset(p->data(), 'x', size);
  std::string tag = std::to_string(index) + ":";
  std::memcpy(p->data(), tag.data(), tag.size());
  p->size = static_cast<uint32_t>(size);
  from.queueSend(std::move(p), to);
}

int indexOf(const std::string& payload) { return std::stoi(payload.substr(0, payload.find(':'))); }

TEST(UdpSocket, GsoKeepsEachAddressInOrderAndEveryDatagramWhole) {
  // Two receivers, interleaved, with sizes that break trains: a larger datagram after smaller
  // ones, a short last one, and more than kMaxSegments of one size to one address.
  EventLoop loop;
  util::PacketPool pool(1024);
  Collector a, b, c;
  UdpSocket sender(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, a);
  UdpSocket rb(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, b);
  UdpSocket rc(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, c);
  std::vector<size_t> sizesB, sizesC;
  int index = 0;
  for (int i = 0; i < 150; ++i) {
    size_t sb = i % 10 == 9 ? 700 : (i % 25 == 24 ? 1300 : 1200);
    sizesB.push_back(sb);
    queueNumbered(pool, sender, rb.localAddress(), index++, sb);
    if (i % 3 == 0) {
      sizesC.push_back(300);
      queueNumbered(pool, sender, rc.localAddress(), index++, 300);
    }
  }
  const size_t total = sizesB.size() + sizesC.size();
  sender.flush();
  EXPECT_EQ(sender.stats().datagramsSent, total);
  EXPECT_EQ(sender.stats().sendErrors, 0u);
  EXPECT_GT(sender.stats().gsoMessages, 10u);
  EXPECT_TRUE(sender.gsoEnabled()) << "loopback takes GSO";
  for (int i = 0; i < 50 && b.payloads.size() + c.payloads.size() < total; ++i) loop.runOnce(20);
  ASSERT_EQ(b.payloads.size(), sizesB.size());
  ASSERT_EQ(c.payloads.size(), sizesC.size());
  // Each receiver sees its datagrams in the order they were queued, each with its own size.
  for (size_t i = 0; i < sizesB.size(); ++i) {
    EXPECT_EQ(b.payloads[i].size(), sizesB[i]) << i;
    if (i) EXPECT_LT(indexOf(b.payloads[i - 1]), indexOf(b.payloads[i]));
  }
  for (size_t i = 1; i < sizesC.size(); ++i) {
    EXPECT_LT(indexOf(c.payloads[i - 1]), indexOf(c.payloads[i]));
  }
}

TEST(UdpSocket, WithoutGsoEveryDatagramIsItsOwnMessage) {
  EventLoop loop;
  util::PacketPool pool(256);
  Collector a, b;
  UdpSocket sender(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, a);
  UdpSocket receiver(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, b);
  sender.setGsoEnabled(false);
  for (int i = 0; i < 20; ++i) queueNumbered(pool, sender, receiver.localAddress(), i, 1000);
  sender.flush();
  EXPECT_EQ(sender.stats().datagramsSent, 20u);
  EXPECT_EQ(sender.stats().gsoMessages, 0u);
  EXPECT_EQ(sender.stats().messagesSent, 20u);
  for (int i = 0; i < 20 && b.payloads.size() < 20; ++i) loop.runOnce(20);
  ASSERT_EQ(b.payloads.size(), 20u);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(indexOf(b.payloads[i]), i);
}

TEST(UdpSocket, BindFailureNamesTheAddress) {
  EventLoop loop;
  util::PacketPool pool(64);
  Collector c;
  UdpSocket first(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, c);
  try {
    UdpSocket second(loop, first.localAddress(), pool, c);
    FAIL() << "second bind succeeded";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(first.localAddress().toString()), std::string::npos);
  }
}

TEST(EventLoop, RunsPostedTasksOnItsThreadInOrder) {
  EventLoop loop;
  std::vector<int> seen;
  std::thread::id loopThread;
  std::thread t([&] {
    loopThread = std::this_thread::get_id();
    loop.run();
  });
  for (int i = 0; i < 100; ++i) loop.post([&seen, i] { seen.push_back(i); });
  std::atomic<bool> ranOnLoop{false};
  loop.post([&] { ranOnLoop = std::this_thread::get_id() == loopThread; });
  loop.stop();
  t.join();
  ASSERT_EQ(seen.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(seen[i], i);
  EXPECT_TRUE(ranOnLoop);
}

struct TcpCollector : TcpServer::Listener {
  std::vector<std::string> frames;
  int closed = 0;
  TcpConnection* last = nullptr;
  void onTcpPacket(TcpConnection& c, util::PacketRef p, uint64_t) override {
    frames.emplace_back(reinterpret_cast<char*>(p->data()), p->size);
    last = &c;
  }
  void onTcpClosed(TcpConnection&) override {
    ++closed;
    last = nullptr;
  }
};

TEST(TcpServer, ReceivesFramedPacketsAndAnswersFramed) {
  EventLoop loop;
  util::PacketPool pool(64);
  TcpCollector col;
  TcpServer server(loop, *SocketAddress::fromString("127.0.0.1", 0), pool, col);
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_EQ(
      connect(fd, server.localAddress().sockaddrPtr(), server.localAddress().sockaddrLength()), 0);
  std::string out("\x00\x03one\x00\x03two", 10);
  ASSERT_EQ(write(fd, out.data(), out.size()), static_cast<ssize_t>(out.size()));
  for (int i = 0; i < 20 && col.frames.size() < 2; ++i) loop.runOnce(50);
  ASSERT_EQ(col.frames.size(), 2u);
  EXPECT_EQ(col.frames[1], "two");
  ASSERT_NE(col.last, nullptr);
  const uint8_t reply[] = {'o', 'k'};
  ASSERT_TRUE(col.last->send(reply, 2));
  char in[8];
  ASSERT_EQ(read(fd, in, sizeof(in)), 4);
  EXPECT_EQ(std::string(in, 4), std::string("\x00\x02ok", 4));
  close(fd);
  for (int i = 0; i < 20 && col.closed == 0; ++i) loop.runOnce(50);
  EXPECT_EQ(col.closed, 1);
  EXPECT_EQ(server.connectionCount(), 0u);
}

}  // namespace
}  // namespace treff::net
