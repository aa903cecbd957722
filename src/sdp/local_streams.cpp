#include "sdp/local_streams.hpp"

namespace treff::sdp {

void announceSender(const LocalSender& sender, bool withRtx, MediaSection& section) {
  section.msids.push_back(Msid{sender.streamId, sender.trackId});
  const std::string msid =
      sender.trackId.empty() ? sender.streamId : sender.streamId + ' ' + sender.trackId;
  auto announce = [&](uint32_t ssrc) {
    section.ssrcs.push_back(SsrcAttribute{ssrc, "cname", sender.cname});
    section.ssrcs.push_back(SsrcAttribute{ssrc, "msid", msid});
  };
  announce(sender.ssrc);
  if (withRtx && sender.rtxSsrc != 0) {
    section.ssrcGroups.push_back(SsrcGroup{"FID", {sender.ssrc, sender.rtxSsrc}});
    announce(sender.rtxSsrc);
  }
}

void addHostCandidates(const std::vector<Candidate>& candidates, MediaSection& section) {
  for (Candidate candidate : candidates) {
    if (candidate.transport == "tcp" && candidate.tcpType.empty()) candidate.tcpType = "passive";
    section.candidates.push_back(std::move(candidate));
  }
}

}  // namespace treff::sdp
