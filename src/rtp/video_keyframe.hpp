// Where a key frame starts, for each video codec an SFU forwards: the point at which a
// subscriber may start decoding or switch to another simulcast layer.
#pragma once

#include <cstdint>
#include <string_view>

#include "util/bytes.hpp"

namespace treff::rtp {

enum class VideoCodec : uint8_t { Other, Vp8, Vp9, H264, Av1 };

// The codec of an SDP encoding name ("VP8", "vp9", "H264", "AV1"; case-insensitive).
VideoCodec videoCodecOf(std::string_view encodingName);

// H.264 (RFC 6184 §5): true if the packet carries a sequence parameter set or the start of an
// IDR picture, either as a single NAL unit, inside a STAP-A, or as the first fragment of a
// FU-A. A sender puts the parameter sets before the IDR picture, so that packet is where a
// decoder can begin.
bool isH264Keyframe(util::ConstBytes payload);

// AV1 (the AV1 RTP payload format, §4.4): true for the first packet of a coded video sequence
// (aggregation header N=1, not a continuation, Z=0), which begins with a key frame.
bool isAv1Keyframe(util::ConstBytes payload);

// The first packet of a key frame in `codec`'s payload; false for Other.
bool isKeyframe(VideoCodec codec, util::ConstBytes payload);

}  // namespace treff::rtp
