// This browser's own camera and microphone: opening them, choosing devices, muting. Shared by
// the pre-join screen and the call, so that the preview's tracks go straight into the call.
import { classifyMediaError, type MediaProblem } from '../common/media_errors';

// The fake camera (and many real ones) gives 640x480 unless asked; 720p also lets the
// three simulcast layers exist.
const VIDEO_SIZE = { width: { ideal: 1280 }, height: { ideal: 720 } };

export interface DeviceLists {
  cameras: MediaDeviceInfo[];
  microphones: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

export class LocalMedia {
  microphone: MediaStreamTrack | null = null;
  camera: MediaStreamTrack | null = null;
  micMuted = false;
  cameraOff = false;
  cameraDeviceId = '';
  microphoneDeviceId = '';
  speakerDeviceId = '';
  // Why a device is missing, if it is (shown to the person, who may still join without it).
  problem: MediaProblem | null = null;
  cameraMissing = false;
  microphoneMissing = false;
  devices: DeviceLists = { cameras: [], microphones: [], speakers: [] };
  private listeners = new Set<() => void>();
  private watchingDevices = false;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  // Opens camera and microphone together (one permission prompt), falling back to each alone
  // when one of them is missing.
  async start(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.problem = { kind: 'insecure' };
      this.cameraMissing = this.microphoneMissing = true;
      this.changed();
      return;
    }
    try {
      const stream = await navigator.mediaDevices.getUserMedia({
        audio: this.audioConstraints(), video: this.videoConstraints(),
      });
      this.microphone = stream.getAudioTracks()[0] ?? null;
      this.camera = stream.getVideoTracks()[0] ?? null;
    } catch (err) {
      const problem = classifyMediaError(err);
      if (problem.kind === 'not-found' || problem.kind === 'in-use') {
        this.microphone = await this.open('audio');
        this.camera = await this.open('video');
        if (!this.microphone && !this.camera) this.problem = problem;
      } else {
        this.problem = problem;
      }
    }
    this.cameraMissing = !this.camera;
    this.microphoneMissing = !this.microphone;
    if (this.camera) this.cameraDeviceId = this.camera.getSettings().deviceId ?? '';
    if (this.microphone) this.microphoneDeviceId = this.microphone.getSettings().deviceId ?? '';
    if (this.microphone) this.microphone.enabled = !this.micMuted;
    await this.refreshDevices();
    if (!this.watchingDevices) {
      this.watchingDevices = true;
      navigator.mediaDevices.addEventListener?.('devicechange', () => void this.refreshDevices());
    }
    this.changed();
  }

  private audioConstraints(): MediaTrackConstraints {
    return this.microphoneDeviceId ? { deviceId: { exact: this.microphoneDeviceId } } : {};
  }

  private videoConstraints(): MediaTrackConstraints {
    return this.cameraDeviceId ? { ...VIDEO_SIZE, deviceId: { exact: this.cameraDeviceId } }
                               : { ...VIDEO_SIZE };
  }

  private async open(kind: 'audio' | 'video'): Promise<MediaStreamTrack | null> {
    try {
      const stream = await navigator.mediaDevices.getUserMedia(
        kind === 'audio' ? { audio: this.audioConstraints() } : { video: this.videoConstraints() });
      return stream.getTracks()[0] ?? null;
    } catch {
      return null;
    }
  }

  async refreshDevices(): Promise<void> {
    try {
      const all = await navigator.mediaDevices.enumerateDevices();
      this.devices = {
        cameras: all.filter((d) => d.kind === 'videoinput'),
        microphones: all.filter((d) => d.kind === 'audioinput'),
        speakers: all.filter((d) => d.kind === 'audiooutput'),
      };
      this.changed();
    } catch {
      // keep the previous lists
    }
  }

  setMicMuted(muted: boolean): void {
    this.micMuted = muted;
    if (this.microphone) this.microphone.enabled = !muted;
    this.changed();
  }

  // Turning the camera off stops its track, so that the camera's light goes out.
  turnCameraOff(): void {
    this.cameraOff = true;
    this.camera?.stop();
    this.camera = null;
    this.changed();
  }

  // Returns the new track, or throws the getUserMedia error.
  async turnCameraOn(): Promise<MediaStreamTrack> {
    const stream = await navigator.mediaDevices.getUserMedia({ video: this.videoConstraints() });
    const track = stream.getVideoTracks()[0];
    this.camera?.stop();
    this.camera = track;
    this.cameraOff = false;
    this.cameraMissing = false;
    if (this.problem?.kind !== 'other') this.problem = null;
    this.cameraDeviceId = track.getSettings().deviceId ?? this.cameraDeviceId;
    void this.refreshDevices();
    this.changed();
    return track;
  }

  // Opens the chosen camera; the old track stops once the new one runs. Null while off.
  async switchCamera(deviceId: string): Promise<MediaStreamTrack | null> {
    this.cameraDeviceId = deviceId;
    if (this.cameraOff) {
      this.changed();
      return null;
    }
    return this.turnCameraOn();
  }

  async switchMicrophone(deviceId: string): Promise<MediaStreamTrack> {
    this.microphoneDeviceId = deviceId;
    const stream = await navigator.mediaDevices.getUserMedia({ audio: this.audioConstraints() });
    const track = stream.getAudioTracks()[0];
    this.microphone?.stop();
    this.microphone = track;
    this.microphoneMissing = false;
    track.enabled = !this.micMuted;
    void this.refreshDevices();
    this.changed();
    return track;
  }

  // A microphone opened later (none at the start, or access granted since).
  async openMicrophone(): Promise<MediaStreamTrack> {
    return this.switchMicrophone(this.microphoneDeviceId);
  }

  setSpeaker(deviceId: string): void {
    this.speakerDeviceId = deviceId;
    this.changed();
  }

  stop(): void {
    this.microphone?.stop();
    this.camera?.stop();
    this.microphone = this.camera = null;
    this.changed();
  }
}

export const canChooseSpeaker = (): boolean =>
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
