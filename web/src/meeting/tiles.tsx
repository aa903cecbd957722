// The video area: a paged grid of participant tiles that picks its columns for the space it has;
// or a stage (the shared screens, or in speaker view one person large) with the others in a
// filmstrip. It reports what it shows to the server (view.ts), which forwards only that.
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { ChevronIcon, MicIcon, PauseIcon, PinIcon } from '../common/icons';
import { useI18n } from '../i18n';
import type { Messages } from '../i18n/en';
import {
  GRID_PAGE_SIZE, type Layout, NARROW_GRID_PAGE_SIZE, NARROW_SCREEN_QUERY, pageCount, pageOf,
} from './layout';
import { type Quality, UNKNOWN_QUALITY } from './quality';
import { TrackVideo } from './video';
import { measureView, type View } from './view';

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
  speaking: boolean;  // the meeting's dominant speaker
  pinned: boolean;
  videoPaused: boolean;  // the server holds the camera back (last-N, bandwidth)
}

export interface ScreenModel {
  participant: string;
  name: string;
  local: boolean;
  track: MediaStreamTrack;
  mid: string | null;
  paused: boolean;
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


// Remote videos carry data-view-participant and data-view-source (VIEW_PARTICIPANT_ATTR and
// VIEW_SOURCE_ATTR), by which measureView() finds what is on screen. The local ones do not.
function Tile({ model, onTogglePin }: { model: TileModel; onTogglePin(id: string): void }) {
  const { t } = useI18n();
  const [picture, setPicture] = useState(false);
  const captionId = `tile-caption-${model.id}`;
  const cameraOn = !!model.camera && !model.cameraOff;
  // A paused camera shows the avatar, not its last frame frozen.
  const paused = !model.local && !model.cameraOff && model.videoPaused;
  const showVideo = cameraOn && picture && !paused;
  return (
    <figure class={`tile${showVideo ? ' has-video' : ''}${model.speaking ? ' speaking' : ''}`}
            data-participant={model.id}
            data-local={model.local ? 'true' : undefined}
            data-mic-muted={model.micMuted ? 'true' : 'false'}
            data-camera-off={model.cameraOff ? 'true' : 'false'}
            data-reconnecting={model.reconnecting ? 'true' : 'false'}
            data-speaking={model.speaking ? 'true' : 'false'}
            data-pinned={model.local ? undefined : model.pinned ? 'true' : 'false'}
            data-paused={paused ? 'true' : 'false'}
            data-quality={model.quality.level}
            data-view-participant={model.local ? undefined : model.id}
            data-view-source={model.local ? undefined : 'camera'}
            title={paused ? t.videoPaused : undefined} aria-labelledby={captionId}>
      {cameraOn && (
        <TrackVideo class={`tile-video${model.local ? ' mirror' : ''}${showVideo ? '' : ' no-picture'}`}
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
      {!model.local && (
        <button type="button" class="pin-button" aria-pressed={model.pinned}
                aria-label={t.pin(model.name)} onClick={() => onTogglePin(model.id)}>
          <PinIcon filled={model.pinned} />
        </button>
      )}
      <figcaption id={captionId} class="tile-caption">
        {model.micMuted && (
          <span class="mic-muted" data-mic-muted-indicator>
            <MicIcon off />
            <span class="visually-hidden">{t.micMuted}</span>
          </span>
        )}
        {paused && (
          <span class="video-paused" data-paused-indicator>
            <PauseIcon />
            <span class="visually-hidden">{t.videoPaused}</span>
          </span>
        )}
        <span class="tile-name">{model.name}{model.local ? ` ${t.youSuffix}` : ''}</span>
        {model.speaking && <span class="visually-hidden">, {t.speaking}</span>}
        {model.pinned && <span class="visually-hidden">, {t.pinned}</span>}
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

function TileGrid({ tiles, strip, onTogglePin }:
    { tiles: TileModel[]; strip: boolean; onTogglePin(id: string): void }) {
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
      {tiles.map((m) => <Tile key={m.id} model={m} onTogglePin={onTogglePin} />)}
    </section>
  );
}

function Screen({ screen }: { screen: ScreenModel }) {
  const { t } = useI18n();
  const label = screen.local ? t.yourScreen : t.screenOf(screen.name);
  const captionId = `screen-caption-${screen.participant}`;
  const paused = !screen.local && screen.paused;
  return (
    <figure class="screen" data-participant={screen.participant}
            data-local={screen.local ? 'true' : undefined} data-paused={paused ? 'true' : 'false'}
            data-view-participant={screen.local ? undefined : screen.participant}
            data-view-source={screen.local ? undefined : 'screen'}
            title={paused ? t.screenPaused : undefined} aria-labelledby={captionId}>
      <TrackVideo class={`screen-video${paused ? ' no-picture' : ''}`} track={screen.track}
                  data-source="screen" data-mid={screen.mid ?? undefined}
                  data-participant={screen.participant} />
      {paused && <p class="screen-paused" aria-hidden="true">{t.screenPaused}</p>}
      <figcaption id={captionId} class="screen-caption">
        {label}{paused && <span class="visually-hidden">, {t.screenPaused}</span>}
      </figcaption>
    </figure>
  );
}

// Previous and next page of the grid, with "page 2 of 3" between them. The buttons stay
// focusable at the ends (aria-disabled), so that the keyboard focus is never dropped.
function GridPager({ page, pages, onPage }:
    { page: number; pages: number; onPage(page: number): void }) {
  const { t } = useI18n();
  const go = (to: number) => {
    if (to >= 0 && to < pages) onPage(to);
  };
  return (
    <div id="grid-pager" class="grid-pager" role="group" aria-label={t.gridPagesLabel}
         data-page={page + 1} data-pages={pages}>
      <button id="grid-page-prev" type="button" class="icon-button" aria-label={t.previousPage}
              aria-disabled={page === 0} onClick={() => go(page - 1)}>
        <ChevronIcon direction="left" />
      </button>
      <span id="grid-page-status" aria-live="polite">{t.pageOf(page + 1, pages)}</span>
      <button id="grid-page-next" type="button" class="icon-button" aria-label={t.nextPage}
              aria-disabled={page === pages - 1} onClick={() => go(page + 1)}>
        <ChevronIcon direction="right" />
      </button>
    </div>
  );
}

// Remote tiles per grid page for the window's width now.
function useGridPageSize(): number {
  const size = () => (window.matchMedia(NARROW_SCREEN_QUERY).matches ? NARROW_GRID_PAGE_SIZE
                                                                     : GRID_PAGE_SIZE);
  const [pageSize, setPageSize] = useState(size);
  useEffect(() => {
    const query = window.matchMedia(NARROW_SCREEN_QUERY);
    const onChange = () => setPageSize(size());
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return pageSize;
}

// How often the view is measured besides renders, resizes and scrolling: catches a tile that
// changed size on its own (say, a grid whose columns changed after the last render).
const VIEW_CHECK_MS = 1000;

// Measures what the area shows after each render, when it or the window changes size, when the
// filmstrip scrolls, and every VIEW_CHECK_MS; onView decides whether that is news.
function useViewReport(ref: { current: HTMLElement | null }, pinned: string[],
                       onView: (view: View) => void): void {
  const live = useRef({ pinned, onView });
  live.current = { pinned, onView };
  const measure = () => {
    if (ref.current) live.current.onView(measureView(ref.current, live.current.pinned));
  };
  useEffect(measure);
  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    const timer = window.setInterval(measure, VIEW_CHECK_MS);
    el.addEventListener('scroll', measure, { capture: true, passive: true });
    window.addEventListener('resize', measure);
    return () => {
      observer.disconnect();
      window.clearInterval(timer);
      el.removeEventListener('scroll', measure, { capture: true });
      window.removeEventListener('resize', measure);
    };
  }, []);
}

interface VideoAreaProps {
  tiles: TileModel[];  // the local tile first, then the others in join order
  screens: ScreenModel[];
  layout: Layout;
  stage: string;  // whose tile the speaker view puts on the stage (see stageParticipant)
  pinned: string[];
  onTogglePin(id: string): void;
  onView(view: View): void;
}

export function VideoArea({ tiles, screens, layout, stage, pinned, onTogglePin, onView }:
    VideoAreaProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDivElement>(null);
  const [page, setPage] = useState(0);
  const pageSize = useGridPageSize();
  useViewReport(ref, pinned, onView);

  // A pin can move the tile between filmstrip and stage, which renders it anew: the focus
  // follows to the pin button of its new tile.
  const refocus = useRef<string | null>(null);
  const togglePin = (id: string) => {
    refocus.current = id;
    onTogglePin(id);
  };
  useLayoutEffect(() => {
    const id = refocus.current;
    const area = ref.current;
    refocus.current = null;
    if (!id || !area || area.contains(document.activeElement)) return;
    area.querySelector<HTMLElement>(
      `figure.tile[data-participant="${CSS.escape(id)}"] .pin-button`)?.focus();
  });

  // Shared screens always take the stage; in speaker view without one, a person does.
  if (screens.length > 0 || layout === 'speaker') {
    const onStage = screens.length > 0 ? null : tiles.find((m) => m.id === stage) ?? tiles[0];
    const strip = onStage ? tiles.filter((m) => m !== onStage) : tiles;
    return (
      <div ref={ref} class="video-area with-stage" data-mode={layout}>
        <section id="stage" class="stage" aria-label={onStage ? t.mainViewLabel : t.stageLabel}
                 data-count={onStage ? 1 : screens.length}
                 data-stage={onStage ? 'participant' : 'screen'}>
          {onStage
            ? <Tile key={onStage.id} model={onStage} onTogglePin={togglePin} />
            : screens.map((s) => <Screen key={`${s.participant}-${s.track.id}`} screen={s} />)}
        </section>
        {strip.length > 0 && <TileGrid tiles={strip} strip onTogglePin={togglePin} />}
      </div>
    );
  }

  // The grid: oneself on every page, with one page of the others.
  const remote = tiles.filter((m) => !m.local);
  const shown = pageOf(remote, page, pageSize);
  const pages = pageCount(remote.length, pageSize);
  return (
    <div ref={ref} class="video-area" data-mode={layout} data-page-size={pageSize}>
      <TileGrid tiles={[...tiles.filter((m) => m.local), ...shown.items]} strip={false}
                onTogglePin={togglePin} />
      {pages > 1 && <GridPager page={shown.page} pages={pages} onPage={setPage} />}
    </div>
  );
}

export { UNKNOWN_QUALITY };
