// A small asynchronous HTTP/1.1 client for a JSON API, as the Janus backend needs it: one request
// per connection, callbacks on the signaling thread. Implemented over Beast in
// treff_signaling.cpp so that no other file compiles Beast.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace treff::loadgen {

class HttpClient {
 public:
  // `error` is empty on a 2xx response; otherwise it says what failed and `body` may be empty.
  using Done = std::function<void(const std::string& error, const std::string& body)>;

  virtual ~HttpClient() = default;
  // GET `target` (path and query) if `body` is empty, else POST it as application/json. The
  // request fails if no response arrived after `timeoutS` seconds.
  virtual void request(const std::string& target, std::string body, uint32_t timeoutS,
                       Done done) = 0;
  // Runs `fn` on the signaling thread.
  virtual void dispatch(std::function<void()> fn) = 0;
};

}  // namespace treff::loadgen
