// How the video area arranges people: a paged grid, or the speaker view with one person large on
// the stage and everyone else in a filmstrip. Pure functions of the meeting's state.

export type Layout = 'grid' | 'speaker';

// Remote tiles on one page of the grid (3 x 3), and on a narrow screen (2 x 2).
export const GRID_PAGE_SIZE = 9;
export const NARROW_GRID_PAGE_SIZE = 4;
export const NARROW_SCREEN_QUERY = '(max-width: 40rem)';

export interface StageInput {
  selfId: string;
  remoteIds: string[];  // in join order
  pinned: string[];  // in the order they were pinned
  dominantSpeaker: string | null;
  lastRemoteSpeaker: string | null;
}

// Who fills the speaker view's stage (when no screen is shared): the latest pin, else the
// dominant speaker when that is someone else, else whoever spoke last, else the first of the
// others; oneself only when alone.
export function stageParticipant(s: StageInput): string {
  const present = (id: string | null): id is string => id !== null && s.remoteIds.includes(id);
  const pin = [...s.pinned].reverse().find(present);
  if (pin) return pin;
  if (present(s.dominantSpeaker)) return s.dominantSpeaker;
  if (present(s.lastRemoteSpeaker)) return s.lastRemoteSpeaker;
  return s.remoteIds[0] ?? s.selfId;
}

export function pageCount(items: number, pageSize: number): number {
  return Math.max(1, Math.ceil(items / Math.max(1, pageSize)));
}

// The items of page `page` (0-based, clamped to the pages there are).
export function pageOf<T>(items: T[], page: number, pageSize: number): { items: T[]; page: number } {
  const last = pageCount(items.length, pageSize) - 1;
  const current = Math.min(Math.max(0, page), last);
  return { items: items.slice(current * pageSize, (current + 1) * pageSize), page: current };
}
