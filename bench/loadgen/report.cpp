#include "report.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace treff::loadgen {
namespace {

using nlohmann::json;

double round3(double v) { return std::round(v * 1000.0) / 1000.0; }
double ms(uint64_t us) { return round3(us / 1000.0); }

double lossPercent(uint64_t expected, uint64_t received) {
  if (expected == 0) return 0;
  return round3(100.0 * (static_cast<double>(expected) - std::min(received, expected)) / expected);
}

json delayJson(const DelayHistogram& h) {
  if (h.count() == 0) return nullptr;
  return {{"p50", ms(h.percentileUs(0.50))},
          {"p99", ms(h.percentileUs(0.99))},
          {"max", ms(h.maxUs())},
          {"mean", round3(h.meanUs() / 1000.0)}};
}

struct KindTotals {
  uint64_t expected = 0;
  uint64_t received = 0;
  uint64_t duplicates = 0;
  uint64_t flows = 0;
  uint64_t flowsWithoutPackets = 0;
  DelayHistogram delay;

  json toJson() const {
    return {{"flows", flows},
            {"flowsWithoutPackets", flowsWithoutPackets},
            {"expected", expected},
            {"received", received},
            {"duplicates", duplicates},
            {"lossPercent", lossPercent(expected, received)},
            {"delayMs", delayJson(delay)}};
  }
};

}  // namespace

std::string buildReport(const ScenarioOptions& o, const ScenarioResult& r) {
  const char* server = !o.reflector.empty() ? "reflector" : o.janusUrl.empty() ? "treff" : "janus";
  const std::string& url = !o.reflector.empty() ? o.reflector
                           : o.janusUrl.empty() ? o.url
                                                : o.janusUrl;
  json scenario = {{"url", url},
                   {"server", server},
                   {"rooms", o.rooms},
                   {"participantsPerRoom", o.participants},
                   {"publishersPerRoom", r.publishersPerRoom},
                   {"audioOnly", o.audioOnly},
                   {"durationS", o.durationS},
                   {"threads", o.threads},
                   {"videoKbps", o.videoKbps},
                   {"rateScale", o.rateScale},
                   {"seed", o.seed},
                   {"dropPercent", o.dropPercent},
                   {"capacitiesKbps", o.capacitiesKbps}};
  json out = {{"scenario", scenario},
              {"setupOk", r.setupOk},
              {"rampUpMs", r.rampUpMs},
              {"measuredS", round3(r.measuredS)},
              {"loadgenCpuS", round3(r.loadgenCpuS)}};
  if (!r.error.empty()) out["error"] = r.error;

  KindTotals kinds[2];
  uint64_t publishers = 0, packetsSent = 0, bytesSent = 0, audioSent = 0, videoSent = 0;
  uint64_t keyframes = 0, senderReports = 0, receiverReports = 0, transportCc = 0, nacks = 0;
  uint64_t nackedPackets = 0, plis = 0, firs = 0, nacksReceived = 0, rtx = 0, srtpErrors = 0;
  uint64_t unknownSsrc = 0, noStamp = 0, droppedOnPurpose = 0;
  json participants = json::array();
  for (const ParticipantSnapshot& p : r.participants) {
    publishers += p.publishes;
    packetsSent += p.datagramsSent;
    bytesSent += p.bytesSent;
    audioSent += p.audioSent.packets;
    videoSent += p.videoSent.packets;
    keyframes += p.videoSent.keyframes;
    senderReports += p.senderReports;
    receiverReports += p.subscribeRtcp.receiverReports;
    transportCc += p.subscribeRtcp.transportCc;
    nacks += p.subscribeRtcp.nacks;
    nackedPackets += p.subscribeRtcp.nackedPackets;
    plis += p.plisReceived;
    firs += p.firsReceived;
    nacksReceived += p.nacksReceived;
    rtx += p.receive.rtxPackets;
    srtpErrors += p.srtpErrors;
    unknownSsrc += p.receive.unknownSsrc;
    noStamp += p.receive.noStamp;
    droppedOnPurpose += p.droppedOnPurpose;

    json received = json::array();
    const uint32_t roomSize = static_cast<uint32_t>(p.flows.size() / 2);
    const uint32_t first = p.index - p.index % std::max<uint32_t>(roomSize, 1);
    for (uint32_t i = 0; i < roomSize; ++i) {
      const uint32_t publisher = first + i;
      if (publisher == p.index || i >= r.publishersPerRoom) continue;
      const ParticipantSnapshot& pub = r.participants[publisher];
      for (int kind = 0; kind < 2; ++kind) {
        if (kind == 1 && o.audioOnly) continue;
        const FlowStats& f = p.flows[i * 2 + kind];
        // A flow that never delivered: what the publisher sent in the window was all lost.
        const uint64_t sent = kind == 0 ? pub.audioSent.packets : pub.videoSent.packets;
        const uint64_t expected = f.started() ? f.expected() : sent;
        KindTotals& t = kinds[kind];
        ++t.flows;
        t.flowsWithoutPackets += !f.started();
        t.expected += expected;
        t.received += f.received();
        t.duplicates += f.duplicates();
        t.delay.merge(f.delay());
        received.push_back({{"publisher", publisher},
                            {"kind", kind == 0 ? "audio" : "video"},
                            {"expected", expected},
                            {"received", f.received()},
                            {"duplicates", f.duplicates()},
                            {"lossPercent", lossPercent(expected, f.received())},
                            {"delayMs", delayJson(f.delay())}});
      }
    }
    participants.push_back(
        {{"index", p.index},
         {"room", p.room},
         {"id", p.id},
         {"publishes", p.publishes},
         {"connectMs", {{"publish", p.publishConnectMs}, {"subscribe", p.subscribeConnectMs}}},
         {"sent",
          {{"audioPackets", p.audioSent.packets},
           {"videoPackets", p.videoSent.packets},
           {"videoFrames", p.videoSent.frames},
           {"keyframes", p.videoSent.keyframes},
           {"datagrams", p.datagramsSent},
           {"bytes", p.bytesSent}}},
         {"rtcpSent",
          {{"sr", p.senderReports},
           {"rr", p.subscribeRtcp.receiverReports},
           {"transportCc", p.subscribeRtcp.transportCc},
           {"nack", p.subscribeRtcp.nacks}}},
         {"nackedPackets", p.subscribeRtcp.nackedPackets},
         {"plisReceived", p.plisReceived},
         {"firsReceived", p.firsReceived},
         {"nacksReceived", p.nacksReceived},
         {"datagramsReceived", p.datagramsReceived},
         {"bytesReceived", p.bytesReceived},
         {"rtxReceived", p.receive.rtxPackets},
         {"srtpErrors", p.srtpErrors},
         {"received", received}});
    if (!o.capacitiesKbps.empty()) {
      const double seconds = std::max(r.measuredS, 1e-3);
      json& last = participants.back();
      last["capacityKbps"] = o.capacitiesKbps[p.index % o.capacitiesKbps.size()];
      last["offeredKbps"] = round3(p.rtpBytesOffered * 8 / seconds / 1000);
      last["deliveredKbps"] = round3(p.rtpBytesDelivered * 8 / seconds / 1000);
      last["linkDrops"] = p.linkDrops;
    }
  }
  out["totals"] = {{"participants", r.participants.size()},
                   {"publishers", publishers},
                   {"audio", kinds[0].toJson()},
                   {"video", o.audioOnly ? json(nullptr) : kinds[1].toJson()},
                   {"sent",
                    {{"datagrams", packetsSent},
                     {"bytes", bytesSent},
                     {"audioPackets", audioSent},
                     {"videoPackets", videoSent},
                     {"keyframes", keyframes}}},
                   {"rtcpSent",
                    {{"sr", senderReports},
                     {"rr", receiverReports},
                     {"transportCc", transportCc},
                     {"nack", nacks}}},
                   {"nackedPackets", nackedPackets},
                   {"plisReceived", plis},
                   {"firsReceived", firs},
                   {"nacksReceived", nacksReceived},
                   {"rtxReceived", rtx},
                   {"srtpErrors", srtpErrors},
                   {"unknownSsrcPackets", unknownSsrc},
                   {"packetsWithoutStamp", noStamp},
                   {"droppedOnPurpose", droppedOnPurpose}};
  if (!r.serverOutputKbps.empty()) {
    json series = json::array();
    for (double k : r.serverOutputKbps) series.push_back(round3(k));
    out["serverOutputKbps"] = std::move(series);
  }
  out["participants"] = std::move(participants);
  return out.dump();
}

}  // namespace treff::loadgen
