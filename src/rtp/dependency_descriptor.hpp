// The dependency descriptor RTP header extension (AV1 RTP specification, appendix A): which
// spatial and temporal layer a packet's frame belongs to, where frames start and end, and the
// frame dependency structure that key frames carry and later descriptors refer to by template.
// An SFU reads it to drop the layers a subscriber does not need without decoding AV1.
//
// Parsing runs per packet: no allocation, no exception; the structure lives in caller storage.
#pragma once

#include <array>
#include <cstdint>

#include "util/bytes.hpp"

namespace treff::rtp {

enum class DdError : uint8_t {
  None,
  TooShort,     // fewer than the three mandatory bytes
  Truncated,    // a field the flags announce runs past the end
  NoStructure,  // refers to a template, but no structure has been seen yet
  BadTemplate,  // the template id is not one of the structure's
  TooLarge,     // a structure beyond what this parser keeps (spatial layers, decode targets)
};

// The templates a key frame's descriptor defines (template_dependency_structure). Only what
// forwarding needs is kept: each template's layer, the counts that size later descriptors'
// custom fields, and the render resolution of each spatial layer when given.
struct FrameDependencyStructure {
  static constexpr size_t kMaxTemplates = 64;      // template ids are 6 bits
  static constexpr size_t kMaxDecodeTargets = 32;  // dt_cnt_minus_one is 5 bits
  static constexpr size_t kMaxSpatialLayers = 8;

  bool valid = false;
  uint8_t templateIdOffset = 0;
  uint8_t decodeTargetCount = 0;
  uint8_t templateCount = 0;
  uint8_t chainCount = 0;
  uint8_t maxSpatialId = 0;
  uint8_t maxTemporalId = 0;
  std::array<uint8_t, kMaxTemplates> templateSpatialId{};
  std::array<uint8_t, kMaxTemplates> templateTemporalId{};
  bool hasResolutions = false;
  std::array<uint16_t, kMaxSpatialLayers> width{};  // render size per spatial layer
  std::array<uint16_t, kMaxSpatialLayers> height{};
};

// One packet's descriptor.
struct DependencyDescriptor {
  bool startOfFrame = false;
  bool endOfFrame = false;
  uint8_t templateId = 0;
  uint16_t frameNumber = 0;
  bool carriesStructure = false;  // a new structure came with this packet (a key frame's)
  bool hasActiveDecodeTargets = false;
  uint32_t activeDecodeTargets = 0;  // bit i: decode target i is sent
  uint8_t spatialId = 0;             // the frame's layer, from its template
  uint8_t temporalId = 0;
};

// Parses one descriptor. `structure` is the one in force for the stream: a descriptor that
// carries a new one replaces it (only when the whole descriptor parses). On failure nothing is
// written and `why` says what was wrong.
bool parseDependencyDescriptor(util::ConstBytes extension, FrameDependencyStructure& structure,
                               DependencyDescriptor* out, DdError* why = nullptr);

}  // namespace treff::rtp
