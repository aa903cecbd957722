// Routes of the control plane: the web app, /metrics, and the /ws signaling socket.
#pragma once

#include <memory>
#include <string>

#include "signaling/http_server.hpp"

namespace treff::sfu {
class MediaPlane;
}

namespace treff::app {

class ControlPlane final : public signaling::HttpHandler {
 public:
  explicit ControlPlane(sfu::MediaPlane& media);
  // The server whose thread runs this handler: media workers report back through it.
  void attach(signaling::HttpServer& server) { server_ = &server; }

  signaling::HttpResponse onHttp(const signaling::HttpRequest& request) override;
  bool acceptsWebSocket(std::string_view target) override;
  void onWsOpen(const std::shared_ptr<signaling::WsConnection>& conn) override;
  void onWsMessage(const std::shared_ptr<signaling::WsConnection>& conn,
                   std::string_view text) override;
  void onWsClose(const std::shared_ptr<signaling::WsConnection>& conn) override;

 private:
  signaling::HttpResponse serveAsset(std::string_view path);

  sfu::MediaPlane& media_;
  signaling::HttpServer* server_ = nullptr;
};

}  // namespace treff::app
