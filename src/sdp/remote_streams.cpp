#include "sdp/remote_streams.hpp"

#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "sdp/text_scan.hpp"

namespace treff::sdp {

std::vector<RemoteStream> remoteStreamsOf(const MediaSection& section) {
  // Every SSRC in order of first mention, with its cname and msid. The index keeps this linear:
  // an offer may carry thousands of a=ssrc lines.
  std::vector<RemoteStream> all;
  std::unordered_map<uint32_t, size_t> indexOf;
  for (const SsrcAttribute& line : section.ssrcs) {
    auto [it, inserted] = indexOf.try_emplace(line.ssrc, all.size());
    if (inserted) all.push_back(RemoteStream{line.ssrc, std::nullopt, {}, {}, {}});
    RemoteStream& stream = all[it->second];
    if (line.attribute == "cname") {
      stream.cname = line.value;
    } else if (line.attribute == "msid") {
      const auto parts = text::split(line.value, ' ');
      if (!parts.empty()) stream.streamId = std::string(parts[0]);
      if (parts.size() > 1) stream.trackId = std::string(parts[1]);
    }
  }
  // RFC 8830 §2: unified-plan browsers put the msid on the section, not on each SSRC.
  if (!section.msids.empty()) {
    for (RemoteStream& stream : all) {
      if (stream.streamId.empty()) stream.streamId = section.msids.front().streamId;
      if (stream.trackId.empty()) stream.trackId = section.msids.front().trackId;
    }
  }
  std::unordered_set<uint32_t> repairSsrcs;
  for (const SsrcGroup& group : section.ssrcGroups) {
    if (group.semantics != "FID" || group.ssrcs.size() != 2) continue;
    const auto primary = indexOf.find(group.ssrcs[0]);
    if (primary == indexOf.end() || group.ssrcs[0] == group.ssrcs[1]) continue;
    if (repairSsrcs.count(group.ssrcs[0]) != 0) continue;  // a repair stream has no repair
    all[primary->second].rtxSsrc = group.ssrcs[1];
    repairSsrcs.insert(group.ssrcs[1]);
  }
  std::vector<RemoteStream> primaries;
  for (RemoteStream& stream : all) {
    if (repairSsrcs.count(stream.ssrc) == 0) primaries.push_back(std::move(stream));
  }
  return primaries;
}

}  // namespace treff::sdp
