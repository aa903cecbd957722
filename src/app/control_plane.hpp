// Routes of the control plane: the web app, /metrics, and the /ws signaling socket.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "signaling/http_server.hpp"
#include "signaling/meetings.hpp"

namespace treff::sfu {
class MediaPlane;
struct SessionResult;
}  // namespace treff::sfu

namespace treff::app {

struct ControlPlaneOptions {
  signaling::MeetingLimits limits;
  signaling::RoomSettings rooms;
  std::string privacyUrl;
  std::string imprintUrl;
  std::string whipToken;  // empty: WHIP off
};

class ControlPlane final : public signaling::HttpHandler {
 public:
  ControlPlane(sfu::MediaPlane& media, ControlPlaneOptions options);
  // The server whose thread runs this handler: media workers report back through it, and it
  // ticks the meetings' timeouts.
  void attach(signaling::HttpServer& server);

  signaling::HttpResponse onHttp(const signaling::HttpRequest& request) override;
  bool acceptsWebSocket(std::string_view target) override;
  void onWsOpen(const std::shared_ptr<signaling::WsConnection>& conn) override;
  void onWsMessage(const std::shared_ptr<signaling::WsConnection>& conn,
                   std::string_view text) override;
  void onWsClose(const std::shared_ptr<signaling::WsConnection>& conn) override;

 private:
  signaling::HttpResponse serveAsset(std::string_view path);
  signaling::HttpResponse handleWhip(const signaling::HttpRequest& request, std::string_view path);
  // Sends a media plane result to the socket, from whichever thread the plane answers on.
  std::function<void(sfu::SessionResult)> replyTo(
      const std::shared_ptr<signaling::WsConnection>& conn, bool remember);

  sfu::MediaPlane& media_;
  ControlPlaneOptions options_;
  signaling::Meetings meetings_;
  signaling::HttpServer* server_ = nullptr;
  // The echo session of each socket (control thread only); ended when its socket closes.
  std::unordered_map<uint64_t, uint64_t> echoByConnection_;
};

}  // namespace treff::app
