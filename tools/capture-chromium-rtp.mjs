// Makes a test vector: a short unencrypted loopback call in Debian's Chromium that sends one
// video codec (VP9, H264 or AV1) from the fake camera at 1280x720, for a packet capture taken
// by tools/capture-chromium-rtp.sh. Encryption is off (--disable-webrtc-encryption) so the
// capture holds plain RTP. Only the chosen codec and its RTX are negotiated (no RED/ULPFEC),
// and the receiver asks for one keyframe halfway through (a PLI from Chromium itself, caused
// by a resolution change of the sender). An optional scalability mode (WebRTC-SVC, e.g.
// L3T3_KEY) makes the camera one SVC encoding with spatial and temporal layers.
//   node tools/capture-chromium-rtp.mjs VP9 3000 [L3T3_KEY]
import { createServer } from 'node:http';
import { once } from 'node:events';
import { chromium } from 'playwright-core';

const [codec = 'VP9', durationText = '3000', scalabilityMode = ''] = process.argv.slice(2);
const durationMs = Number(durationText);
const server = createServer((req, res) => res.end('<!doctype html><title>capture</title>'));
server.listen(0, '127.0.0.1');
await once(server, 'listening');
const browser = await chromium.launch({
  executablePath: process.env.TREFF_CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream',
         '--use-fake-device-for-media-stream', '--allow-loopback-in-peer-connection',
         '--disable-webrtc-encryption', '--disable-background-networking',
         '--disable-component-update', '--disable-sync', '--no-first-run'],
});
try {
  const page = await browser.newPage();
  // getUserMedia needs a secure context: an empty page from a loopback origin is one.
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  const result = await page.evaluate(async ({ codec, durationMs, scalabilityMode }) => {
    const stream = await navigator.mediaDevices.getUserMedia(
      { video: { width: 1280, height: 720 } });
    const a = new RTCPeerConnection();
    const b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    const init = { direction: 'sendonly' };
    if (scalabilityMode) init.sendEncodings = [{ scalabilityMode }];
    const transceiver = a.addTransceiver(stream.getVideoTracks()[0], init);
    const wanted = RTCRtpSender.getCapabilities('video').codecs.filter((c) =>
      c.mimeType === `video/${codec}` && (codec !== 'H264' ||
        /packetization-mode=1/.test(c.sdpFmtpLine) && /42e01f/.test(c.sdpFmtpLine)) &&
      (codec !== 'VP9' || /profile-id=0/.test(c.sdpFmtpLine)));
    const rtx = RTCRtpSender.getCapabilities('video').codecs.filter((c) => c.mimeType === 'video/rtx');
    transceiver.setCodecPreferences([...wanted, ...rtx]);
    await a.setLocalDescription();
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription();
    await a.setRemoteDescription(b.localDescription);
    const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
    await sleep(durationMs / 2);
    // A smaller encoding makes the encoder start a new keyframe.
    const params = transceiver.sender.getParameters();
    params.encodings[0].scaleResolutionDownBy = 2;
    await transceiver.sender.setParameters(params);
    await sleep(durationMs / 2);
    let framesDecoded = 0;
    (await b.getStats()).forEach((r) => { if (r.type === 'inbound-rtp') framesDecoded = r.framesDecoded; });
    const offer = a.localDescription.sdp;
    const sent = transceiver.sender.getParameters().encodings[0].scalabilityMode ?? '';
    a.close(); b.close();
    return { framesDecoded, offer, sent };
  }, { codec, durationMs, scalabilityMode });
  console.error(`capture-chromium-rtp: ${codec} ${result.sent}: ${result.framesDecoded} frames decoded`);
  process.stdout.write(result.offer);
} finally {
  await browser.close();
  server.close();
}
