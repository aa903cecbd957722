// The meeting page, served at /<meeting name>: pre-join, the call, and what comes after it
// (left, or could not join).
import { render } from 'preact';
import { useCallback, useState } from 'preact/hooks';
import { LanguageMenu } from '../common/language_menu';
import { isValidMeetingName } from '../common/names';
import { I18nProvider, useI18n } from '../i18n';
import type { Messages } from '../i18n/en';
import { type CallEnd, CallView } from './call';
import { LocalMedia } from './local_media';
import { PreJoin } from './prejoin';

function meetingFromPath(): string | null {
  const segments = window.location.pathname.split('/').filter((s) => s !== '');
  if (segments.length !== 1) return null;
  try {
    const name = decodeURIComponent(segments[0]);
    return isValidMeetingName(name) ? name : null;
  } catch {
    return null;
  }
}

interface MediaSession {
  media: LocalMedia;
  ready: Promise<void>;
}

// A fresh camera and microphone, keeping the devices and mute choice of the previous ones.
function openMedia(previous?: LocalMedia): MediaSession {
  const media = new LocalMedia();
  if (previous) {
    media.cameraDeviceId = previous.cameraDeviceId;
    media.microphoneDeviceId = previous.microphoneDeviceId;
    media.speakerDeviceId = previous.speakerDeviceId;
    media.micMuted = previous.micMuted;
  }
  return { media, ready: media.start() };
}

function failureText(t: Messages, end: CallEnd): string {
  switch (end.code) {
    case 'meeting-full': return t.meetingFull;
    case 'server-full': return t.serverFull;
    case 'bad-meeting': return t.badMeetingError;
    case 'bad-name': return t.badNameError;
    default: return t.serverError(end.message ?? '', end.code ?? 'unknown');
  }
}

type View = { kind: 'prejoin' } | { kind: 'call'; name: string } | { kind: 'ended'; end: CallEnd };

function MeetingPage({ meeting }: { meeting: string }) {
  const { t } = useI18n();
  const [view, setView] = useState<View>({ kind: 'prejoin' });
  // The display name lives only in memory: nothing is stored in the browser.
  const [name, setName] = useState('');
  const [session, setSession] = useState<MediaSession>(() => openMedia());

  const onEnded = useCallback((end: CallEnd) => setView({ kind: 'ended', end }), []);
  const backToPrejoin = () => {
    setSession(openMedia(session.media));
    setView({ kind: 'prejoin' });
  };

  if (view.kind === 'call') {
    return <CallView meeting={meeting} name={view.name} media={session.media} onEnded={onEnded} />;
  }
  if (view.kind === 'ended') {
    const failed = view.end.reason === 'failed';
    return (
      <div class="page ended">
        <main>
          <h1>{failed ? t.cannotJoin : t.leftTitle}</h1>
          {failed && <p id="error" class="error" role="alert" data-code={view.end.code}>
            {failureText(t, view.end)}
          </p>}
          <div class="controls">
            <button id={failed ? 'retry-button' : 'rejoin-button'} type="button" class="primary"
                    onClick={backToPrejoin}>
              {failed ? t.tryAgain : t.rejoin}
            </button>
            <a class="button-link" href="/">{t.backHome}</a>
          </div>
        </main>
        <footer class="page-footer"><LanguageMenu /></footer>
      </div>
    );
  }
  return (
    <PreJoin meeting={meeting} media={session.media} mediaReady={session.ready} name={name}
             onNameChange={setName} onJoin={(n) => { setName(n); setView({ kind: 'call', name: n }); }} />
  );
}

function BadAddress() {
  const { t } = useI18n();
  return (
    <div class="page ended">
      <main>
        <h1>{t.badMeetingTitle}</h1>
        <p id="error" class="error" role="alert">{t.badMeetingText}</p>
        <p><a href="/">{t.backHome}</a></p>
      </main>
      <footer class="page-footer"><LanguageMenu /></footer>
    </div>
  );
}

const meeting = meetingFromPath();
const root = document.getElementById('app');
if (root) {
  render(
    <I18nProvider title={(t) => (meeting ? `${meeting} · ${t.productName}` : t.productName)}>
      {meeting ? <MeetingPage meeting={meeting} /> : <BadAddress />}
    </I18nProvider>,
    root);
}
