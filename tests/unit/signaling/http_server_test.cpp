// HttpServer over real sockets: the client side is written by hand on POSIX sockets (no Beast),
// so the server is checked against the wire format, not against its own library.
#include "signaling/http_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace treff::signaling {
namespace {

// ---- a tiny blocking client ------------------------------------------------------------------

class Client {
 public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("socket");
    timeval tv{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      ::close(fd_);
      throw std::runtime_error("connect");
    }
  }
  ~Client() { ::close(fd_); }
  void hangUp() { ::shutdown(fd_, SHUT_RDWR); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  bool sendAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(size_t(n));
    }
    return true;
  }
  // Reads until `count` bytes are buffered; false on EOF, error or timeout.
  bool fill(size_t count) {
    while (buffered_.size() < count) {
      char chunk[16384];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffered_.append(chunk, size_t(n));
    }
    return true;
  }
  // Reads one HTTP response head and its Content-Length body.
  struct Response {
    int status = 0;
    std::string head;  // status line and header lines, lower-cased names kept as sent
    std::string body;
    std::string header(std::string_view name) const {
      std::string lowerHead = lower(head);
      std::string key = "\r\n" + lower(std::string(name)) + ":";
      size_t at = lowerHead.find(key);
      if (at == std::string::npos) return {};
      size_t start = at + key.size();
      size_t end = head.find("\r\n", start);
      std::string value = head.substr(start, end - start);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      return value;
    }
    static std::string lower(std::string s) {
      for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
      return s;
    }
  };
  std::optional<Response> readResponse(bool expectBody = true) {
    size_t end;
    while ((end = buffered_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(buffered_.size() + 1)) return std::nullopt;
    }
    Response r;
    r.head = buffered_.substr(0, end + 2);
    buffered_.erase(0, end + 4);
    if (r.head.size() < 12 || r.head.compare(0, 9, "HTTP/1.1 ") != 0) return std::nullopt;
    r.status = std::stoi(r.head.substr(9, 3));
    std::string length = r.header("Content-Length");
    size_t bodyBytes = expectBody && !length.empty() ? std::stoul(length) : 0;
    if (!fill(bodyBytes)) return std::nullopt;
    r.body = buffered_.substr(0, bodyBytes);
    buffered_.erase(0, bodyBytes);
    return r;
  }
  // True when the server closed the connection (EOF or reset) within the receive timeout.
  // Data still in flight before the close is skipped.
  bool closedByPeer() {
    for (;;) {
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return true;
      if (n < 0) return errno == ECONNRESET || errno == EPIPE;
    }
  }

  // RFC 6455 §5.2 client frame: always masked.
  bool sendFrame(uint8_t opcode, std::string_view payload, bool fin = true) {
    std::string frame;
    frame.push_back(char((fin ? 0x80 : 0x00) | opcode));
    if (payload.size() < 126) {
      frame.push_back(char(0x80 | payload.size()));
    } else if (payload.size() <= 0xffff) {
      frame.push_back(char(0x80 | 126));
      frame.push_back(char(payload.size() >> 8));
      frame.push_back(char(payload.size() & 0xff));
    } else {
      frame.push_back(char(0x80 | 127));
      for (int shift = 56; shift >= 0; shift -= 8) frame.push_back(char(payload.size() >> shift));
    }
    const uint8_t mask[4] = {0x37, 0xfa, 0x21, 0x3d};
    frame.append(reinterpret_cast<const char*>(mask), 4);
    for (size_t i = 0; i < payload.size(); ++i) frame.push_back(char(payload[i] ^ mask[i % 4]));
    return sendAll(frame);
  }
  struct Frame {
    uint8_t opcode = 0;
    bool fin = false;
    std::string payload;
  };
  // Server frames are unmasked (RFC 6455 §5.1).
  std::optional<Frame> readFrame() {
    if (!fill(2)) return std::nullopt;
    Frame f;
    f.fin = (uint8_t(buffered_[0]) & 0x80) != 0;
    f.opcode = uint8_t(buffered_[0]) & 0x0f;
    if (uint8_t(buffered_[1]) & 0x80) return std::nullopt;  // a masked server frame is invalid
    uint64_t length = uint8_t(buffered_[1]) & 0x7f;
    size_t header = 2;
    if (length == 126) {
      if (!fill(4)) return std::nullopt;
      length = (uint64_t(uint8_t(buffered_[2])) << 8) | uint8_t(buffered_[3]);
      header = 4;
    } else if (length == 127) {
      if (!fill(10)) return std::nullopt;
      length = 0;
      for (int i = 2; i < 10; ++i) length = (length << 8) | uint8_t(buffered_[i]);
      header = 10;
    }
    if (!fill(header + length)) return std::nullopt;
    f.payload = buffered_.substr(header, length);
    buffered_.erase(0, header + length);
    return f;
  }
  // Skips control frames (ping) and returns the next data frame or close frame.
  std::optional<Frame> readDataOrClose() {
    for (;;) {
      auto f = readFrame();
      if (!f) return f;
      if (f->opcode == 0x9) {
        sendFrame(0xA, f->payload);  // answer a ping
        continue;
      }
      if (f->opcode == 0xA) continue;
      return f;
    }
  }

 private:
  int fd_ = -1;
  std::string buffered_;
};

// RFC 6455 §1.3: the sample nonce and the Sec-WebSocket-Accept it must produce.
constexpr const char* kRfcKey = "dGhlIHNhbXBsZSBub25jZQ==";
constexpr const char* kRfcAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

std::string upgradeRequest(std::string_view target) {
  return "GET " + std::string(target) +
         " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
         "Sec-WebSocket-Key: " +
         kRfcKey + "\r\nSec-WebSocket-Version: 13\r\n\r\n";
}

// ---- a handler that records what it sees ---------------------------------------------------

class RecordingHandler : public HttpHandler {
 public:
  HttpResponse onHttp(const HttpRequest& request) override {
    {
      std::lock_guard lock(mutex_);
      lastRequest = request;
      controlThread = std::this_thread::get_id();
    }
    HttpResponse res;
    if (request.target == "/hello") {
      res.body = "hello";
      res.headers.emplace_back("Set-Cookie", "tracker=1");
      res.headers.emplace_back("X-Test", "yes");
    } else if (request.target == "/own-csp") {
      res.body = "own";
      res.headers.emplace_back("content-security-policy", "default-src 'none'");
    } else if (request.target == "/echo-body" && request.method == "POST") {
      res.body = request.body;
    } else if (request.target == "/throws") {
      throw std::runtime_error("handler failure");
    } else {
      res.status = 404;
      res.body = "not found";
    }
    return res;
  }
  bool acceptsWebSocket(std::string_view target) override { return target == "/ws"; }
  void onWsOpen(const std::shared_ptr<WsConnection>& conn) override {
    {
      std::lock_guard lock(mutex_);
      ++opened;
      open.push_back(conn);
      everOpened.push_back(conn);  // outlives the server in every test (handler_ is older)
    }
    conn->send(R"({"type":"hello","n":1})");
    conn->send(R"({"type":"hello","n":2})");
  }
  void onWsMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) override {
    if (text == "close-me") {
      conn->close();
      return;
    }
    conn->send("echo:" + std::string(text));
  }
  void onWsClose(const std::shared_ptr<WsConnection>& conn) override {
    std::lock_guard lock(mutex_);
    ++closed;
    std::erase(open, conn);
    closedCv_.notify_all();
  }
  bool waitClosed(int count) {
    std::unique_lock lock(mutex_);
    return closedCv_.wait_for(lock, std::chrono::seconds(5), [&] { return closed >= count; });
  }
  int closedCount() {
    std::lock_guard lock(mutex_);
    return closed;
  }

  std::mutex mutex_;
  std::condition_variable closedCv_;
  HttpRequest lastRequest;
  std::thread::id controlThread;
  int opened = 0;
  int closed = 0;
  std::vector<std::shared_ptr<WsConnection>> open;
  std::vector<std::shared_ptr<WsConnection>> everOpened;
};

class HttpServerTest : public ::testing::Test {
 protected:
  void startServer(HttpServerConfig config = {}) {
    config.port = 0;
    server_ = HttpServer::create(config, handler_);
    thread_ = std::thread([this] { server_->run(); });
  }
  void SetUp() override {
    HttpServerConfig config;
    config.maxRequestBodyBytes = 1024;
    config.maxWsMessageBytes = 4096;
    startServer(config);
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
      server_.reset();
    }
  }
  std::string wsHandshake(Client& client) {
    EXPECT_TRUE(client.sendAll(upgradeRequest("/ws")));
    auto res = client.readResponse(false);
    if (!res) return {};
    EXPECT_EQ(res->status, 101);
    return res->header("Sec-WebSocket-Accept");
  }

  RecordingHandler handler_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, HttpServer_ServesHandlerResponseWithSecurityHeadersAndNoCookie) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n"));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(res->header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(res->header("X-Test"), "yes");
  EXPECT_NE(res->header("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  EXPECT_NE(res->header("Content-Security-Policy").find("frame-ancestors 'none'"),
            std::string::npos);
  EXPECT_EQ(res->header("Referrer-Policy"), "no-referrer");
  EXPECT_EQ(res->header("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(res->header("Permissions-Policy").find("camera=(self)"), std::string::npos);
  EXPECT_EQ(res->header("Set-Cookie"), "") << "the server must never set a cookie";

  std::lock_guard lock(handler_.mutex_);
  EXPECT_EQ(handler_.lastRequest.method, "GET");
  EXPECT_EQ(handler_.lastRequest.target, "/hello");
  EXPECT_EQ(handler_.lastRequest.header("accept"), "text/plain");
  EXPECT_EQ(handler_.lastRequest.header("ACCEPT"), "text/plain");
  EXPECT_EQ(handler_.lastRequest.header("missing"), "");
}

TEST_F(HttpServerTest, HttpServer_HandlerHeaderReplacesTheDefault) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("GET /own-csp HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->header("Content-Security-Policy"), "default-src 'none'");
  EXPECT_EQ(Client::Response::lower(res->head).find("content-security-policy"),
            Client::Response::lower(res->head).rfind("content-security-policy"))
      << "exactly one CSP header";
  EXPECT_EQ(res->header("Referrer-Policy"), "no-referrer");
}

TEST_F(HttpServerTest, HttpServer_PassesHandler404AndKeepsConnectionAlive) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto first = client.readResponse();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 404);
  EXPECT_EQ(first->body, "not found");
  // The same connection serves the next request (HTTP/1.1 keep-alive).
  ASSERT_TRUE(client.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto second = client.readResponse();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(second->body, "hello");
}

TEST_F(HttpServerTest, HttpServer_HeadRequestGetsLengthButNoBody) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = client.readResponse(false);
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->header("Content-Length"), "5");
  // No body bytes follow: the next response starts right away.
  ASSERT_TRUE(client.sendAll("GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto next = client.readResponse();
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 404);
}

TEST_F(HttpServerTest, HttpServer_DeliversBodyWithinLimit) {
  Client client(server_->port());
  std::string body(1024, 'b');
  ASSERT_TRUE(
      client.sendAll("POST /echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n" + body));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, body);
}

TEST_F(HttpServerTest, HttpServer_RejectsOversizedBodyWith413AndCloses) {
  Client client(server_->port());
  std::string body(1025, 'b');
  ASSERT_TRUE(
      client.sendAll("POST /echo-body HTTP/1.1\r\nHost: x\r\nContent-Length: 1025\r\n\r\n" + body));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
  EXPECT_EQ(Client::Response::lower(res->header("Connection")), "close");
  EXPECT_TRUE(client.closedByPeer());
  {
    std::lock_guard lock(handler_.mutex_);
    EXPECT_NE(handler_.lastRequest.target, "/echo-body") << "the handler never saw it";
  }
  Client next(server_->port());
  ASSERT_TRUE(next.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto ok = next.readResponse();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
}

TEST_F(HttpServerTest, HttpServer_AnswersMalformedRequestWith400) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("GET /hello HTTP/1.1\r\nHost x no colon\r\n\r\n"));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
  EXPECT_TRUE(client.closedByPeer());
}

TEST_F(HttpServerTest, HttpServer_TurnsHandlerExceptionInto500) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll("GET /throws HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  EXPECT_EQ(res->body.find("handler failure"), std::string::npos) << "no internals leak";
}

TEST_F(HttpServerTest, HttpServer_ClosesConnectionsOverTheCap) {
  server_->stop();
  thread_.join();
  HttpServerConfig config;
  config.maxConnections = 1;
  startServer(config);
  Client first(server_->port());
  ASSERT_TRUE(first.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(first.readResponse());  // the first connection is established and kept alive
  Client second(server_->port());
  EXPECT_TRUE(second.closedByPeer());
  // The first keeps working.
  ASSERT_TRUE(first.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto res = first.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(HttpServerTest, WebSocket_HandshakeUsesRfc6455AcceptValue) {
  Client client(server_->port());
  EXPECT_EQ(wsHandshake(client), kRfcAccept);
}

TEST_F(HttpServerTest, WebSocket_SendsQueuedMessagesInOrderAndEchoes) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  auto one = client.readDataOrClose();
  auto two = client.readDataOrClose();
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->opcode, 0x1);  // text
  EXPECT_EQ(one->payload, R"({"type":"hello","n":1})");
  EXPECT_EQ(two->payload, R"({"type":"hello","n":2})");

  ASSERT_TRUE(client.sendFrame(0x1, "ping?"));
  auto echo = client.readDataOrClose();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "echo:ping?");

  // A message in two fragments (RFC 6455 §5.4) arrives whole.
  ASSERT_TRUE(client.sendFrame(0x1, "frag", false));
  ASSERT_TRUE(client.sendFrame(0x0, "mented", true));
  auto joined = client.readDataOrClose();
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->payload, "echo:fragmented");
}

TEST_F(HttpServerTest, WebSocket_AcceptsMessageOfExactlyTheMaximumSize) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  client.readDataOrClose();
  std::string big(4096, 'x');
  ASSERT_TRUE(client.sendFrame(0x1, big));
  auto echo = client.readDataOrClose();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "echo:" + big);
}

TEST_F(HttpServerTest, WebSocket_OversizedMessageGetsErrorThenCloseAndServerKeepsServing) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  client.readDataOrClose();
  ASSERT_TRUE(client.sendFrame(0x1, std::string(4097, 'x')));
  auto error = client.readDataOrClose();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->opcode, 0x1);
  EXPECT_NE(error->payload.find(R"("type":"error")"), std::string::npos);
  EXPECT_NE(error->payload.find(R"("code":"message-too-large")"), std::string::npos);
  auto close = client.readDataOrClose();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  ASSERT_GE(close->payload.size(), 2u);
  EXPECT_EQ((uint8_t(close->payload[0]) << 8) | uint8_t(close->payload[1]), 1009);
  // Complete the close handshake as a browser does: reply, see the server's FIN, hang up.
  client.sendFrame(0x8, close->payload.substr(0, 2));
  EXPECT_TRUE(client.closedByPeer());
  client.hangUp();
  EXPECT_TRUE(handler_.waitClosed(1));

  Client other(server_->port());
  ASSERT_EQ(wsHandshake(other), kRfcAccept);
  ASSERT_TRUE(other.readDataOrClose());
}

TEST_F(HttpServerTest, WebSocket_BinaryMessageGetsErrorAndConnectionStaysOpen) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  client.readDataOrClose();
  ASSERT_TRUE(client.sendFrame(0x2, std::string("\x00\x01\x02", 3)));
  auto error = client.readDataOrClose();
  ASSERT_TRUE(error);
  EXPECT_NE(error->payload.find(R"("type":"error")"), std::string::npos);
  ASSERT_TRUE(client.sendFrame(0x1, "still here"));
  auto echo = client.readDataOrClose();
  ASSERT_TRUE(echo);
  EXPECT_EQ(echo->payload, "echo:still here");
}

TEST_F(HttpServerTest, WebSocket_UpgradeOnOtherTargetGoesToHttpHandler) {
  Client client(server_->port());
  ASSERT_TRUE(client.sendAll(upgradeRequest("/not-ws")));
  auto res = client.readResponse();
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
}

TEST_F(HttpServerTest, WebSocket_ServerCloseReachesClientAndHandler) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  client.readDataOrClose();
  ASSERT_TRUE(client.sendFrame(0x1, "close-me"));
  auto close = client.readDataOrClose();
  ASSERT_TRUE(close);
  EXPECT_EQ(close->opcode, 0x8);
  // Complete the close handshake as a browser does: reply, see the server's FIN, hang up.
  client.sendFrame(0x8, close->payload.substr(0, 2));
  EXPECT_TRUE(client.closedByPeer());
  client.hangUp();
  EXPECT_TRUE(handler_.waitClosed(1));
}

TEST_F(HttpServerTest, WebSocket_ClientDisconnectReportsClose) {
  {
    Client client(server_->port());
    ASSERT_EQ(wsHandshake(client), kRfcAccept);
    client.readDataOrClose();
  }
  EXPECT_TRUE(handler_.waitClosed(1));
}

TEST_F(HttpServerTest, HttpServer_PostRunsTaskOnControlThread) {
  // Learn the control thread's id from a request.
  {
    Client client(server_->port());
    ASSERT_TRUE(client.sendAll("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(client.readResponse());
  }
  std::thread::id control;
  {
    std::lock_guard lock(handler_.mutex_);
    control = handler_.controlThread;
  }
  std::promise<std::thread::id> ran;
  std::thread other([&] { server_->post([&] { ran.set_value(std::this_thread::get_id()); }); });
  other.join();
  auto future = ran.get_future();
  ASSERT_EQ(future.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_EQ(future.get(), control);
  EXPECT_NE(control, std::this_thread::get_id());
}

TEST_F(HttpServerTest, HttpServer_PostedTaskCanSendOnWebSocket) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  client.readDataOrClose();
  std::thread worker([&] {
    server_->post([&] {
      for (auto& conn : handler_.open) conn->send("from-worker");
    });
  });
  worker.join();
  auto msg = client.readDataOrClose();
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->payload, "from-worker");
}

TEST_F(HttpServerTest, HttpServer_StopFromAnotherThreadEndsRunAndClosesWebSockets) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  client.readDataOrClose();
  const uint16_t port = server_->port();
  std::thread stopper([&] { server_->stop(); });
  stopper.join();
  thread_.join();  // run() returned
  EXPECT_EQ(handler_.closedCount(), 1);
  server_.reset();
  EXPECT_TRUE(client.closedByPeer());
  EXPECT_THROW(Client{port}, std::runtime_error) << "the listener is gone";
}

TEST_F(HttpServerTest, WebSocket_ConnectionKeptByHandlerIsHarmlessAfterServerIsGone) {
  Client client(server_->port());
  ASSERT_EQ(wsHandshake(client), kRfcAccept);
  ASSERT_TRUE(client.readDataOrClose());
  server_->stop();
  thread_.join();
  server_.reset();
  std::lock_guard lock(handler_.mutex_);
  ASSERT_EQ(handler_.everOpened.size(), 1u);
  auto& kept = handler_.everOpened.front();
  EXPECT_NE(kept->id(), 0u);
  kept->send("nobody listens");  // dropped, no crash (ASan watches this build)
  kept->close();
  EXPECT_TRUE(client.closedByPeer());
}

TEST(HttpServerCreate, HttpServer_CreateThrowsNamingTheAddressWhenPortIsTaken) {
  RecordingHandler handler;
  HttpServerConfig config;
  config.port = 0;
  auto first = HttpServer::create(config, handler);
  config.port = first->port();
  try {
    auto second = HttpServer::create(config, handler);
    FAIL() << "binding a taken port must throw";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(config.port)),
              std::string::npos)
        << e.what();
  }
  config.address = "not-an-address";
  EXPECT_THROW(HttpServer::create(config, handler), std::runtime_error);
}

TEST(HttpServerCreate, HttpServer_StopBeforeRunMakesRunReturn) {
  RecordingHandler handler;
  HttpServerConfig config;
  config.port = 0;
  auto server = HttpServer::create(config, handler);
  server->stop();
  auto done = std::async(std::launch::async, [&] { server->run(); });
  EXPECT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

}  // namespace
}  // namespace treff::signaling
