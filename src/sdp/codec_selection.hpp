// Which of an offer's codecs the server accepts, in its preference order, keeping the offer's
// payload type numbers.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "sdp/answer.hpp"
#include "sdp/local_parameters.hpp"
#include "sdp/session_description.hpp"

namespace treff::sdp {

struct CodecSelection {
  std::vector<Codec> answerCodecs;  // media codecs each followed by its RTX, as written
  std::vector<NegotiatedCodec> negotiated;
  std::map<uint8_t, uint8_t> rtxToApt;
};

// Empty when nothing in `offered` is acceptable. RED, ULPFEC, CN, G.711 and telephone-event are
// never accepted.
CodecSelection selectCodecs(const MediaSection& offered, const CodecPreferences& preferences);

}  // namespace treff::sdp
