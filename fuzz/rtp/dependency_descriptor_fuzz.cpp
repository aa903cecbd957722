// libFuzzer target: the AV1 dependency descriptor header extension, as a stream of descriptors
// against the structure the earlier ones left: the input is a sequence of extensions, each
// preceded by its length byte, so a corpus entry can hold a key frame's descriptor and those
// that follow it.
#include <cstddef>
#include <cstdint>

#include "rtp/dependency_descriptor.hpp"

using namespace treff::rtp;

namespace {
volatile uint64_t sink;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FrameDependencyStructure structure;
  size_t pos = 0;
  while (pos < size) {
    size_t length = data[pos++];
    if (length > size - pos) length = size - pos;
    treff::util::ConstBytes ext(data + pos, length);
    pos += length;
    const FrameDependencyStructure before = structure;
    DependencyDescriptor d;
    DdError why = DdError::None;
    if (parseDependencyDescriptor(ext, structure, &d, &why)) {
      // A parsed frame sits on a layer the structure in force defines.
      if (!structure.valid || d.spatialId > structure.maxSpatialId ||
          d.temporalId > structure.maxTemporalId || structure.templateCount == 0 ||
          structure.templateCount > FrameDependencyStructure::kMaxTemplates)
        __builtin_trap();
      if (!d.carriesStructure && structure.templateCount != before.templateCount) __builtin_trap();
      sink = sink + d.frameNumber + d.spatialId + d.temporalId + d.activeDecodeTargets;
    } else {
      // A failure leaves the structure as it was and names a reason.
      if (why == DdError::None || structure.valid != before.valid ||
          structure.templateCount != before.templateCount)
        __builtin_trap();
    }
  }
  return 0;
}
