// The video area: a grid of participant tiles that picks its columns for the space it has, or,
// while someone shares a screen, the screen large on a stage with the cameras in a strip.
import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { MicIcon } from '../common/icons';
import { useI18n } from '../i18n';
import type { Messages } from '../i18n/en';
import { type Quality, UNKNOWN_QUALITY } from './quality';
import { TrackVideo } from './video';

export interface TileModel {
  id: string;
  name: string;
  local: boolean;
  micMuted: boolean;
  cameraOff: boolean;
  camera: MediaStreamTrack | null;
  cameraMid: string | null;
  reconnecting: boolean;
  quality: Quality;
}

export interface ScreenModel {
  participant: string;
  name: string;
  local: boolean;
  track: MediaStreamTrack;
  mid: string | null;
}

export function initials(name: string): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const first = (w: string | undefined) => (w ? [...w][0] ?? '' : '');
  const letters = words.length > 1 ? first(words[0]) + first(words[words.length - 1])
                                   : [...(words[0] ?? '?')].slice(0, 2).join('');
  return letters.toLocaleUpperCase() || '?';
}

// A stable colour per participant, from one of eight classes in the stylesheet.
function avatarClass(id: string): string {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return `avatar avatar-c${h % 8}`;
}

function qualityText(t: Messages, q: Quality): string {
  switch (q.level) {
    case 'good': return t.qualityGood;
    case 'medium': return t.qualityMedium;
    case 'poor': return t.qualityPoor;
    default: return t.qualityUnknown;
  }
}

function qualityDetails(t: Messages, lang: string, q: Quality): string {
  const n = (v: number, digits: number) =>
    new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(v);
  const parts: string[] = [];
  if (q.lossPercent !== null) parts.push(`${t.lossLabel} ${n(q.lossPercent, 1)} %`);
  if (q.jitterMs !== null) parts.push(`${t.jitterLabel} ${n(q.jitterMs, 0)} ms`);
  if (q.rttMs !== null) parts.push(`${t.rttLabel} ${n(q.rttMs, 0)} ms`);
  if (q.fps !== null) parts.push(`${n(q.fps, 0)} fps`);
  return parts.join(', ');
}

export function QualityIndicator({ quality }: { quality: Quality }) {
  const { t, lang } = useI18n();
  const text = qualityText(t, quality);
  const details = qualityDetails(t, lang, quality);
  return (
    <span class="quality" data-quality={quality.level} title={details ? `${text} (${details})` : text}>
      <span class="bars" aria-hidden="true"><span /><span /><span /></span>
      <span class="visually-hidden">{text}</span>
    </span>
  );
}

function Tile({ model }: { model: TileModel }) {
  const { t } = useI18n();
  const [picture, setPicture] = useState(false);
  const captionId = `tile-caption-${model.id}`;
  const showVideo = !!model.camera && !model.cameraOff && picture;
  return (
    <figure class={`tile${showVideo ? ' has-video' : ''}`} data-participant={model.id}
            data-local={model.local ? 'true' : undefined}
            data-mic-muted={model.micMuted ? 'true' : 'false'}
            data-camera-off={model.cameraOff ? 'true' : 'false'}
            data-reconnecting={model.reconnecting ? 'true' : 'false'}
            data-quality={model.quality.level} aria-labelledby={captionId}>
      {model.camera && !model.cameraOff && (
        <TrackVideo class={`tile-video${model.local ? ' mirror' : ''}${picture ? '' : ' no-picture'}`}
                    track={model.camera} onPicture={setPicture}
                    data-mid={model.cameraMid ?? undefined} data-source="camera"
                    data-participant={model.id} aria-hidden="true" />
      )}
      {!showVideo && (
        <div class="avatar-wrap" aria-hidden="true">
          <span class={avatarClass(model.id)}>{initials(model.name)}</span>
        </div>
      )}
      {model.reconnecting && <span class="badge badge-reconnecting">{t.reconnectingBadge}</span>}
      <figcaption id={captionId} class="tile-caption">
        {model.micMuted && (
          <span class="mic-muted" data-mic-muted-indicator>
            <MicIcon off />
            <span class="visually-hidden">{t.micMuted}</span>
          </span>
        )}
        <span class="tile-name">{model.name}{model.local ? ` ${t.youSuffix}` : ''}</span>
        <QualityIndicator quality={model.quality} />
      </figcaption>
    </figure>
  );
}

// The column count that gives 16:9 tiles the largest size in a width x height box.
export function bestColumns(count: number, width: number, height: number): number {
  if (count <= 1 || width <= 0 || height <= 0) return 1;
  let best = 1;
  let bestWidth = 0;
  for (let cols = 1; cols <= count; cols++) {
    const rows = Math.ceil(count / cols);
    const tileWidth = Math.min(width / cols, ((height / rows) * 16) / 9);
    if (tileWidth > bestWidth + 0.5) {
      best = cols;
      bestWidth = tileWidth;
    }
  }
  return best;
}

function TileGrid({ tiles, strip }: { tiles: TileModel[]; strip: boolean }) {
  const { t } = useI18n();
  const ref = useRef<HTMLElement>(null);
  const [cols, setCols] = useState(1);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || strip) return undefined;
    const compute = () => {
      const box = el.getBoundingClientRect();
      setCols(bestColumns(tiles.length, box.width, box.height));
    };
    compute();
    const observer = new ResizeObserver(compute);
    observer.observe(el);
    return () => observer.disconnect();
  }, [tiles.length, strip]);
  const rows = Math.max(1, Math.ceil(tiles.length / cols));
  // CSSOM, not a style attribute: allowed by the page's Content-Security-Policy.
  useLayoutEffect(() => {
    ref.current?.style.setProperty('--cols', String(cols));
    ref.current?.style.setProperty('--rows', String(rows));
  }, [cols, rows]);
  return (
    <section id="tile-grid" ref={ref} class={strip ? 'tile-strip' : 'tile-grid'}
             aria-label={t.videosLabel} data-count={tiles.length}
             data-cols={strip ? undefined : cols} data-layout={strip ? 'strip' : 'grid'}>
      {tiles.map((m) => <Tile key={m.id} model={m} />)}
    </section>
  );
}

function Screen({ screen }: { screen: ScreenModel }) {
  const { t } = useI18n();
  const label = screen.local ? t.yourScreen : t.screenOf(screen.name);
  const captionId = `screen-caption-${screen.participant}`;
  return (
    <figure class="screen" data-participant={screen.participant}
            data-local={screen.local ? 'true' : undefined} aria-labelledby={captionId}>
      <TrackVideo class="screen-video" track={screen.track} data-source="screen"
                  data-mid={screen.mid ?? undefined} data-participant={screen.participant} />
      <figcaption id={captionId} class="screen-caption">{label}</figcaption>
    </figure>
  );
}

export function VideoArea({ tiles, screens }: { tiles: TileModel[]; screens: ScreenModel[] }) {
  const { t } = useI18n();
  if (screens.length === 0) {
    return <div class="video-area"><TileGrid tiles={tiles} strip={false} /></div>;
  }
  return (
    <div class="video-area with-stage">
      <section id="stage" class="stage" aria-label={t.stageLabel} data-count={screens.length}>
        {screens.map((s) => <Screen key={`${s.participant}-${s.track.id}`} screen={s} />)}
      </section>
      <TileGrid tiles={tiles} strip />
    </div>
  );
}

export { UNKNOWN_QUALITY };
