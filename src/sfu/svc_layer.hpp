// Where a packet of a scalable (SVC) video stream sits: its spatial and temporal layer and
// whether it starts or ends that layer's frame. Read once per incoming packet (Publication::
// classify), then used by every subscription to decide what to forward.
#pragma once

#include <cstdint>

namespace treff::sfu {

struct SvcLayer {
  bool known = false;  // the packet named its layer (VP9 layer indices, AV1 dependency descriptor)
  uint8_t spatialId = 0;
  uint8_t temporalId = 0;
  bool startOfFrame = false;
  bool endOfFrame = false;
};

}  // namespace treff::sfu
