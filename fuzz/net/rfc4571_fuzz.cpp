// Feeds arbitrary stream bytes to the RFC 4571 framer, split at a point taken from the input,
// and checks that every frame it yields lies within the bounds it promises.
#include <cstdlib>

#include "net/rfc4571_framer.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  treff::net::Rfc4571Framer framer(1600);
  size_t split = data[0] % (size);
  size_t total = 0;
  auto onFrame = [&](treff::util::ConstBytes frame) {
    if (frame.empty() || frame.size() > 1600) std::abort();
    total += frame.size() + 2;
  };
  framer.feed(treff::util::ConstBytes(data + 1, split > 0 ? split - 1 : 0), onFrame);
  if (split > 0) framer.feed(treff::util::ConstBytes(data + split, size - split), onFrame);
  if (total > size) std::abort();
  return 0;
}
