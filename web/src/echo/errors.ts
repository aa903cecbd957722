// Readable messages for what can go wrong before media flows.

export class EchoError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EchoError';
  }
}

// getUserMedia failures (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
export function describeMediaError(err: unknown): string {
  const name = err instanceof DOMException || err instanceof Error ? err.name : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera and microphone access was blocked. Allow it for this site in the browser ' +
             'settings (the icon next to the address), then start the test again.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera or microphone was found. Connect one and start the test again.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera or microphone could not be started. Another application may be ' +
             'using it; close that application and try again.';
    default:
      return 'The camera and microphone could not be opened' +
             (err instanceof Error && err.message ? `: ${err.message}` : '.');
  }
}

export const SERVER_UNREACHABLE =
  'The Treff server cannot be reached. Check your network connection and that the server is ' +
  'running, then try again.';
