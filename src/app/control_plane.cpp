#include "app/control_plane.hpp"

#include <spdlog/spdlog.h>

#include "sfu/media_plane.hpp"
#include "signaling/protocol.hpp"
#include "signaling/web_assets.hpp"
#include "util/time.hpp"

#include <openssl/crypto.h>

#include <nlohmann/json.hpp>

namespace treff::app {
namespace {

std::string_view pathOf(std::string_view target) {
  auto q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

signaling::HttpResponse textResponse(int status, std::string body) {
  signaling::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// application/x-www-form-urlencoded value of `key` in the query, or empty.
std::string queryValue(std::string_view target, std::string_view key) {
  auto q = target.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    if (pair.substr(0, eq) != key || eq == std::string_view::npos) continue;
    std::string out;
    std::string_view v = pair.substr(eq + 1);
    for (size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '+') {
        out.push_back(' ');
      } else if (v[i] == '%') {
        auto hex = [](char c) {
          return c >= '0' && c <= '9'   ? c - '0'
                 : c >= 'a' && c <= 'f' ? c - 'a' + 10
                 : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                        : -1;
        };
        int hi = i + 1 < v.size() ? hex(v[i + 1]) : -1;
        int lo = i + 2 < v.size() ? hex(v[i + 2]) : -1;
        if (hi < 0 || lo < 0) return {};
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
      } else {
        out.push_back(v[i]);
      }
    }
    return out;
  }
  return {};
}

}  // namespace

signaling::HttpResponse ControlPlane::handleWhip(const signaling::HttpRequest& request,
                                                 std::string_view path) {
  if (options_.whipToken.empty()) return textResponse(404, "WHIP is not enabled on this server\n");
  std::string_view auth = request.header("Authorization");
  std::string expected = "Bearer " + options_.whipToken;
  if (auth.size() != expected.size() ||
      CRYPTO_memcmp(auth.data(), expected.data(), expected.size()) != 0) {
    auto r = textResponse(401, "a valid bearer token is needed\n");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  std::string_view rest = path.substr(6);  // after "/whip/"
  auto slash = rest.find('/');
  std::string meeting(rest.substr(0, slash));
  if (slash == std::string_view::npos) {
    if (request.method != "POST") {
      auto r = textResponse(405, "POST an SDP offer here\n");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    if (request.header("Content-Type").rfind("application/sdp", 0) != 0) {
      return textResponse(415, "the offer must be sent as application/sdp\n");
    }
    signaling::WhipResult result =
        meetings_.whipPublish(meeting, queryValue(request.target, "name"), request.body);
    if (result.status != 201) return textResponse(result.status, result.error + "\n");
    signaling::HttpResponse r;
    r.status = 201;
    r.contentType = "application/sdp";
    r.body = std::move(result.answer);
    r.headers.emplace_back("Location", "/whip/" + meeting + "/" + result.resource);
    return r;
  }
  std::string resource(rest.substr(slash + 1));
  if (request.method == "DELETE") {
    return meetings_.whipDelete(meeting, resource) ? textResponse(200, "ended\n")
                                                   : textResponse(404, "no such WHIP session\n");
  }
  // No trickle ICE or ICE restart over PATCH: the server is ICE-lite with all candidates in the
  // answer (RFC 9725 §4.3.1 lets a server refuse it).
  auto r = textResponse(405, "only DELETE is supported on a WHIP session\n");
  r.headers.emplace_back("Allow", "DELETE");
  return r;
}

ControlPlane::ControlPlane(sfu::MediaPlane& media, ControlPlaneOptions options)
    : media_(media),
      options_(std::move(options)),
      meetings_(media, options_.limits, options_.rooms) {}

void ControlPlane::attach(signaling::HttpServer& server) {
  server_ = &server;
  media_.setRoomEventHandler([this](uint64_t room, sfu::RoomEvent event) {
    server_->post([this, room, event = std::move(event)] { meetings_.onRoomEvent(room, event); });
  });
  server.every(500, [this] { meetings_.onTick(util::nowMs()); });
}

signaling::HttpResponse ControlPlane::serveAsset(std::string_view path) {
  const signaling::WebAsset* asset = signaling::findWebAsset(path);
  // Pages have clean URLs: /echo is echo.html, and any other valid meeting name is a meeting.
  if (!asset && path.find('.') == std::string_view::npos) {
    std::string page(path == "/" ? "/index" : path);
    asset = signaling::findWebAsset(page + ".html");
    if (!asset && path.size() > 1 && signaling::isValidMeetingName(path.substr(1))) {
      asset = signaling::findWebAsset("/meeting.html");
    }
  }
  if (!asset) return textResponse(404, "not found\n");
  signaling::HttpResponse r;
  r.contentType = std::string(asset->contentType);
  r.body = std::string(asset->body);
  r.headers.emplace_back("Cache-Control", "no-cache");
  return r;
}

signaling::HttpResponse ControlPlane::onHttp(const signaling::HttpRequest& request) {
  std::string_view path = pathOf(request.target);
  if (path.rfind("/whip/", 0) == 0) return handleWhip(request, path);
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = textResponse(405, "method not allowed\n");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  if (path == "/metrics") {
    signaling::HttpResponse r;
    r.contentType = "text/plain; version=0.0.4; charset=utf-8";
    r.body = media_.prometheusMetrics();
    return r;
  }
  if (path == "/healthz") return textResponse(200, "ok\n");
  if (path == "/api/config") {
    signaling::HttpResponse r;
    r.contentType = "application/json";
    nlohmann::json j{{"privacyUrl", nullptr},
                     {"imprintUrl", nullptr},
                     {"maxParticipants", options_.limits.maxParticipantsPerMeeting}};
    if (!options_.privacyUrl.empty()) j["privacyUrl"] = options_.privacyUrl;
    if (!options_.imprintUrl.empty()) j["imprintUrl"] = options_.imprintUrl;
    r.body = j.dump();
    r.headers.emplace_back("Cache-Control", "no-cache");
    return r;
  }
  return serveAsset(path);
}

bool ControlPlane::acceptsWebSocket(std::string_view target) { return pathOf(target) == "/ws"; }

void ControlPlane::onWsOpen(const std::shared_ptr<signaling::WsConnection>&) {}

std::function<void(sfu::SessionResult)> ControlPlane::replyTo(
    const std::shared_ptr<signaling::WsConnection>& conn, bool remember) {
  std::weak_ptr<signaling::WsConnection> weak = conn;
  return [this, weak, remember](sfu::SessionResult result) {
    // Runs on a media worker (or here, on a refused offer): hop back to the control thread.
    auto reply = [this, weak, remember, result = std::move(result)] {
      auto c = weak.lock();
      if (!c) {
        // The page left while its session was being made.
        if (remember && result.ok) media_.closeEcho(result.session);
        return;
      }
      if (remember && result.ok) echoByConnection_[c->id()] = result.session;
      c->send(result.ok ? signaling::encodeEchoAnswer(result.sdp)
                        : signaling::encodeError("bad-offer", result.error));
    };
    if (server_) {
      server_->post(std::move(reply));
    } else {
      reply();
    }
  };
}

void ControlPlane::onWsMessage(const std::shared_ptr<signaling::WsConnection>& conn,
                               std::string_view text) {
  auto parsed = signaling::parseClientMessage(text);
  if (auto* error = std::get_if<signaling::ProtocolError>(&parsed)) {
    conn->send(signaling::encodeError(error->code, error->message));
    return;
  }
  const auto& message = std::get<signaling::ClientMessage>(parsed);
  if (const auto* offer = std::get_if<signaling::EchoOffer>(&message)) {
    // One echo session per socket: a new offer replaces the old session.
    auto it = echoByConnection_.find(conn->id());
    if (it != echoByConnection_.end()) {
      media_.closeEcho(it->second);
      echoByConnection_.erase(it);
    }
    media_.createEcho(offer->sdp, replyTo(conn, true));
  } else if (const auto* restart = std::get_if<signaling::EchoRestart>(&message)) {
    auto it = echoByConnection_.find(conn->id());
    if (it == echoByConnection_.end()) {
      conn->send(signaling::encodeError("no-session", "there is no echo session to restart"));
      return;
    }
    media_.restartEcho(it->second, restart->sdp, replyTo(conn, false));
  } else {
    meetings_.onMessage(conn, message);
  }
}

void ControlPlane::onWsClose(const std::shared_ptr<signaling::WsConnection>& conn) {
  meetings_.onClose(conn);
  auto it = echoByConnection_.find(conn->id());
  if (it == echoByConnection_.end()) return;
  media_.closeEcho(it->second);
  echoByConnection_.erase(it);
}

}  // namespace treff::app
