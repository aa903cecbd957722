// The signaling thread: Treff's WebSocket signaling (docs/protocol.md) over Boost.Beast, and the
// HTTP client under the Janus backend (janus_signaling.cpp), all participants' sockets on one
// Asio thread. The only file that includes Beast: it compiles slowly.
#include <utility>  // before Boost.Asio with g++ 12 in C++20

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "http_client.hpp"
#include "janus_signaling.hpp"
#include "signaling.hpp"

namespace treff::loadgen {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
using tcp = asio::ip::tcp;

constexpr size_t kMaxMessageBytes = 1 << 20;

struct ParsedUrl {
  std::string host;
  std::string port;
  std::string path;  // "" for none
};

// http://HOST:PORT/PATH (or ws://).
ParsedUrl parseUrl(const std::string& url, const char* option) {
  std::string rest = url;
  for (const char* scheme : {"http://", "ws://"}) {
    if (rest.rfind(scheme, 0) == 0) rest = rest.substr(std::char_traits<char>::length(scheme));
  }
  const auto slash = rest.find('/');
  std::string path = slash == std::string::npos ? "" : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.pop_back();
  rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  if (rest.empty() || colon == std::string::npos || colon + 1 == rest.size()) {
    throw std::invalid_argument(std::string(option) + " must look like http://HOST:PORT/..., got " +
                                url);
  }
  return {rest.substr(0, colon), rest.substr(colon + 1), path};
}

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, std::atomic<size_t>& open, ParsedUrl url,
          Signaling::Listener& listener)
      : resolver_(io), ws_(io), open_(open), url_(std::move(url)), listener_(listener) {}

  void start(std::string joinMessage) {
    send(std::move(joinMessage));
    ++open_;
    counted_ = true;
    resolver_.async_resolve(
        url_.host, url_.port,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->fail("resolve", ec);
          self->connect(results);
        });
  }

  // Queues a message; sent once the socket is open.
  void send(std::string text) {
    outbox_.push_back(std::move(text));
    if (ready_ && !writing_) writeNext();
  }

  void leaveAndClose() {
    closeWhenFlushed_ = true;
    send(R"({"type":"leave","version":1})");
  }

 private:
  void connect(const tcp::resolver::results_type& results) {
    beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(ws_).async_connect(
        results, [self = shared_from_this()](beast::error_code ec, tcp::endpoint) {
          if (ec) return self->fail("connect", ec);
          self->handshake();
        });
  }

  void handshake() {
    beast::get_lowest_layer(ws_).expires_never();
    ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::client));
    ws_.read_message_max(kMaxMessageBytes);
    ws_.async_handshake(url_.host + ":" + url_.port, "/ws",
                        [self = shared_from_this()](beast::error_code ec) {
                          if (ec) return self->fail("WebSocket handshake", ec);
                          self->ready_ = true;
                          self->read();
                          if (!self->outbox_.empty()) self->writeNext();
                        });
  }

  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->closed(ec);
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      self->dispatch(text);
      self->read();
    });
  }

  void writeNext() {
    writing_ = true;
    ws_.text(true);
    ws_.async_write(asio::buffer(outbox_.front()),
                    [self = shared_from_this()](beast::error_code ec, size_t) {
                      self->writing_ = false;
                      if (ec) return self->fail("write", ec);
                      self->outbox_.pop_front();
                      if (!self->outbox_.empty()) return self->writeNext();
                      if (self->closeWhenFlushed_) self->close();
                    });
  }

  void close() {
    ws_.async_close(websocket::close_code::normal,
                    [self = shared_from_this()](beast::error_code) { self->finished(); });
  }

  void dispatch(const std::string& text) {
    const auto message = nlohmann::json::parse(text, nullptr, false);
    if (!message.is_object() || !message.contains("type") || !message["type"].is_string()) return;
    const std::string type = message["type"];
    auto field = [&](const char* name) -> std::string {
      auto it = message.find(name);
      return it != message.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    if (type == "joined") {
      listener_.onJoined(field("participant"));
    } else if (type == "publish.answer") {
      listener_.onPublishAnswer(field("sdp"));
    } else if (type == "subscribe.offer") {
      listener_.onSubscribeOffer(field("sdp"));
    } else if (type == "error") {
      listener_.onSignalingError("server error " + field("code") + " (request " + field("request") +
                                 "): " + field("message"));
    }
  }

  void fail(const char* what, const beast::error_code& ec) {
    if (!closeWhenFlushed_) listener_.onSignalingError(std::string(what) + ": " + ec.message());
    finished();
  }

  void closed(const beast::error_code& ec) {
    if (!closeWhenFlushed_ && ec != websocket::error::closed &&
        ec != asio::error::operation_aborted) {
      listener_.onSignalingError("signaling connection lost: " + ec.message());
    }
    finished();
  }

  void finished() {
    if (counted_) --open_;
    counted_ = false;
  }

  tcp::resolver resolver_;
  websocket::stream<beast::tcp_stream> ws_;
  std::atomic<size_t>& open_;
  ParsedUrl url_;
  Signaling::Listener& listener_;
  beast::flat_buffer buffer_;
  std::deque<std::string> outbox_;
  bool ready_ = false;
  bool writing_ = false;
  bool closeWhenFlushed_ = false;
  bool counted_ = false;
};

class TreffSignaling final : public Signaling {
 public:
  TreffSignaling(asio::io_context& io, std::atomic<size_t>& open, const std::string& url,
                 Listener& listener)
      : io_(io), session_(std::make_shared<Session>(io, open, parseUrl(url, "--url"), listener)) {}

  void join(const std::string& room, const std::string& name) override {
    nlohmann::json message = {{"type", "join"},
                              {"version", 1},
                              {"meeting", room},
                              {"name", name},
                              {"videoCodecs", {"VP8"}}};
    asio::post(io_, [s = session_, text = message.dump()]() mutable { s->start(std::move(text)); });
  }

  void publish(const std::string& sdp, const std::vector<PublishedTrack>& tracks) override {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& t : tracks) list.push_back({{"mid", t.mid}, {"source", t.source}});
    nlohmann::json message = {{"type", "publish"}, {"version", 1}, {"sdp", sdp}, {"tracks", list}};
    post(message.dump());
  }

  void answerSubscribe(const std::string& sdp) override {
    nlohmann::json message = {{"type", "subscribe.answer"}, {"version", 1}, {"sdp", sdp}};
    post(message.dump());
  }

  void leave() override {
    asio::post(io_, [s = session_] { s->leaveAndClose(); });
  }

 private:
  void post(std::string text) {
    asio::post(io_, [s = session_, text = std::move(text)]() mutable { s->send(std::move(text)); });
  }

  asio::io_context& io_;
  std::shared_ptr<Session> session_;
};

// One HTTP/1.1 request on its own connection ("Connection: close").
class HttpExchange : public std::enable_shared_from_this<HttpExchange> {
 public:
  HttpExchange(asio::io_context& io, http::request<http::string_body> request,
               HttpClient::Done done)
      : stream_(io), request_(std::move(request)), done_(std::move(done)) {}

  void run(const tcp::resolver::results_type& endpoints, uint32_t timeoutS) {
    stream_.expires_after(std::chrono::seconds(timeoutS));
    stream_.async_connect(
        endpoints, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
          if (ec) return self->finish("connect: " + ec.message());
          http::async_write(self->stream_, self->request_, [self](beast::error_code ec, size_t) {
            if (ec) return self->finish("write: " + ec.message());
            self->read();
          });
        });
  }

 private:
  void read() {
    http::async_read(stream_, buffer_, response_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->finish("read: " + ec.message());
                       const unsigned status = self->response_.result_int();
                       if (status / 100 != 2) {
                         return self->finish("HTTP status " + std::to_string(status));
                       }
                       self->finish("");
                     });
  }

  void finish(const std::string& error) {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
    done_(error, response_.body());
  }

  beast::tcp_stream stream_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  beast::flat_buffer buffer_;
  HttpClient::Done done_;
};

class BeastHttpClient final : public HttpClient {
 public:
  // Resolves the host at once (control path, before the run).
  BeastHttpClient(asio::io_context& io, const ParsedUrl& url)
      : io_(io), host_(url.host + ":" + url.port) {
    tcp::resolver resolver(io);
    endpoints_ = resolver.resolve(url.host, url.port);
  }

  void request(const std::string& target, std::string body, uint32_t timeoutS, Done done) override {
    http::request<http::string_body> request(body.empty() ? http::verb::get : http::verb::post,
                                             target, 11);
    request.set(http::field::host, host_);
    request.keep_alive(false);
    if (!body.empty()) {
      request.set(http::field::content_type, "application/json");
      request.body() = std::move(body);
      request.prepare_payload();
    }
    std::make_shared<HttpExchange>(io_, std::move(request), std::move(done))
        ->run(endpoints_, timeoutS);
  }

  void dispatch(std::function<void()> fn) override { asio::post(io_, std::move(fn)); }

 private:
  asio::io_context& io_;
  std::string host_;
  tcp::resolver::results_type endpoints_;
};

class AsioSignalingThread final : public SignalingThread {
 public:
  AsioSignalingThread() : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~AsioSignalingThread() override { stop(); }

  std::unique_ptr<Signaling> makeTreffSignaling(const std::string& url,
                                                Signaling::Listener& listener) override {
    return std::make_unique<TreffSignaling>(io_, open_, url, listener);
  }

  std::unique_ptr<Signaling> makeJanusSignaling(const std::string& url,
                                                const JanusRoomSettings& room,
                                                Signaling::Listener& listener) override {
    const ParsedUrl parsed = parseUrl(url, "--janus");
    auto& client = janusClients_[url];
    if (!client) client = std::make_shared<BeastHttpClient>(io_, parsed);
    return makeJanusVideoRoomSignaling(client, parsed.path, room, open_, listener);
  }

  void stop() override {
    guard_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  size_t openSessions() const override { return open_.load(); }

 private:
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::atomic<size_t> open_{0};
  // One per Janus URL, created on the thread that builds the participants.
  std::map<std::string, std::shared_ptr<BeastHttpClient>> janusClients_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<SignalingThread> startSignalingThread() {
  return std::make_unique<AsioSignalingThread>();
}

}  // namespace treff::loadgen
