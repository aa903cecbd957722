#include "app/control_plane.hpp"

#include <spdlog/spdlog.h>

#include "sfu/media_plane.hpp"
#include "signaling/protocol.hpp"
#include "signaling/web_assets.hpp"

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

}  // namespace

ControlPlane::ControlPlane(sfu::MediaPlane& media) : media_(media) {}

signaling::HttpResponse ControlPlane::serveAsset(std::string_view path) {
  const signaling::WebAsset* asset = signaling::findWebAsset(path);
  // Pages have clean URLs: /echo is echo.html.
  if (!asset && path.find('.') == std::string_view::npos) {
    std::string page(path == "/" ? "/index" : path);
    asset = signaling::findWebAsset(page + ".html");
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
  return serveAsset(path);
}

bool ControlPlane::acceptsWebSocket(std::string_view target) { return pathOf(target) == "/ws"; }

void ControlPlane::onWsOpen(const std::shared_ptr<signaling::WsConnection>&) {}

void ControlPlane::onWsMessage(const std::shared_ptr<signaling::WsConnection>& conn,
                               std::string_view text) {
  auto parsed = signaling::parseClientMessage(text);
  if (auto* error = std::get_if<signaling::ProtocolError>(&parsed)) {
    conn->send(signaling::encodeError(error->code, error->message));
    return;
  }
  const auto& message = std::get<signaling::ClientMessage>(parsed);
  if (const auto* offer = std::get_if<signaling::EchoOffer>(&message)) {
    std::weak_ptr<signaling::WsConnection> weak = conn;
    signaling::HttpServer* server = server_;
    media_.createEcho(offer->sdp, [weak, server](sfu::SessionResult result) {
      // Runs on a media worker (or here, on a bad offer): hop back to the control thread.
      auto reply = [weak, result = std::move(result)] {
        auto c = weak.lock();
        if (!c) return;
        c->send(result.ok ? signaling::encodeEchoAnswer(result.sdp)
                          : signaling::encodeError("bad-offer", result.error));
      };
      if (server) {
        server->post(std::move(reply));
      } else {
        reply();
      }
    });
  }
}

void ControlPlane::onWsClose(const std::shared_ptr<signaling::WsConnection>&) {}

}  // namespace treff::app
