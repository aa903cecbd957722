// One run of the echo test: camera and microphone, a WebSocket to the server, and ONE
// RTCPeerConnection whose tracks the server sends straight back. The UI only sees callbacks.
import { EchoError, SERVER_UNREACHABLE, describeMediaError } from './errors';
import { type EchoOffer, type EchoRestart, parseServerMessage, signalingUrl } from './protocol';
import { type EchoStats, type StatsSample, summarize } from './stats';

export interface EchoListener {
  onStatus(text: string): void;
  onLocalStream(stream: MediaStream | null): void;
  onRemoteStream(stream: MediaStream | null): void;
  onStats(stats: EchoStats): void;
  // A failure that ends the run; stop() has already been called.
  onFailure(message: string): void;
}

const CONNECT_TIMEOUT_MS = 10_000;
const GATHERING_TIMEOUT_MS = 5_000;
const STATS_INTERVAL_MS = 1_000;
const MAX_ICE_RESTARTS = 1;

export class EchoSession {
  private stream: MediaStream | null = null;
  private ws: WebSocket | null = null;
  private pc: RTCPeerConnection | null = null;
  private statsTimer: number | undefined;
  private lastSample: StatsSample | null = null;
  private stopped = false;
  // Set once the first answer is applied; later negotiations are ICE restarts.
  private answered = false;
  private restarting = false;
  private restarts = 0;

  constructor(private readonly listener: EchoListener) {}

  async start(): Promise<void> {
    try {
      await this.run();
    } catch (err) {
      if (this.stopped) {
        this.release();  // Stop was pressed meanwhile: free what arrived after it
        return;
      }
      this.stop();
      this.listener.onFailure(err instanceof EchoError ? err.message
                              : `The echo test failed: ${String(err)}`);
    }
  }

  stop(): void {
    this.stopped = true;
    this.release();
  }

  private release(): void {
    window.clearInterval(this.statsTimer);
    this.statsTimer = undefined;
    if (this.ws) {
      this.ws.onopen = this.ws.onclose = this.ws.onerror = this.ws.onmessage = null;
      this.ws.close();
      this.ws = null;
    }
    if (this.pc) {
      this.pc.ontrack = this.pc.onconnectionstatechange = this.pc.onnegotiationneeded = null;
      this.pc.close();
      this.pc = null;
    }
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.listener.onLocalStream(null);
    this.listener.onRemoteStream(null);
  }

  private async run(): Promise<void> {
    this.listener.onStatus('Asking for camera and microphone…');
    this.stream = await this.openMedia();
    this.checkStopped();
    this.listener.onLocalStream(this.stream);

    this.listener.onStatus('Connecting to the server…');
    this.ws = await this.openSocket();
    this.checkStopped();

    const pc = new RTCPeerConnection({
      bundlePolicy: 'max-bundle',
      rtcpMuxPolicy: 'require',
      iceServers: [],
    });
    this.pc = pc;
    pc.ontrack = () => this.showRemoteTracks(pc);
    pc.onconnectionstatechange = () => this.onConnectionState(pc.connectionState);
    // pc.restartIce() (after a network change or a failure) asks for a new offer.
    pc.onnegotiationneeded = () => void this.restartIce(pc);
    // One encoding per track: the echo test does not use simulcast.
    for (const track of this.stream.getTracks()) {
      pc.addTransceiver(track, { direction: 'sendrecv', streams: [this.stream] });
    }

    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    // The server is ICE-lite and reads candidates only from the SDP: no trickle.
    await this.gatheringComplete(pc);
    this.checkStopped();

    this.ws.onmessage = (ev) => void this.onServerMessage(ev.data);
    const message: EchoOffer = { type: 'echo.offer', version: 1, sdp: pc.localDescription!.sdp };
    this.ws.send(JSON.stringify(message));
    this.listener.onStatus('Waiting for the server’s answer…');
    this.statsTimer = window.setInterval(() => void this.pollStats(), STATS_INTERVAL_MS);
  }

  // The echo comes back on the receivers of our own transceivers. A new stream object each
  // time, so that the page notices the change.
  private showRemoteTracks(pc: RTCPeerConnection): void {
    const tracks = pc.getReceivers().map((r) => r.track).filter((t) => t !== null);
    this.listener.onRemoteStream(tracks.length ? new MediaStream(tracks) : null);
  }

  private async openMedia(): Promise<MediaStream> {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new EchoError('This page cannot use the camera: it must be opened over https ' +
                          '(or on localhost) in a current browser.');
    }
    try {
      return await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: { width: 1280, height: 720 },
      });
    } catch (err) {
      throw new EchoError(describeMediaError(err));
    }
  }

  private openSocket(): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(signalingUrl(window.location));
      } catch {
        reject(new EchoError(SERVER_UNREACHABLE));
        return;
      }
      const timer = window.setTimeout(() => {
        ws.close();
        reject(new EchoError(SERVER_UNREACHABLE));
      }, CONNECT_TIMEOUT_MS);
      ws.onopen = () => {
        window.clearTimeout(timer);
        ws.onclose = () => this.onSocketClosed();
        ws.onerror = null;
        resolve(ws);
      };
      ws.onerror = ws.onclose = () => {
        window.clearTimeout(timer);
        reject(new EchoError(SERVER_UNREACHABLE));
      };
    });
  }

  private gatheringComplete(pc: RTCPeerConnection): Promise<void> {
    if (pc.iceGatheringState === 'complete') return Promise.resolve();
    return new Promise((resolve) => {
      // After the timeout the offer goes out with the candidates found so far: an ICE-lite
      // server learns the browser's address from its checks anyway.
      const timer = window.setTimeout(done, GATHERING_TIMEOUT_MS);
      function done() {
        window.clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        resolve();
      }
      function onChange() {
        if (pc.iceGatheringState === 'complete') done();
      }
      pc.addEventListener('icegatheringstatechange', onChange);
    });
  }

  private async onServerMessage(data: unknown): Promise<void> {
    if (typeof data !== 'string' || !this.pc) return;
    const msg = parseServerMessage(data);
    if (!msg) return;
    if (msg.type === 'error') {
      this.fail(`The server refused the echo test: ${msg.message} (${msg.code})`);
      return;
    }
    try {
      await this.pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      this.restarting = false;
      if (this.answered) return;  // an ICE restart's answer: the media carries on
      this.answered = true;
      // Also without a track event (an answer that only receives): show what arrives.
      this.showRemoteTracks(this.pc);
      this.listener.onStatus('Answer received; connecting media…');
    } catch (err) {
      this.fail(`The server’s answer could not be used: ${String(err)}`);
    }
  }

  private onConnectionState(state: RTCPeerConnectionState): void {
    switch (state) {
      case 'connected':
        this.listener.onStatus('Connected: your camera and microphone come back through the ' +
                               'server.');
        break;
      case 'disconnected':
        this.listener.onStatus('The media connection is interrupted; waiting for it to recover…');
        break;
      case 'failed':
        // One ICE restart (new credentials, a fresh look at the network) before giving up.
        if (this.restarts < MAX_ICE_RESTARTS && this.ws) {
          this.restarts += 1;
          this.pc?.restartIce();
          break;
        }
        this.fail('The media connection to the server failed. A firewall may block UDP to the ' +
                  'server’s media port.');
        break;
      default:
        break;
    }
  }

  // Sends the offer of an ICE restart; the answer arrives as an ordinary echo.answer.
  private async restartIce(pc: RTCPeerConnection): Promise<void> {
    if (!this.answered || this.restarting || !this.ws || pc.signalingState !== 'stable') return;
    this.restarting = true;
    try {
      await pc.setLocalDescription(await pc.createOffer({ iceRestart: true }));
      await this.gatheringComplete(pc);
      if (this.stopped || !this.ws) return;
      const message: EchoRestart = { type: 'echo.restart', version: 1, sdp: pc.localDescription!.sdp };
      this.ws.send(JSON.stringify(message));
      this.listener.onStatus('Reconnecting media (ICE restart)…');
    } catch (err) {
      this.fail(`The connection could not be restarted: ${String(err)}`);
    }
  }

  private onSocketClosed(): void {
    if (this.stopped) return;
    this.ws = null;
    // Before the media connects the test cannot go on; after, the echo keeps running.
    if (this.pc?.connectionState !== 'connected') this.fail(SERVER_UNREACHABLE);
  }

  private async pollStats(): Promise<void> {
    const pc = this.pc;
    if (!pc) return;
    const { stats, sample } = summarize(await pc.getStats(), this.lastSample);
    if (this.stopped) return;
    this.lastSample = sample;
    this.listener.onStats(stats);
  }

  private fail(message: string): void {
    if (this.stopped) return;
    this.stop();
    this.listener.onFailure(message);
  }

  private checkStopped(): void {
    if (this.stopped) throw new EchoError('Stopped.');
  }
}
