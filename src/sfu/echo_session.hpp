// The echo test: a browser's camera and microphone come back to it on the same PeerConnection,
// through the whole media path (ICE, DTLS, SRTP, RTP/RTCP rewriting). Each incoming stream is
// sent back under the server's own SSRC; keyframe requests and NACKs for the echoed stream go
// to the browser's sender; the browser's sender reports come back mapped, for lip sync.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "rtp/receive_stats.hpp"
#include "rtp/stream_identifier.hpp"
#include "sfu/transport.hpp"
#include "sfu/worker.hpp"

namespace treff::sfu {

struct EchoStreamConfig {
  std::string mid;
  bool video = false;
  uint32_t clockRate = 90000;
  uint32_t outSsrc = 0;     // what the server sends on this m-section
  uint32_t outRtxSsrc = 0;  // 0 without RTX
};

// What the browser's offer said about its streams, for the stream identifier.
struct RemoteStreamHints {
  std::vector<std::pair<uint32_t, std::string>> ssrcMids;  // a=ssrc
  std::vector<std::pair<uint32_t, uint32_t>> repairOf;     // FID: repair ssrc, primary ssrc
  std::vector<std::pair<uint8_t, std::string>> payloadTypeMids;
  std::vector<uint8_t> repairPayloadTypes;
};

struct EchoConfig {
  ice::IceCredentials localIce;
  TransportRemote remote;
  std::vector<EchoStreamConfig> streams;
  RemoteStreamHints hints;
  std::string cname;
};

class EchoSession final : public Session, private Transport::Listener {
 public:
  EchoSession(Worker& worker, const EchoConfig& config);
  ~EchoSession() override;
  void setId(uint64_t id) { id_ = id; }

  void onTick(uint64_t nowMs) override;
  // ICE restart (RFC 8445 §9): new credentials, the same DTLS association and streams.
  void restartIce(const ice::IceCredentials& local, const ice::IceCredentials& remote);

 private:
  struct Stream {
    EchoStreamConfig config;
    uint32_t inSsrc = 0;  // the browser's primary SSRC, once seen
    uint32_t inRtxSsrc = 0;
    uint64_t lastKeyframeRequestMs = 0;
  };
  struct Receiver {
    uint32_t ssrc;
    std::unique_ptr<rtp::ReceiveStreamStats> stats;
  };

  // Transport::Listener
  void onTransportRtp(Transport&, rtp::RtpPacket& packet, util::PacketRef& buffer,
                      uint64_t nowUs) override;
  void onTransportRtcp(Transport&, uint8_t* data, size_t size, uint64_t nowUs) override;
  void onTransportClosed(Transport&, const char* reason) override;

  Stream* streamByMid(std::string_view mid);
  Stream* streamByOutSsrc(uint32_t ssrc);
  Stream* streamByInSsrc(uint32_t ssrc);
  rtp::ReceiveStreamStats* receiver(uint32_t ssrc, uint32_t clockRate);
  void requestKeyframe(Stream& stream, uint64_t nowMs);
  void sendReceiverReports(uint64_t nowUs);

  Worker& worker_;
  uint64_t id_ = 0;
  std::string cname_;
  std::vector<Stream> streams_;
  std::vector<Receiver> receivers_;
  rtp::StreamIdentifier identifier_;
  std::unique_ptr<Transport> transport_;
  uint64_t lastReportUs_ = 0;
};

}  // namespace treff::sfu
