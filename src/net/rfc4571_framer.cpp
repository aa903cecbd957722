#include "net/rfc4571_framer.hpp"

namespace treff::net {

Rfc4571Framer::Rfc4571Framer(size_t maxFrame) : frame_(maxFrame) {}

void Rfc4571Framer::startFrame() {
  need_ = util::loadBe16(header_);
  have_ = 0;
  if (need_ == 0) {
    // A zero-length frame carries nothing (RFC 4571 allows it); skip it.
    ++empty_;
    resetFrame();
    return;
  }
  if (need_ > frame_.size()) {
    ++tooLarge_;
    skipping_ = true;
  }
}

bool Rfc4571Framer::writeHeader(uint8_t* out, size_t length) {
  if (length > 0xffff) return false;
  util::storeBe16(out, static_cast<uint16_t>(length));
  return true;
}

}  // namespace treff::net
