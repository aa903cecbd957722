// What this browser shows of the others' videos, told to the server as `view`
// (docs/protocol.md, "Views, dominant speaker and forwarding"): which remote tiles are on screen
// and how large, who is pinned, and how many cameras the person wants at most. The server
// forwards only what is listed, at a resolution that fits the tile.
import type { ViewTile } from './protocol';

export interface View {
  tiles: ViewTile[];
  pinned: string[];
  // The most camera videos to receive at once (the protocol's `lastN`); absent: no cap.
  lastN?: number;
}

// The choices of the settings panel's "videos received at once"; null is "all" (no lastN sent,
// the server's own cap applies), 0 is audio only.
export const MAX_VIDEOS_CHOICES: ReadonlyArray<number | null> = [null, 9, 4, 1, 0];

// The attributes a rendered remote video tile carries so that measureView() finds it.
export const VIEW_PARTICIPANT_ATTR = 'data-view-participant';
export const VIEW_SOURCE_ATTR = 'data-view-source';

// A size change smaller than this share of the last reported size is not worth a message.
const RESIZE_THRESHOLD = 0.1;
// A change is sent this long after it is seen, with whatever else changed meanwhile: at most
// one message per interval, even while a window is being resized.
const SEND_DELAY_MS = 300;

const key = (t: ViewTile) => `${t.source}:${t.participant}`;

// The rectangle of `el` that can be seen: clipped by the window and by each ancestor that
// clips its content (the scrolling filmstrip, the video area).
function visibleArea(el: Element, rect: DOMRect): number {
  let left = Math.max(rect.left, 0);
  let top = Math.max(rect.top, 0);
  let right = Math.min(rect.right, window.innerWidth);
  let bottom = Math.min(rect.bottom, window.innerHeight);
  for (let p = el.parentElement; p && right > left && bottom > top; p = p.parentElement) {
    const style = getComputedStyle(p);
    if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
    const box = p.getBoundingClientRect();
    left = Math.max(left, box.left);
    top = Math.max(top, box.top);
    right = Math.min(right, box.right);
    bottom = Math.min(bottom, box.bottom);
  }
  return Math.max(0, right - left) * Math.max(0, bottom - top);
}

// The remote tiles under `root` that are on screen, each with its size in device pixels.
export function measureView(root: Element, pinned: string[]): View {
  const scale = window.devicePixelRatio || 1;
  const tiles: ViewTile[] = [];
  const seen = new Set<string>();
  for (const el of root.querySelectorAll(`[${VIEW_PARTICIPANT_ATTR}][${VIEW_SOURCE_ATTR}]`)) {
    const participant = el.getAttribute(VIEW_PARTICIPANT_ATTR) ?? '';
    const source = el.getAttribute(VIEW_SOURCE_ATTR);
    if (!participant || (source !== 'camera' && source !== 'screen')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width < 1 || rect.height < 1 || visibleArea(el, rect) < 1) continue;
    const tile = { participant, source, width: Math.round(rect.width * scale),
                   height: Math.round(rect.height * scale) } satisfies ViewTile;
    if (seen.has(key(tile))) continue;
    seen.add(key(tile));
    tiles.push(tile);
  }
  return { tiles, pinned: [...pinned] };
}

// True when `next` differs from `last` enough to tell the server: another set of tiles or pins,
// another cap on the number of videos, or a tile whose width or height changed by more than
// RESIZE_THRESHOLD.
export function viewChanged(last: View | null, next: View): boolean {
  if (!last) return true;
  if (last.lastN !== next.lastN) return true;
  if (last.pinned.length !== next.pinned.length ||
      last.pinned.some((id, i) => id !== next.pinned[i])) {
    return true;
  }
  if (last.tiles.length !== next.tiles.length) return true;
  const before = new Map(last.tiles.map((t) => [key(t), t]));
  const grew = (a: number, b: number) => Math.abs(a - b) > RESIZE_THRESHOLD * Math.max(a, 1);
  return next.tiles.some((t) => {
    const old = before.get(key(t));
    return !old || grew(old.width, t.width) || grew(old.height, t.height);
  });
}

// Sends view updates no faster than one per SEND_DELAY_MS, and only real changes. The first
// view goes out once there is a remote tile; after that also an empty one (everyone left).
export class ViewReporter {
  private wanted: View | null = null;
  private sent: View | null = null;
  private timer: number | undefined;

  // `send` returns false when the message could not go out (no joined socket).
  constructor(private readonly send: (view: View) => boolean) {}

  update(view: View): void {
    this.wanted = view;
    if (!this.sent && view.tiles.length === 0) return;
    if (!viewChanged(this.sent, view)) return;
    if (this.timer !== undefined) return;  // a send is scheduled and will take this view
    this.timer = window.setTimeout(() => this.flush(), SEND_DELAY_MS);
  }

  // A new signaling session (joined): the server knows nothing of this client's view yet.
  reset(): void {
    this.sent = null;
    if (this.wanted) this.update(this.wanted);
  }

  dispose(): void {
    window.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const view = this.wanted;
    if (!view || !viewChanged(this.sent, view)) return;
    if (this.send(view)) this.sent = view;
  }
}
