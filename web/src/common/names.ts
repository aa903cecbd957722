// Meeting names: generating unguessable ones, checking and tidying typed ones.
import { ADJECTIVES, COMMON_WORDS, NOUNS } from './words';

// The server accepts 1..64 characters of [A-Za-z0-9-_.] (docs/protocol.md).
export const MEETING_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
export const MAX_MEETING_NAME = 64;

// Paths the server uses for itself: a meeting there could never be reached by its link.
const RESERVED = new Set(['echo', 'api', 'ws', 'metrics', 'healthz', 'assets', 'index', 'meeting',
                          'index.html', 'echo.html', 'meeting.html', '.', '..']);

// 32 symbols (5 bits each): digits and lowercase letters without 0/1/l/o, which are easily
// mistaken for one another when a link is read aloud or typed.
const ALPHABET = '23456789abcdefghijkmnpqrstuvwxyz';
const RANDOM_GROUPS = 3;
const GROUP_LENGTH = 5;

// A readable, unguessable name such as "brave-otter-k3x9m-p2q7r-t4w8z".
// Entropy, counted honestly: adjective 7 bits (128 words) + noun 7 bits (128 words)
// + 15 random characters x 5 bits (32 symbols) = 89 bits, all from crypto.getRandomValues.
// Every list length is a power of two, so masking a random byte picks uniformly (no modulo bias).
export function generateMeetingName(): string {
  const bytes = new Uint8Array(2 + RANDOM_GROUPS * GROUP_LENGTH);
  crypto.getRandomValues(bytes);
  const words = [ADJECTIVES[bytes[0] & 0x7f], NOUNS[bytes[1] & 0x7f]];
  const groups: string[] = [];
  for (let g = 0; g < RANDOM_GROUPS; g++) {
    let group = '';
    for (let i = 0; i < GROUP_LENGTH; i++) group += ALPHABET[bytes[2 + g * GROUP_LENGTH + i] & 0x1f];
    groups.push(group);
  }
  return [...words, ...groups].join('-');
}

export type NameProblem = 'empty' | 'too-long' | 'bad-characters' | 'reserved';

export type TidiedName = { ok: true; name: string } | { ok: false; problem: NameProblem };

// Turns what someone typed into a meeting name: a pasted meeting link becomes its last path
// segment, spaces become "-", German umlauts and accents are spelled out in ASCII. Anything
// else outside [A-Za-z0-9-_.] is refused rather than silently dropped.
export function tidyMeetingName(input: string): TidiedName {
  let text = input.trim();
  if (/^[a-z]+:\/\//i.test(text) || text.startsWith('/')) {
    const path = text.replace(/^[a-z]+:\/\/[^/]*/i, '').split(/[?#]/)[0];
    const segments = path.split('/').filter((s) => s !== '');
    text = segments.length ? segments[segments.length - 1] : '';
    try {
      text = decodeURIComponent(text);
    } catch {
      // keep the raw segment; the character check below reports it
    }
  }
  text = text
    .replace(/\s+/g, '-')
    .replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue')
    .replace(/Ä/g, 'Ae').replace(/Ö/g, 'Oe').replace(/Ü/g, 'Ue').replace(/ß/g, 'ss')
    .normalize('NFD').replace(/[\u0300-\u036f]/g, '');
  if (text === '') return { ok: false, problem: 'empty' };
  if (!/^[A-Za-z0-9._-]*$/.test(text)) return { ok: false, problem: 'bad-characters' };
  if (text.length > MAX_MEETING_NAME) return { ok: false, problem: 'too-long' };
  if (RESERVED.has(text.toLowerCase())) return { ok: false, problem: 'reserved' };
  return { ok: true, name: text };
}

export function isValidMeetingName(name: string): boolean {
  return MEETING_NAME_PATTERN.test(name) && !RESERVED.has(name.toLowerCase());
}

const KNOWN_WORDS = new Set([...ADJECTIVES, ...NOUNS, ...COMMON_WORDS]);

// A rough check, not a measurement: a typed name is easy to guess when it is short, made of
// few distinct characters, or only of common words and small numbers ("team-meeting-2").
export function isGuessable(name: string): boolean {
  if (name.length < 12) return true;
  if (new Set(name.toLowerCase()).size < 6) return true;
  const parts = name.toLowerCase().split(/[-_.]+/).filter((p) => p !== '');
  const predictable = (part: string) =>
    KNOWN_WORDS.has(part) || /^\d{1,4}$/.test(part) || part.length <= 2 ||
    // a known word with a year or number glued on ("standup2024")
    (/^[a-z]+\d{1,4}$/.test(part) && KNOWN_WORDS.has(part.replace(/\d+$/, '')));
  return parts.every(predictable);
}
