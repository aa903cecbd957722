// Before joining: the display name (first field), a camera preview, device choice, and whether
// to start with the microphone or camera off.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { CameraIcon, MicIcon } from '../common/icons';
import { LanguageMenu } from '../common/language_menu';
import { LegalLinks } from '../common/legal_links';
import { classifyMediaError, describeMediaProblem } from '../common/media_errors';
import { useI18n } from '../i18n';
import { DeviceSelects } from './device_select';
import type { LocalMedia } from './local_media';
import { tidyDisplayName } from './protocol';
import { TrackVideo } from './video';

interface Props {
  meeting: string;
  media: LocalMedia;
  mediaReady: Promise<void>;
  name: string;
  onNameChange(name: string): void;
  onJoin(name: string): void;
}

export function useMediaUpdates(media: LocalMedia): void {
  const rerender = useRerender();
  useEffect(() => media.subscribe(rerender), [media]);
}

// A function that re-renders the component (the state lives in plain objects).
export function useRerender(): () => void {
  const [, setCount] = useState(0);
  return useCallback(() => setCount((n) => n + 1), []);
}

export function PreJoin({ meeting, media, mediaReady, name, onNameChange, onJoin }: Props) {
  const { t } = useI18n();
  useMediaUpdates(media);
  const [starting, setStarting] = useState(true);
  const [joining, setJoining] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    nameRef.current?.focus();
    void mediaReady.then(() => setStarting(false));
  }, [mediaReady]);

  const submit = async (e: Event) => {
    e.preventDefault();
    const tidy = tidyDisplayName(name);
    if (!tidy) {
      setNameError(name.trim() === '' ? t.displayNameMissing : t.displayNameInvalid);
      nameRef.current?.focus();
      return;
    }
    setJoining(true);
    await mediaReady;
    onJoin(tidy);
  };

  const toggleCamera = async () => {
    setMediaError(null);
    if (media.camera) {
      media.turnCameraOff();
      return;
    }
    try {
      await media.turnCameraOn();
    } catch (err) {
      setMediaError(describeMediaProblem(t, classifyMediaError(err)));
    }
  };

  const problem = media.problem ? describeMediaProblem(t, media.problem)
    : !starting && media.cameraMissing && !media.cameraOff ? t.cameraNotFound
    : !starting && media.microphoneMissing ? t.microphoneNotFound : null;

  return (
    <div class="page prejoin">
      <main>
        <h1>{t.prejoinTitle}</h1>
        <p class="lead">{t.meetingLabel}: <strong id="meeting-title">{meeting}</strong></p>
        <div class="prejoin-grid">
          <form class="prejoin-form" onSubmit={(e) => void submit(e)} noValidate>
            <div class="field">
              <label for="display-name">{t.displayNameLabel}</label>
              <input id="display-name" ref={nameRef} type="text" value={name} maxLength={64}
                     autocomplete="name" required aria-invalid={nameError ? 'true' : undefined}
                     aria-describedby={nameError ? 'display-name-error display-name-hint'
                                                 : 'display-name-hint'}
                     onInput={(e) => {
                       onNameChange((e.currentTarget as HTMLInputElement).value);
                       setNameError(null);
                     }} />
              <p id="display-name-hint" class="hint">{t.displayNameHint}</p>
              {nameError && <p id="display-name-error" class="field-error" role="alert">{nameError}</p>}
            </div>
            <fieldset class="devices">
              <legend>{t.devicesHeading}</legend>
              <DeviceSelects media={media} idPrefix="prejoin"
                             onCamera={(id) => void media.switchCamera(id).catch(() => {})}
                             onMicrophone={(id) => void media.switchMicrophone(id).catch(() => {})}
                             onSpeaker={(id) => media.setSpeaker(id)} />
            </fieldset>
            <button id="join-button" type="submit" class="primary big" disabled={joining}>
              {joining ? t.joining : t.joinMeeting}
            </button>
          </form>
          <div class="preview">
            <div class="preview-frame">
              {media.camera ? (
                <TrackVideo id="prejoin-video" class="mirror" track={media.camera}
                            aria-label={t.previewLabel} />
              ) : (
                <div class="preview-off" id="prejoin-video-off">
                  {starting ? t.startingMedia : t.cameraOffPreview}
                </div>
              )}
            </div>
            <div class="preview-toggles">
              <button id="prejoin-mic-toggle" type="button" class="toggle"
                      aria-pressed={media.micMuted || !media.microphone}
                      disabled={!media.microphone}
                      onClick={() => media.setMicMuted(!media.micMuted)}>
                <MicIcon off={media.micMuted || !media.microphone} />
                <span>{t.muteMic}</span>
              </button>
              <button id="prejoin-camera-toggle" type="button" class="toggle"
                      aria-pressed={!media.camera} disabled={starting || (media.cameraMissing && !media.cameraOff)}
                      onClick={() => void toggleCamera()}>
                <CameraIcon off={!media.camera} />
                <span>{t.cameraToggle}</span>
              </button>
            </div>
          </div>
        </div>
        <div role="status" aria-live="polite" class="status">{starting ? t.startingMedia : ''}</div>
        {(problem || mediaError) && (
          <p id="media-error" class="error" role="alert">{mediaError ?? problem}</p>
        )}
      </main>
      <footer class="page-footer">
        <LanguageMenu />
        <a href="/echo">{t.echoTestLink}</a>
        <LegalLinks />
      </footer>
    </div>
  );
}
