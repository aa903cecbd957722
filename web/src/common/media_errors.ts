// getUserMedia / getDisplayMedia failures, sorted into the cases the UI explains
// (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
import type { Messages } from '../i18n/en';

export type MediaProblem =
  | { kind: 'blocked' }
  | { kind: 'not-found' }
  | { kind: 'in-use' }
  | { kind: 'insecure' }
  | { kind: 'other'; detail: string };

export function classifyMediaError(err: unknown): MediaProblem {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return { kind: 'blocked' };
    case 'NotFoundError':
    case 'OverconstrainedError':
      return { kind: 'not-found' };
    case 'NotReadableError':
    case 'AbortError':
      return { kind: 'in-use' };
    default:
      return { kind: 'other', detail: err instanceof Error && err.message ? err.message : name };
  }
}

export function describeMediaProblem(t: Messages, p: MediaProblem): string {
  switch (p.kind) {
    case 'blocked': return t.mediaBlocked;
    case 'not-found': return t.mediaNotFound;
    case 'in-use': return t.mediaInUse;
    case 'insecure': return t.mediaInsecure;
    case 'other': return t.mediaOther(p.detail);
  }
}
