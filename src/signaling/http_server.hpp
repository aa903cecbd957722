// The control plane's HTTP and WebSocket server (Boost.Beast). This header keeps Boost out of
// every other translation unit: the whole of Beast lives in http_server.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace treff::signaling {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, as sent
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string_view header(std::string_view name) const;  // case-insensitive; empty if absent
};

struct HttpResponse {
  int status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

// One WebSocket peer. Used only on the control thread.
class WsConnection {
 public:
  virtual ~WsConnection() = default;
  // Queues a text message; messages are sent in order. Dropped after close.
  virtual void send(std::string text) = 0;
  // Sends a close frame and ends the connection; onWsClose follows.
  virtual void close() = 0;
  // A process-unique id, for maps and (privacy) logs that must not show addresses.
  virtual uint64_t id() const = 0;
};

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse onHttp(const HttpRequest& request) = 0;
  // Whether a WebSocket upgrade on this target is accepted (for example "/ws").
  virtual bool acceptsWebSocket(std::string_view target) = 0;
  virtual void onWsOpen(const std::shared_ptr<WsConnection>& conn) = 0;
  virtual void onWsMessage(const std::shared_ptr<WsConnection>& conn, std::string_view text) = 0;
  virtual void onWsClose(const std::shared_ptr<WsConnection>& conn) = 0;
};

struct HttpServerConfig {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 = any free port
  size_t maxRequestBodyBytes = 1 << 20;
  size_t maxWsMessageBytes = 256 * 1024;
  size_t maxConnections = 4096;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;
  // Binds and listens; throws std::runtime_error naming the address on failure.
  static std::unique_ptr<HttpServer> create(const HttpServerConfig& config, HttpHandler& handler);
  virtual uint16_t port() const = 0;
  // Runs the control loop on the calling thread until stop().
  virtual void run() = 0;
  // Thread-safe: runs fn on the control thread (media workers report back through this).
  virtual void post(std::function<void()> fn) = 0;
  // Control thread: runs fn every intervalMs until stop() (for timeouts such as a meeting's
  // reconnection grace).
  virtual void every(uint32_t intervalMs, std::function<void()> fn) = 0;
  // Thread-safe.
  virtual void stop() = 0;
};

}  // namespace treff::signaling
