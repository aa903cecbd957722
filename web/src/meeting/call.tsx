// The call: video area, controls bar, one side panel at a time (chat, participants, settings:
// devices and how many videos to receive), connection banners, and one <audio> element per
// remote audio track.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  CameraIcon, ChatIcon, CloseIcon, LeaveIcon, MicIcon, PeopleIcon, ScreenIcon, SettingsIcon,
  SpeakerViewIcon,
} from '../common/icons';
import { LanguageMenu } from '../common/language_menu';
import { describeMediaProblem } from '../common/media_errors';
import { useI18n } from '../i18n';
import type { Messages } from '../i18n/en';
import { ChatPanel } from './chat_panel';
import { MeetingClient, type Notice } from './client';
import { DeviceSelects } from './device_select';
import { type Layout, stageParticipant } from './layout';
import type { LocalMedia } from './local_media';
import { ParticipantsPanel } from './participants_panel';
import { useMediaUpdates, useRerender } from './prejoin';
import { type ScreenModel, type TileModel, UNKNOWN_QUALITY, VideoArea } from './tiles';
import { MAX_VIDEOS_CHOICES } from './view';

type Panel = 'chat' | 'participants' | 'settings';

export interface CallEnd {
  reason: 'left' | 'failed';
  code?: string;
  message?: string;
}

interface Props {
  meeting: string;
  name: string;
  media: LocalMedia;
  onEnded(end: CallEnd): void;
}

function noticeText(t: Messages, n: Notice): string {
  switch (n.kind) {
    case 'media': return describeMediaProblem(t, n.problem);
    case 'screen-failed': return t.screenShareFailed;
    case 'server-error': return t.serverError(n.message, n.code);
    case 'negotiation-failed': return t.negotiationFailed(n.detail);
  }
}

function RemoteAudio({ track, mid, participant, sinkId, onBlocked }: {
  track: MediaStreamTrack; mid: string; participant: string; sinkId: string;
  onBlocked(): void;
}) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    el.play().catch((err) => {
      if (err instanceof DOMException && err.name === 'NotAllowedError') onBlocked();
    });
  }, [track]);
  useEffect(() => {
    const el = ref.current as (HTMLAudioElement & { setSinkId?(id: string): Promise<void> }) | null;
    if (el?.setSinkId && sinkId) el.setSinkId(sinkId).catch(() => {});
  }, [sinkId]);
  return <audio ref={ref} autoplay data-mid={mid} data-participant={participant}
                data-source="microphone" />;
}

// "Videos received at once": the cap on camera videos the server forwards to this browser (the
// view's lastN). Fewer save bandwidth; the tiles of the others show their avatar, paused.
function MaxVideosSelect({ value, onChange }: {
  value: number | null; onChange(maxVideos: number | null): void;
}) {
  const { t } = useI18n();
  const optionValue = (n: number | null) => (n === null ? 'all' : String(n));
  const optionName = (n: number | null) =>
    (n === null ? t.maxVideosAll : n === 0 ? t.maxVideosNone : String(n));
  return (
    <div class="field">
      <label for="max-videos">{t.maxVideosLabel}</label>
      <select id="max-videos" aria-describedby="max-videos-hint" value={optionValue(value)}
              onChange={(e) => {
                const chosen = (e.currentTarget as HTMLSelectElement).value;
                onChange(chosen === 'all' ? null : Number(chosen));
              }}>
        {MAX_VIDEOS_CHOICES.map((n) => (
          <option key={optionValue(n)} value={optionValue(n)}>{optionName(n)}</option>
        ))}
      </select>
      <p id="max-videos-hint" class="hint">{t.maxVideosHint}</p>
    </div>
  );
}

export function CallView({ meeting, name, media, onEnded }: Props) {
  const { t } = useI18n();
  const rerender = useRerender();
  useMediaUpdates(media);
  const [panel, setPanel] = useState<Panel | null>(null);
  const [unread, setUnread] = useState(0);
  const [announcement, setAnnouncement] = useState('');
  const [audioBlocked, setAudioBlocked] = useState(false);
  // Kept for the page's life only, like everything else the person chooses here.
  const [layout, setLayout] = useState<Layout>('grid');
  const [pins, setPins] = useState<string[]>([]);
  const live = useRef({ panel, t });
  live.current = { panel, t };
  const audioBox = useRef<HTMLDivElement>(null);
  const toggles = useRef<Record<Panel, HTMLButtonElement | null>>(
    { chat: null, participants: null, settings: null });

  const clientRef = useRef<MeetingClient | null>(null);
  clientRef.current ??= new MeetingClient(meeting, name, media, {
    onChange: rerender,
    onChat: (entry) => {
      if (live.current.panel === 'chat') return;
      setUnread((n) => n + 1);
      setAnnouncement(live.current.t.newMessageFrom(entry.name, entry.text));
    },
    onParticipantJoined: (p) => setAnnouncement(live.current.t.joinedAnnouncement(p.name)),
    onParticipantLeft: (p) => setAnnouncement(live.current.t.leftAnnouncement(p.name)),
  });
  const client = clientRef.current;

  useEffect(() => {
    client.start();
    // Closing the tab or navigating away leaves the meeting at once.
    const onHide = () => client.dispose();
    window.addEventListener('pagehide', onHide);
    return () => {
      window.removeEventListener('pagehide', onHide);
      client.dispose();
    };
  }, [client]);

  useEffect(() => {
    if (client.phase === 'left') onEnded({ reason: 'left' });
    if (client.phase === 'failed') {
      onEnded({ reason: 'failed', code: client.fatal?.code, message: client.fatal?.message });
    }
  }, [client.phase]);

  const openPanel = (p: Panel) => {
    const next = panel === p ? null : p;
    setPanel(next);
    if (next === 'chat') setUnread(0);
    if (next === null) toggles.current[p]?.focus();
  };
  const closePanel = () => {
    if (!panel) return;
    const was = panel;
    setPanel(null);
    toggles.current[was]?.focus();
  };

  const selfId = client.selfId ?? 'self';
  const pinned = pins.filter((id) => client.participants.has(id));  // the present ones
  const togglePin = (id: string) =>
    setPins(pinned.includes(id) ? pinned.filter((p) => p !== id) : [...pinned, id]);
  const selfTile: TileModel = {
    id: selfId, name, local: true,
    micMuted: media.micMuted || !media.microphone,
    cameraOff: !media.camera, camera: media.camera, cameraMid: null, reconnecting: false,
    quality: client.quality.get(selfId) ?? UNKNOWN_QUALITY,
    speaking: client.dominantSpeaker === selfId, pinned: false, videoPaused: false,
  };
  const remoteTiles: TileModel[] = [...client.participants.values()].map((p) => {
    const camera = client.remoteTracks.find((r) => r.participant === p.id && r.source === 'camera');
    const cameraState = p.tracks.find((s) => s.source === 'camera');
    const micState = p.tracks.find((s) => s.source === 'microphone');
    return {
      id: p.id, name: p.name, local: false,
      micMuted: !micState || micState.muted,
      cameraOff: !cameraState || cameraState.muted,
      camera: camera?.track ?? null, cameraMid: camera?.mid ?? null,
      reconnecting: p.reconnecting,
      quality: client.quality.get(p.id) ?? UNKNOWN_QUALITY,
      speaking: client.dominantSpeaker === p.id,
      pinned: pinned.includes(p.id),
      videoPaused: client.isVideoPaused(p.id, 'camera'),
    };
  });
  const tiles = [selfTile, ...remoteTiles];
  const screens: ScreenModel[] = client.remoteTracks
    .filter((r) => r.source === 'screen')
    .map((r) => ({ participant: r.participant, name: client.participants.get(r.participant)?.name ?? '',
                   local: false, track: r.track, mid: r.mid,
                   paused: client.isVideoPaused(r.participant, 'screen') }));
  if (client.screen) {
    screens.push({ participant: selfId, name, local: true, track: client.screen, mid: null,
                   paused: false });
  }
  const stage = stageParticipant({
    selfId, remoteIds: remoteTiles.map((m) => m.id), pinned,
    dominantSpeaker: client.dominantSpeaker, lastRemoteSpeaker: client.lastRemoteSpeaker,
  });
  const speakerView = layout === 'speaker';
  const audios = client.remoteTracks.filter((r) => r.kind === 'audio');

  const micOff = media.micMuted || !media.microphone;
  const cameraOff = !media.camera;
  const sharing = !!client.screen;
  const chatName = unread > 0 ? `${t.chat}, ${t.unread(unread)}` : t.chat;
  const panelTitle = panel === 'chat' ? t.chat : panel === 'participants'
    ? `${t.participants} (${tiles.length})` : t.settingsHeading;

  const enableAudio = () => {
    setAudioBlocked(false);
    audioBox.current?.querySelectorAll('audio').forEach((a) => void a.play().catch(() => {}));
  };

  return (
    <div class="call" onKeyDown={(e) => { if (e.key === 'Escape') closePanel(); }}>
      <header class="call-header">
        <h1 class="call-title"><span class="visually-hidden">{t.callRegion}: </span>{meeting}</h1>
        <span class="call-count" id="participant-count">{t.participantsCount(tiles.length)}</span>
        <LanguageMenu />
      </header>

      <div class="banners">
        {client.phase === 'connecting' && (
          <p id="connection-status" class="banner info" role="status">{t.connecting}</p>
        )}
        {client.phase === 'reconnecting' && (
          <p id="reconnecting-banner" class="banner warning" role="alert">{t.serverUnreachable}</p>
        )}
        {client.phase === 'joined' && client.mediaInterrupted && (
          <p id="media-banner" class="banner warning" role="status">{t.mediaInterrupted}</p>
        )}
        {client.notice && (
          <div id="error" class="banner error" role="alert">
            <span>{noticeText(t, client.notice)}</span>
            <button type="button" id="error-dismiss" onClick={() => client.dismissNotice()}>
              {t.dismiss}
            </button>
          </div>
        )}
        {audioBlocked && (
          <div class="banner info" role="status">
            <span>{t.audioBlocked}</span>
            <button type="button" id="enable-audio" onClick={enableAudio}>{t.enableAudio}</button>
          </div>
        )}
      </div>

      <div class="call-body">
        <main class="call-main" aria-label={t.callRegion}>
          {client.phase === 'joined' && remoteTiles.length === 0 && (
            <p class="alone-hint" id="alone-hint">{t.waitingForOthers}</p>
          )}
          <VideoArea tiles={tiles} screens={screens} layout={layout} stage={stage}
                     pinned={pinned} onTogglePin={togglePin}
                     onView={(view) => client.reportView(view)} />
        </main>
        {panel && (
          <aside id="side-panel" class="side-panel" aria-labelledby="side-panel-title">
            <div class="panel-header">
              <h2 id="side-panel-title">{panelTitle}</h2>
              <button id="panel-close" type="button" class="icon-button" aria-label={t.closePanel}
                      onClick={closePanel}>
                <CloseIcon />
              </button>
            </div>
            {panel === 'chat' && (
              <div id="chat-panel" class="panel-body">
                <ChatPanel entries={client.chat} canSend={client.joined}
                           onSend={(text) => client.sendChat(text)} />
              </div>
            )}
            {panel === 'participants' && (
              <div id="participants-panel" class="panel-body">
                <ParticipantsPanel people={tiles} />
              </div>
            )}
            {panel === 'settings' && (
              <div id="settings-panel" class="panel-body settings-panel">
                <DeviceSelects media={media} idPrefix="settings"
                               onCamera={(id) => void client.switchCamera(id)}
                               onMicrophone={(id) => void client.switchMicrophone(id)}
                               onSpeaker={(id) => media.setSpeaker(id)} />
                {/* Kept by the client for the session: the next render's view report
                    carries it to the server. */}
                <MaxVideosSelect value={client.maxVideos} onChange={(n) => {
                  client.maxVideos = n;
                  rerender();
                }} />
              </div>
            )}
          </aside>
        )}
      </div>

      <div class="controls-bar" role="group" aria-label={t.controlsLabel}>
        <div class="controls-main">
          <button id="mic-toggle" type="button" class="control" aria-pressed={micOff}
                  aria-label={t.muteMic} onClick={() => void client.toggleMicrophone()}>
            <MicIcon off={micOff} /><span class="control-label">{t.muteMicShort}</span>
          </button>
          <button id="camera-toggle" type="button" class="control" aria-pressed={cameraOff}
                  aria-label={t.cameraToggle} onClick={() => void client.toggleCamera()}>
            <CameraIcon off={cameraOff} /><span class="control-label">{t.cameraToggleShort}</span>
          </button>
          <button id="screen-toggle" type="button" class="control" aria-pressed={sharing}
                  aria-label={t.shareScreen} disabled={!client.joined && !sharing}
                  onClick={() => (sharing ? client.stopScreenShare() : void client.startScreenShare())}>
            <ScreenIcon /><span class="control-label">{t.shareScreenShort}</span>
          </button>
          <button id="view-toggle" type="button" class="control" aria-pressed={speakerView}
                  onClick={() => setLayout(speakerView ? 'grid' : 'speaker')}>
            <SpeakerViewIcon /><span class="control-label">{t.speakerView}</span>
          </button>
          <button id="chat-toggle" type="button" class="control" aria-expanded={panel === 'chat'}
                  aria-controls="side-panel" aria-label={chatName}
                  ref={(el) => { toggles.current.chat = el; }} onClick={() => openPanel('chat')}>
            <ChatIcon /><span class="control-label">{t.chat}</span>
            {unread > 0 && <span id="chat-unread" class="count-badge" aria-hidden="true">{unread}</span>}
          </button>
          <button id="participants-toggle" type="button" class="control"
                  aria-expanded={panel === 'participants'} aria-controls="side-panel"
                  ref={(el) => { toggles.current.participants = el; }}
                  onClick={() => openPanel('participants')}>
            <PeopleIcon /><span class="control-label">{t.participants}</span>
            <span class="count-badge neutral" aria-hidden="true">{tiles.length}</span>
          </button>
          <button id="settings-toggle" type="button" class="control"
                  aria-expanded={panel === 'settings'} aria-controls="side-panel"
                  ref={(el) => { toggles.current.settings = el; }}
                  onClick={() => openPanel('settings')}>
            <SettingsIcon /><span class="control-label">{t.settings}</span>
          </button>
        </div>
        <button id="leave-button" type="button" class="control leave" aria-label={t.leave}
                onClick={() => client.leave()}>
          <LeaveIcon /><span class="control-label">{t.leaveShort}</span>
        </button>
      </div>

      <div ref={audioBox} class="audio-sinks">
        {audios.map((a) => (
          <RemoteAudio key={`${a.mid}-${a.track.id}`} track={a.track} mid={a.mid}
                       participant={a.participant} sinkId={media.speakerDeviceId}
                       onBlocked={() => setAudioBlocked(true)} />
        ))}
      </div>
      <div id="announcer" class="visually-hidden" aria-live="polite">{announcement}</div>
    </div>
  );
}
