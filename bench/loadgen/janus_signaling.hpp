// The Janus backend of the load generator's signaling: the VideoRoom plugin (multistream API of
// Janus 1.x) over Janus's HTTP API, with a long poll per session for its events. Each
// participant has one Janus session with a publisher handle (creates the room if needed, joins
// it, publishes our offer) and, once someone else publishes, a subscriber handle that follows
// every other publisher of the room. No Beast here: the HTTP goes through HttpClient.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "http_client.hpp"
#include "signaling.hpp"

namespace treff::loadgen {

// `basePath` is the API's path, e.g. "/janus"; `openSessions` counts sessions from join() until
// they are destroyed after leave().
std::unique_ptr<Signaling> makeJanusVideoRoomSignaling(std::shared_ptr<HttpClient> http,
                                                       std::string basePath,
                                                       const JanusRoomSettings& room,
                                                       std::atomic<size_t>& openSessions,
                                                       Signaling::Listener& listener);

}  // namespace treff::loadgen
