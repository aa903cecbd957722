// HttpServer on Boost.Asio + Boost.Beast. The whole of Beast lives in this translation unit.
//
// One io_context, run by one thread (the control thread). Every socket, session and handler
// callback lives on it; post() and stop() are the only ways in from other threads.
// Privacy: nothing here logs or keeps a peer's address.
#include <utility>  // before Asio: g++ 12 with -std=c++20 needs it

#include "signaling/http_server.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <exception>
#include <optional>
#include <stdexcept>
#include <unordered_map>

#include <spdlog/spdlog.h>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

namespace treff::signaling {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
using tcp = boost::asio::ip::tcp;

namespace {

// A client has this long to send a request's header and body, and to read our response.
constexpr auto kHttpTimeout = std::chrono::seconds(30);
// After an error response with "Connection: close", unread request bytes are drained this long
// so that closing does not reset the connection before the client has read the response.
constexpr auto kLingerTimeout = std::chrono::seconds(2);
constexpr size_t kLingerMaxBytes = 1 << 20;
constexpr uint32_t kMaxHeaderBytes = 16 * 1024;
// A WebSocket client that reads slower than we send is dropped past this backlog.
constexpr size_t kMaxWsQueuedBytes = 8 << 20;

constexpr std::pair<std::string_view, std::string_view> kDefaultHeaders[] = {
    {"Content-Security-Policy",
     "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
     "connect-src 'self'; style-src 'self'; script-src 'self'; object-src 'none'; "
     "base-uri 'none'; frame-ancestors 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"X-Content-Type-Options", "nosniff"},
    {"Permissions-Policy",
     "camera=(self), microphone=(self), display-capture=(self), geolocation=()"},
};

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// Beast 1.74 uses boost::string_view.
beast::string_view toBeast(std::string_view s) { return {s.data(), s.size()}; }

std::string errorJson(std::string_view code, std::string_view message) {
  // code and message are our own constants: no escaping needed.
  std::string out = R"({"type":"error","code":")";
  out += code;
  out += R"(","message":")";
  out += message;
  out += "\"}";
  return out;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (equalsIgnoreCase(key, name)) return value;
  }
  return {};
}

namespace {

class ServerImpl;

// One WebSocket peer. Reads text messages up to the configured size, writes one message at a
// time from a queue.
class WsSession final : public WsConnection, public std::enable_shared_from_this<WsSession> {
 public:
  WsSession(ServerImpl& server, tcp::socket socket, uint64_t id);
  ~WsSession() override;

  void start(http::request<http::string_body> upgrade);
  void send(std::string text) override;
  void close() override;
  uint64_t id() const override { return id_; }

  // Server shutdown: closes the socket and reports the close to the handler (control thread).
  void abort();
  // Server teardown: drops the stream while the io_context still exists. No callbacks, and no
  // further use of the server, which a handler holding this connection may outlive.
  void detach() {
    ws_.reset();
    counted_ = false;
  }

 private:
  void readMore();
  void onRead(beast::error_code ec, size_t bytes);
  void writeNext();
  void onWrite(beast::error_code ec);
  void closeWith(websocket::close_code code);
  void finish();

  ServerImpl& server_;
  std::optional<websocket::stream<beast::tcp_stream>> ws_;
  uint64_t id_;
  http::request<http::string_body> upgrade_;
  beast::flat_buffer readBuffer_;
  std::deque<std::string> queue_;
  size_t queuedBytes_ = 0;
  bool writing_ = false;
  bool reading_ = false;
  bool counted_ = true;        // still counted in the server's connections
  bool open_ = false;          // onWsOpen was called and onWsClose not yet
  bool closing_ = false;       // a close is requested; no more sends accepted
  bool closeStarted_ = false;  // async_close is in flight
  websocket::close_code closeCode_ = websocket::close_code::normal;
};

// One HTTP/1.1 connection with keep-alive; hands itself over to a WsSession on an upgrade.
class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(ServerImpl& server, tcp::socket socket);
  ~HttpSession();
  void start() { readRequest(); }

 private:
  void readRequest();
  void onRead(beast::error_code ec);
  void respond(http::response<http::string_body> res, bool keepAlive);
  void respondError(http::status status, std::string_view text);
  void lingerThenClose();
  void drain();

  ServerImpl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  size_t drained_ = 0;
  char drainBuffer_[4096];
  bool upgraded_ = false;
};

class ServerImpl final : public HttpServer {
 public:
  ServerImpl(const HttpServerConfig& config, HttpHandler& handler);
  ~ServerImpl() override;

  uint16_t port() const override { return port_; }
  void run() override;
  void post(std::function<void()> fn) override;
  void every(uint32_t intervalMs, std::function<void()> fn) override;
  void stop() override;

  const HttpServerConfig& config() const { return config_; }
  HttpHandler& handler() { return handler_; }
  void connectionClosed() { --connections_; }
  uint64_t nextWsId() { return ++lastWsId_; }
  // Every WsSession is known until destroyed, also after its close, because the handler may
  // keep it past the server's own life (see ~ServerImpl).
  void wsCreated(const std::shared_ptr<WsSession>& s) { wsSessions_[s->id()] = s; }
  void wsDestroyed(uint64_t id) { wsSessions_.erase(id); }
  bool stopping() const { return stopping_; }

 private:
  void accept();
  void shutdownAll();

  HttpServerConfig config_;
  HttpHandler& handler_;
  // Reset explicitly in ~ServerImpl, while every other member still exists: destroying it
  // destroys the pending handlers and the sessions they own, which call back into the server.
  std::unique_ptr<asio::io_context> ioc_;
  std::optional<tcp::acceptor> acceptor_;
  uint16_t port_ = 0;
  size_t connections_ = 0;
  uint64_t lastWsId_ = 0;
  bool stopping_ = false;
  std::unordered_map<uint64_t, std::weak_ptr<WsSession>> wsSessions_;
  std::vector<std::shared_ptr<std::function<void()>>> timers_;
};

// ---- HttpSession ----------------------------------------------------------------------------

HttpSession::HttpSession(ServerImpl& server, tcp::socket socket)
    : server_(server), stream_(std::move(socket)) {}

HttpSession::~HttpSession() {
  // On an upgrade the socket moved to the WsSession, which counts itself.
  if (!upgraded_) server_.connectionClosed();
}

void HttpSession::readRequest() {
  if (server_.stopping()) return;
  parser_.emplace();
  parser_->header_limit(kMaxHeaderBytes);
  parser_->body_limit(server_.config().maxRequestBodyBytes);
  // Covers the idle time of a keep-alive connection, the header and the body.
  stream_.expires_after(kHttpTimeout);
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->onRead(ec); });
}

void HttpSession::onRead(beast::error_code ec) {
  if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
      ec == asio::error::operation_aborted || ec == asio::error::connection_reset) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    return;
  }
  if (ec == http::error::body_limit) {
    respondError(http::status::payload_too_large, "request body too large\n");
    return;
  }
  if (ec == http::error::header_limit) {
    respondError(http::status::request_header_fields_too_large, "request header too large\n");
    return;
  }
  if (ec) {
    // Anything else the parser rejects is a malformed request.
    if (parser_ && parser_->got_some()) {
      respondError(http::status::bad_request, "bad request\n");
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    }
    return;
  }

  http::request<http::string_body> req = parser_->release();
  HttpHandler& handler = server_.handler();

  if (websocket::is_upgrade(req)) {
    bool accepted = false;
    try {
      accepted =
          handler.acceptsWebSocket(std::string_view(req.target().data(), req.target().size()));
    } catch (const std::exception& e) {
      spdlog::error("http: acceptsWebSocket threw: {}", e.what());
    }
    if (accepted) {
      upgraded_ = true;
      stream_.expires_never();
      auto ws = std::make_shared<WsSession>(server_, stream_.release_socket(), server_.nextWsId());
      ws->start(std::move(req));
      return;
    }
  }

  HttpRequest request;
  request.method = std::string(req.method_string());
  request.target = std::string(req.target());
  for (const auto& field : req) {
    request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  request.body = std::move(req.body());
  const bool head = req.method() == http::verb::head;
  const bool keepAlive = req.keep_alive();

  HttpResponse out;
  try {
    out = handler.onHttp(request);
  } catch (const std::exception& e) {
    spdlog::error("http: handler threw on {} request: {}", request.method, e.what());
    out = HttpResponse{};
    out.status = 500;
    out.body = "internal server error\n";
  }

  http::response<http::string_body> res;
  res.version(11);
  const bool validStatus = out.status >= 100 && out.status <= 599;
  res.result(validStatus ? static_cast<unsigned>(out.status) : 500u);
  res.set(http::field::content_type, out.contentType);
  for (const auto& [name, value] : out.headers) {
    // Treff never sets cookies (privacy); a handler cannot either.
    if (equalsIgnoreCase(name, "Set-Cookie") || equalsIgnoreCase(name, "Set-Cookie2")) continue;
    // Framing headers are ours to set.
    if (equalsIgnoreCase(name, "Content-Length") || equalsIgnoreCase(name, "Transfer-Encoding") ||
        equalsIgnoreCase(name, "Connection")) {
      continue;
    }
    res.insert(name, value);
  }
  for (const auto& [name, value] : kDefaultHeaders) {
    if (res.find(toBeast(name)) == res.end()) res.set(toBeast(name), toBeast(value));
  }
  if (head) {
    res.content_length(out.body.size());
  } else {
    res.body() = std::move(out.body);
    res.prepare_payload();
  }
  respond(std::move(res), keepAlive);
}

void HttpSession::respond(http::response<http::string_body> res, bool keepAlive) {
  res.keep_alive(keepAlive);
  auto message = std::make_shared<http::response<http::string_body>>(std::move(res));
  stream_.expires_after(kHttpTimeout);
  http::async_write(stream_, *message,
                    [self = shared_from_this(), message, keepAlive](beast::error_code ec, size_t) {
                      if (ec) return;
                      if (keepAlive) {
                        self->readRequest();
                      } else {
                        self->lingerThenClose();
                      }
                    });
}

void HttpSession::respondError(http::status status, std::string_view text) {
  http::response<http::string_body> res{status, 11};
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  for (const auto& [name, value] : kDefaultHeaders) res.set(toBeast(name), toBeast(value));
  res.body() = std::string(text);
  res.prepare_payload();
  respond(std::move(res), false);
}

void HttpSession::lingerThenClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream_.expires_after(kLingerTimeout);
  drain();
}

void HttpSession::drain() {
  stream_.async_read_some(asio::buffer(drainBuffer_),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            self->drained_ += n;
                            if (ec || self->drained_ > kLingerMaxBytes) {
                              beast::error_code ignored;
                              self->stream_.socket().close(ignored);
                              return;
                            }
                            self->drain();
                          });
}

// ---- WsSession ------------------------------------------------------------------------------

WsSession::WsSession(ServerImpl& server, tcp::socket socket, uint64_t id)
    : server_(server), id_(id) {
  ws_.emplace(std::move(socket));
}

WsSession::~WsSession() {
  if (counted_) {
    server_.wsDestroyed(id_);
    server_.connectionClosed();
  }
}

void WsSession::start(http::request<http::string_body> upgrade) {
  upgrade_ = std::move(upgrade);
  server_.wsCreated(shared_from_this());
  // Handshake 30 s, idle timeout with pings from our side (RFC 6455 §5.5.2).
  ws_->set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  // Oversized messages are cut off in onRead so that the client can be told why.
  ws_->read_message_max(0);
  ws_->auto_fragment(false);
  ws_->async_accept(upgrade_, [self = shared_from_this()](beast::error_code ec) {
    if (ec || !self->ws_) return;
    if (self->server_.stopping()) return;
    self->open_ = true;
    try {
      self->server_.handler().onWsOpen(self);
    } catch (const std::exception& e) {
      spdlog::error("ws: onWsOpen threw: {}", e.what());
      self->close();
    }
    self->readMore();
  });
}

void WsSession::readMore() {
  if (!ws_ || closing_) return;
  const size_t max = server_.config().maxWsMessageBytes;
  // Reading at most one byte past the limit tells us a message is too large without ever
  // buffering more than the limit.
  const size_t room = max + 1 - std::min(readBuffer_.size(), max);
  reading_ = true;
  ws_->async_read_some(
      readBuffer_, std::min<size_t>(room, 64 * 1024),
      [self = shared_from_this()](beast::error_code ec, size_t n) { self->onRead(ec, n); });
}

void WsSession::onRead(beast::error_code ec, size_t) {
  reading_ = false;
  if (ec) {
    finish();
    return;
  }
  if (!ws_) return;
  const size_t max = server_.config().maxWsMessageBytes;
  if (readBuffer_.size() > max) {
    // Decision: an oversized message ends the connection. Reading past it would let a client
    // stream without end; the error text tells a well-behaved client what went wrong.
    readBuffer_.clear();
    send(errorJson("message-too-large", "a message exceeded the maximum size"));
    closeWith(websocket::close_code::too_big);
    return;
  }
  if (!ws_->is_message_done()) {
    readMore();
    return;
  }
  if (!ws_->got_text()) {
    // A binary message has no meaning in the protocol; it is dropped and the connection stays.
    readBuffer_.clear();
    send(errorJson("binary-not-supported", "only text messages are accepted"));
    readMore();
    return;
  }
  std::string text = beast::buffers_to_string(readBuffer_.data());
  readBuffer_.clear();
  try {
    server_.handler().onWsMessage(shared_from_this(), text);
  } catch (const std::exception& e) {
    spdlog::error("ws: onWsMessage threw: {}", e.what());
    send(errorJson("internal", "the server could not handle the message"));
  }
  readMore();
}

void WsSession::send(std::string text) {
  if (!ws_ || closing_ || !open_) return;
  if (queuedBytes_ + text.size() > kMaxWsQueuedBytes) {
    // The client does not keep up; dropping messages silently would break the protocol.
    closeWith(websocket::close_code::policy_error);
    return;
  }
  queuedBytes_ += text.size();
  queue_.push_back(std::move(text));
  if (!writing_) writeNext();
}

void WsSession::writeNext() {
  if (!ws_) return;
  if (queue_.empty()) {
    if (closing_ && !closeStarted_) {
      closeStarted_ = true;
      ws_->async_close(closeCode_, [self = shared_from_this()](beast::error_code) {
        // With a read pending, that read completes too and finishes the session.
        if (!self->reading_) self->finish();
      });
    }
    return;
  }
  writing_ = true;
  ws_->text(true);
  ws_->async_write(
      asio::buffer(queue_.front()),
      [self = shared_from_this()](beast::error_code ec, size_t) { self->onWrite(ec); });
}

void WsSession::onWrite(beast::error_code ec) {
  writing_ = false;
  if (!queue_.empty()) {
    queuedBytes_ -= queue_.front().size();
    queue_.pop_front();
  }
  if (ec) {
    queue_.clear();
    queuedBytes_ = 0;
    if (ws_) {
      beast::error_code ignored;
      beast::get_lowest_layer(*ws_).socket().close(ignored);
    }
    if (!reading_) finish();  // otherwise the read sees the error and finishes
    return;
  }
  writeNext();
}

void WsSession::close() { closeWith(websocket::close_code::normal); }

void WsSession::closeWith(websocket::close_code code) {
  if (!ws_ || closing_) return;
  closing_ = true;
  closeCode_ = code;
  if (!writing_) writeNext();
}

void WsSession::finish() {
  if (!open_) return;
  open_ = false;
  closing_ = true;
  try {
    server_.handler().onWsClose(shared_from_this());
  } catch (const std::exception& e) {
    spdlog::error("ws: onWsClose threw: {}", e.what());
  }
}

void WsSession::abort() {
  if (ws_) {
    beast::error_code ignored;
    beast::get_lowest_layer(*ws_).socket().close(ignored);
  }
  finish();
}

// ---- ServerImpl -----------------------------------------------------------------------------

ServerImpl::ServerImpl(const HttpServerConfig& config, HttpHandler& handler)
    : config_(config), handler_(handler), ioc_(std::make_unique<asio::io_context>(1)) {
  if (config_.maxWsMessageBytes == 0) throw std::invalid_argument("maxWsMessageBytes must be > 0");
  beast::error_code ec;
  const auto address = asio::ip::make_address(config_.address, ec);
  if (ec) throw std::runtime_error("http: invalid listen address '" + config_.address + "'");
  const tcp::endpoint endpoint(address, config_.port);
  const std::string where = config_.address + ":" + std::to_string(config_.port);
  acceptor_.emplace(*ioc_);
  acceptor_->open(endpoint.protocol(), ec);
  if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_->bind(endpoint, ec);
  if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("http: cannot listen on " + where + ": " + ec.message());
  port_ = acceptor_->local_endpoint().port();
  accept();
}

ServerImpl::~ServerImpl() {
  // Sessions the handler still holds must drop their sockets while the io_context exists.
  for (auto& [id, weak] : wsSessions_) {
    if (auto s = weak.lock()) s->detach();
  }
  timers_.clear();  // timers go while their io_context still exists
  acceptor_.reset();
  ioc_.reset();  // destroys pending handlers and with them the sessions they own
}

void ServerImpl::accept() {
  acceptor_->async_accept(*ioc_, [this](beast::error_code ec, tcp::socket s) {
    if (ec == asio::error::operation_aborted || stopping_) return;
    if (!ec) {
      if (connections_ >= config_.maxConnections) {
        // Over the cap: close at once rather than queue; the client may retry.
        beast::error_code ignored;
        s.close(ignored);
      } else {
        ++connections_;
        std::make_shared<HttpSession>(*this, std::move(s))->start();
      }
    } else {
      // Running out of descriptors must not end the accept loop.
      spdlog::warn("http: accept failed: {}", ec.message());
    }
    accept();
  });
}

void ServerImpl::run() { ioc_->run(); }

void ServerImpl::post(std::function<void()> fn) {
  asio::post(*ioc_, [fn = std::move(fn)] {
    try {
      fn();
    } catch (const std::exception& e) {
      spdlog::error("http: posted task threw: {}", e.what());
    }
  });
}

void ServerImpl::every(uint32_t intervalMs, std::function<void()> fn) {
  // The timer lives in its own closure chain; it ends when the server stops or is destroyed.
  auto timer = std::make_shared<asio::steady_timer>(*ioc_);
  auto task = std::make_shared<std::function<void()>>(std::move(fn));
  auto arm = std::make_shared<std::function<void()>>();
  std::weak_ptr<std::function<void()>> weakArm = arm;
  *arm = [this, timer, task, intervalMs, weakArm] {
    timer->expires_after(std::chrono::milliseconds(intervalMs));
    timer->async_wait([this, task, weakArm](beast::error_code ec) {
      if (ec || stopping_) return;
      try {
        (*task)();
      } catch (const std::exception& e) {
        spdlog::error("http: timer task threw: {}", e.what());
      }
      if (auto again = weakArm.lock()) (*again)();
    });
  };
  timers_.push_back(arm);
  (*arm)();
}

void ServerImpl::stop() {
  asio::post(*ioc_, [this] {
    shutdownAll();
    ioc_->stop();
  });
}

void ServerImpl::shutdownAll() {
  stopping_ = true;
  beast::error_code ignored;
  if (acceptor_) acceptor_->close(ignored);
  // Copy: the handler's onWsClose may drop the last reference, which erases from the map.
  std::vector<std::shared_ptr<WsSession>> live;
  for (auto& [id, weak] : wsSessions_) {
    if (auto s = weak.lock()) live.push_back(std::move(s));
  }
  for (auto& s : live) s->abort();
}

}  // namespace

std::unique_ptr<HttpServer> HttpServer::create(const HttpServerConfig& config,
                                               HttpHandler& handler) {
  return std::make_unique<ServerImpl>(config, handler);
}

}  // namespace treff::signaling
