// Everyone in the meeting with their microphone and camera state, who is speaking and who is
// pinned, and the invitation link.
import { useState } from 'preact/hooks';
import { CameraIcon, MicIcon, PinIcon, SpeakingIcon } from '../common/icons';
import { useI18n } from '../i18n';
import type { TileModel } from './tiles';

export function ParticipantsPanel({ people }: { people: TileModel[] }) {
  const { t } = useI18n();
  const [copyStatus, setCopyStatus] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      setCopyStatus(t.linkCopied);
    } catch {
      setCopyStatus(t.copyFailed);
    }
  };
  return (
    <div class="participants">
      <ul id="participants-list" class="participants-list">
        {people.map((p) => (
          <li key={p.id} data-participant={p.id} data-local={p.local ? 'true' : undefined}
              data-mic-muted={p.micMuted ? 'true' : 'false'}
              data-camera-off={p.cameraOff ? 'true' : 'false'}
              data-reconnecting={p.reconnecting ? 'true' : 'false'}
              data-speaking={p.speaking ? 'true' : 'false'}
              data-pinned={p.pinned ? 'true' : 'false'}>
            <span class="participant-name">{p.name}{p.local ? ` ${t.youSuffix}` : ''}</span>
            {p.reconnecting && <span class="badge badge-reconnecting">{t.reconnectingBadge}</span>}
            {(p.speaking || p.pinned) && (
              <span class="participant-marks">
                {p.speaking && (
                  <span class="state-icon speaking-mark" data-speaking-indicator>
                    <SpeakingIcon /><span class="visually-hidden">{t.speaking}</span>
                  </span>
                )}
                {p.pinned && (
                  <span class="state-icon" data-pinned-indicator>
                    <PinIcon filled /><span class="visually-hidden">{t.pinned}</span>
                  </span>
                )}
              </span>
            )}
            <span class="participant-state">
              {p.micMuted && (
                <span class="state-icon" data-mic-muted-indicator>
                  <MicIcon off /><span class="visually-hidden">{t.micMuted}</span>
                </span>
              )}
              {p.cameraOff && (
                <span class="state-icon" data-camera-off-indicator>
                  <CameraIcon off /><span class="visually-hidden">{t.cameraOff}</span>
                </span>
              )}
            </span>
          </li>
        ))}
      </ul>
      <button id="copy-link" type="button" onClick={() => void copy()}>{t.copyLink}</button>
      <p class="hint" role="status" aria-live="polite">{copyStatus}</p>
    </div>
  );
}
