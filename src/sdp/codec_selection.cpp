#include "sdp/codec_selection.hpp"

#include <algorithm>
#include <string>
#include <string_view>

#include "sdp/attribute_parsers.hpp"
#include "sdp/text_scan.hpp"

namespace treff::sdp {
namespace {

using text::equalsIgnoreCase;

constexpr std::string_view kH264Preferred = "42e01f";

// RTCP feedback the SFU acts on (RFC 4585, RFC 5104, transport-cc and REMB drafts).
bool keepsVideoFeedback(const RtcpFeedback& fb) {
  if (fb.type == "nack") return fb.parameter.empty() || fb.parameter == "pli";
  if (fb.type == "ccm") return fb.parameter == "fir";
  return (fb.type == "transport-cc" || fb.type == "goog-remb") && fb.parameter.empty();
}

bool keepsAudioFeedback(const RtcpFeedback& fb) {
  return fb.type == "transport-cc" && fb.parameter.empty();
}

std::string lowerCase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  return out;
}

bool isVp9Profile0(const Codec& codec) {
  const auto profile = codec.fmtpParameter("profile-id");
  return !profile || *profile == "0";
}

bool isAv1Profile0(const Codec& codec) {
  const auto profile = codec.fmtpParameter("profile");
  return !profile || *profile == "0";
}

// RFC 6184 §8.1: absent packetization-mode means 0, which the SFU does not take.
bool isH264Mode1(const Codec& codec) {
  const auto mode = codec.fmtpParameter("packetization-mode");
  return mode && *mode == "1";
}

std::string h264ProfileLevelId(const Codec& codec) {
  const auto id = codec.fmtpParameter("profile-level-id");
  // RFC 6184 §8.1: the default is 42000a (baseline, level 1.0).
  return id ? lowerCase(*id) : std::string("42000a");
}

class Selector {
 public:
  Selector(const MediaSection& offered, CodecSelection& out) : offered_(offered), out_(out) {}

  void accept(const Codec& codec, std::string fmtp) {
    if (taken(codec.payloadType)) return;
    const bool video = offered_.kind == MediaKind::Video;
    Codec answer;
    answer.payloadType = codec.payloadType;
    answer.name = codec.name;
    answer.clockRate = codec.clockRate;
    answer.channels = codec.channels;
    answer.fmtp = std::move(fmtp);
    answer.fmtpParameters = attr::fmtpParameters(answer.fmtp);
    for (const RtcpFeedback& fb : codec.rtcpFeedback) {
      const bool keep = video ? keepsVideoFeedback(fb) : keepsAudioFeedback(fb);
      const bool duplicate = std::find(answer.rtcpFeedback.begin(), answer.rtcpFeedback.end(),
                                       fb) != answer.rtcpFeedback.end();
      if (keep && !duplicate) answer.rtcpFeedback.push_back(fb);
    }
    NegotiatedCodec negotiated{answer.payloadType, answer.name, answer.clockRate,
                               answer.channels,    answer.fmtp, answer.rtcpFeedback,
                               std::nullopt};
    out_.answerCodecs.push_back(std::move(answer));
    if (video) {
      if (const Codec* rtx = rtxFor(codec.payloadType)) {
        negotiated.rtxPayloadType = rtx->payloadType;
        out_.rtxToApt[rtx->payloadType] = codec.payloadType;
        Codec rtxAnswer;
        rtxAnswer.payloadType = rtx->payloadType;
        rtxAnswer.name = rtx->name;
        rtxAnswer.clockRate = rtx->clockRate;
        rtxAnswer.fmtp = rtx->fmtp;
        rtxAnswer.fmtpParameters = rtx->fmtpParameters;
        out_.answerCodecs.push_back(std::move(rtxAnswer));
      }
    }
    out_.negotiated.push_back(std::move(negotiated));
  }

 private:
  bool taken(uint8_t payloadType) const {
    for (const Codec& codec : out_.answerCodecs) {
      if (codec.payloadType == payloadType) return true;
    }
    return false;
  }

  // RFC 4588 §8.6: rtx/<clock> with apt=<pt of the media codec>.
  const Codec* rtxFor(uint8_t payloadType) const {
    for (const Codec& codec : offered_.codecs) {
      if (!equalsIgnoreCase(codec.name, "rtx")) continue;
      const auto apt = codec.fmtpParameter("apt");
      if (apt && text::parseUnsigned(*apt, 127) == payloadType && !taken(codec.payloadType)) {
        return &codec;
      }
    }
    return nullptr;
  }

  const MediaSection& offered_;
  CodecSelection& out_;
};

// RFC 7587 §6.1: our receive preferences for Opus.
std::string opusAnswerFmtp(const Codec& offered, const CodecPreferences& preferences) {
  std::string fmtp = "minptime=10;useinbandfec=1";
  if (offered.fmtpParameter("stereo") == "1") fmtp += ";stereo=1;sprop-stereo=1";
  if (preferences.opusDtx) fmtp += ";usedtx=1";
  return fmtp;
}

void selectAudio(const MediaSection& offered, const CodecPreferences& preferences,
                 Selector& selector) {
  if (!preferences.opus) return;
  for (const Codec& codec : offered.codecs) {
    if (equalsIgnoreCase(codec.name, "opus") && codec.clockRate == 48000 && codec.channels == 2) {
      selector.accept(codec, opusAnswerFmtp(codec, preferences));
      return;
    }
  }
}

void selectH264(const MediaSection& offered, const CodecPreferences& preferences,
                Selector& selector) {
  auto isH264 = [](const Codec& codec) {
    return equalsIgnoreCase(codec.name, "H264") && codec.clockRate == 90000 && isH264Mode1(codec);
  };
  for (const Codec& codec : offered.codecs) {
    if (isH264(codec) && h264ProfileLevelId(codec) == kH264Preferred) {
      selector.accept(codec, codec.fmtp);
    }
  }
  for (const std::string& profile : preferences.h264Profiles) {
    for (const Codec& codec : offered.codecs) {
      if (isH264(codec) && h264ProfileLevelId(codec).substr(0, 4) == lowerCase(profile)) {
        selector.accept(codec, codec.fmtp);
      }
    }
  }
}

void selectVideo(const MediaSection& offered, const CodecPreferences& preferences,
                 Selector& selector) {
  for (const std::string& wanted : preferences.video) {
    if (equalsIgnoreCase(wanted, "H264")) {
      selectH264(offered, preferences, selector);
      continue;
    }
    for (const Codec& codec : offered.codecs) {
      if (!equalsIgnoreCase(codec.name, wanted) || codec.clockRate != 90000) continue;
      if (equalsIgnoreCase(wanted, "VP9") && !isVp9Profile0(codec)) continue;
      if (equalsIgnoreCase(wanted, "AV1") && !isAv1Profile0(codec)) continue;
      if (!equalsIgnoreCase(wanted, "VP8") && !equalsIgnoreCase(wanted, "VP9") &&
          !equalsIgnoreCase(wanted, "AV1")) {
        continue;  // an unknown name in the preferences
      }
      selector.accept(codec, codec.fmtp);
    }
  }
}

}  // namespace

CodecSelection selectCodecs(const MediaSection& offered, const CodecPreferences& preferences) {
  CodecSelection selection;
  Selector selector(offered, selection);
  if (offered.kind == MediaKind::Audio) selectAudio(offered, preferences, selector);
  if (offered.kind == MediaKind::Video) selectVideo(offered, preferences, selector);
  return selection;
}

}  // namespace treff::sdp
