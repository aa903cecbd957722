// The echo test page: the browser sends its camera and microphone to the server, which sends
// them straight back over the same peer connection.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { EchoSession } from './session';
import { StatsPanel } from './stats_panel';
import type { EchoStats } from './stats';

type Phase = 'idle' | 'running';

function useSrcObject(stream: MediaStream | null) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = ref.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) video.play().catch(() => { /* autoplay is allowed for muted video */ });
  }, [stream]);
  return ref;
}

function EchoTest() {
  const [phase, setPhase] = useState<Phase>('idle');
  const [status, setStatus] = useState('Press “Start echo test” to begin.');
  const [error, setError] = useState<string | null>(null);
  const [local, setLocal] = useState<MediaStream | null>(null);
  const [remote, setRemote] = useState<MediaStream | null>(null);
  const [stats, setStats] = useState<EchoStats | null>(null);
  const [echoMuted, setEchoMuted] = useState(true);
  const session = useRef<EchoSession | null>(null);
  const localRef = useSrcObject(local);
  const remoteRef = useSrcObject(remote);

  useEffect(() => {
    const onLeave = () => session.current?.stop();
    window.addEventListener('pagehide', onLeave);
    return () => window.removeEventListener('pagehide', onLeave);
  }, []);

  const start = () => {
    setError(null);
    setStats(null);
    setPhase('running');
    const s = new EchoSession({
      onStatus: setStatus,
      onLocalStream: setLocal,
      onRemoteStream: setRemote,
      onStats: setStats,
      onFailure: (message) => {
        setError(message);
        setStatus('The echo test stopped.');
        setPhase('idle');
        session.current = null;
      },
    });
    session.current = s;
    void s.start();
  };

  const stop = () => {
    session.current?.stop();
    session.current = null;
    setPhase('idle');
    setStatus('Stopped. Press “Start echo test” to run it again.');
  };

  return (
    <main class="page echo">
      <h1>Echo test</h1>
      <p class="lead">
        Your camera and microphone go to this server and come straight back, so you can check
        that media gets through. Nothing is recorded or stored.
      </p>

      <div class="controls">
        {phase === 'idle' ? (
          <button type="button" class="primary" onClick={start}>Start echo test</button>
        ) : (
          <button type="button" onClick={stop}>Stop</button>
        )}
        <button type="button" aria-pressed={!echoMuted} disabled={!remote}
                onClick={() => setEchoMuted(!echoMuted)}>
          {echoMuted ? 'Play echoed sound' : 'Mute echoed sound'}
        </button>
      </div>

      <p id="status" class="status" role="status" aria-live="polite">{status}</p>
      {error && <p id="error" class="error" role="alert">{error}</p>}

      <div class="videos">
        <figure>
          <video id="local-video" ref={localRef} aria-labelledby="local-caption"
                 muted autoplay playsInline />
          <figcaption id="local-caption">Your camera</figcaption>
        </figure>
        <figure>
          <video id="echo-video" ref={remoteRef} aria-labelledby="echo-caption"
                 muted={echoMuted} autoplay playsInline />
          <figcaption id="echo-caption">Echo from the server</figcaption>
        </figure>
      </div>

      <StatsPanel stats={stats} />
      <p><a href="/">Back to the start page</a></p>
    </main>
  );
}

const root = document.getElementById('app');
if (root) render(<EchoTest />, root);
