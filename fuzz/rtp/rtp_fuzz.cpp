// libFuzzer target: RTP packet view, header extension lookups and writers, the typed readers,
// stream identification, receive statistics and the VP8 payload descriptor on arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "rtp/header_extensions.hpp"
#include "rtp/receive_stats.hpp"
#include "rtp/rtp_packet.hpp"
#include "rtp/seq_num.hpp"
#include "rtp/stream_identifier.hpp"
#include "rtp/vp8_descriptor.hpp"

using namespace treff::rtp;

namespace {

// Chromium's extmap ids (tests/data/chromium-offer-simulcast-unencrypted.sdp).
ExtensionIdMap chromiumIds() {
  ExtensionIdMap ids;
  ids.set(ExtensionType::AudioLevel, 1);
  ids.set(ExtensionType::AbsSendTime, 2);
  ids.set(ExtensionType::TransportWideCc, 3);
  ids.set(ExtensionType::Mid, 4);
  ids.set(ExtensionType::Rid, 10);
  ids.set(ExtensionType::RepairedRid, 11);
  return ids;
}

volatile uint64_t sink;

void exerciseVp8(treff::util::MutableBytes payload) {
  Vp8Descriptor d;
  if (!parseVp8Descriptor(payload, &d)) return;
  sink = sink + d.pictureId + d.tl0PicIdx + d.tid + d.keyIdx + d.size + d.isKeyframe;
  if (d.size > payload.size()) __builtin_trap();
  rewriteVp8PictureId(payload, d, static_cast<uint16_t>(d.pictureId + 1));
  rewriteVp8Tl0PicIdx(payload, d, static_cast<uint8_t>(d.tl0PicIdx + 1));
  Vp8Descriptor again;
  if (!parseVp8Descriptor(payload, &again) || again.size != d.size) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const ExtensionIdMap ids = chromiumIds();
  static StreamIdentifier identifier(ids, 8);
  static ReceiveStreamStats stats(1, 90000);
  static uint64_t clockUs = 0;

  std::vector<uint8_t> buf(data, data + size);
  RtpPacket p;
  ParseError why;
  if (!RtpPacket::parse(buf.data(), buf.size(), &p, &why)) {
    sink = sink + static_cast<uint8_t>(why);
    return 0;
  }
  if (p.headerLength() + p.payloadLength() + p.paddingLength() != size) __builtin_trap();

  uint64_t acc = p.version() + p.hasPadding() + p.marker() + p.payloadType() + p.sequence() +
                 p.timestamp() + p.ssrc() + p.extensionProfile() +
                 static_cast<uint8_t>(p.extensionForm()) + p.extensionBlock().size();
  for (size_t i = 0; i < p.csrcCount(); ++i) acc += p.csrc(i);

  size_t cursor = 0;
  uint8_t id;
  treff::util::ConstBytes value;
  while (p.nextExtension(&cursor, &id, &value)) {
    if (value.data() < buf.data() || value.data() + value.size() > buf.data() + p.headerLength())
      __builtin_trap();
    acc += id + value.size();
  }
  for (int i = 0; i < 256; ++i) acc += p.findExtension(static_cast<uint8_t>(i)).size();

  acc += readTransportWideSeq(p, ids).value_or(0) + readAbsSendTime(p, ids).value_or(0);
  if (auto level = readAudioLevel(p, ids)) acc += level->levelDbov;
  acc += readMid(p, ids).size() + readRid(p, ids).size() + readRepairedRid(p, ids).size();

  if (const StreamInfo* info = identifier.lookup(p)) acc += info->mid.size();
  if (identifier.size() == identifier.capacity()) identifier.forget(p.ssrc());

  clockUs += 1000 + (size & 0xff);
  stats.onRtp(p, clockUs);
  if ((size & 7) == 0) {
    const ReportBlockData rb = stats.makeReportBlock(clockUs);
    acc += rb.fractionLost + static_cast<uint32_t>(rb.cumulativeLost) + rb.jitter;
  }

  // In-place writers, then the packet must still parse to the same layout.
  const size_t header = p.headerLength();
  writeTransportWideSeq(p, ids, static_cast<uint16_t>(acc));
  p.setSequence(static_cast<uint16_t>(p.sequence() + 1));
  p.setTimestamp(p.timestamp() + 3000);
  p.setSsrc(~p.ssrc());
  p.setPayloadType(static_cast<uint8_t>(acc & 0x7f));
  p.setMarker(!p.marker());
  p.remapExtensionId(4, 5);
  p.eraseExtension(10);
  RtpPacket again;
  if (!RtpPacket::parse(buf.data(), buf.size(), &again) || again.headerLength() != header)
    __builtin_trap();

  exerciseVp8(p.payloadMutable());
  // The capture's video is RED: try the primary block behind a 1-byte last-block header.
  if (p.payloadLength() > 1 && (p.payload()[0] & 0x80) == 0) {
    exerciseVp8(p.payloadMutable().subspan(1));
  }

  // Rebuild a header from the parsed fields into a small buffer.
  uint8_t out[64];
  RtpPacketBuilder b(out, {p.payloadType(), p.marker(), p.sequence(), p.timestamp(), p.ssrc()});
  cursor = 0;
  while (again.nextExtension(&cursor, &id, &value)) b.addExtension(id, value);
  const size_t n = b.finish();
  if (n) {
    RtpPacket built;
    if (!RtpPacket::parse(out, n, &built)) __builtin_trap();
  }

  acc += static_cast<uint64_t>(seqDiff(p.sequence(), static_cast<uint16_t>(acc)));
  sink = sink + acc;
  return 0;
}
