// The echo test's signaling messages (docs/protocol.md): an offer (and ICE-restart offers) out,
// an answer or an error back.

export interface EchoOffer {
  type: 'echo.offer';
  version: 1;
  sdp: string;
}

export interface EchoRestart {
  type: 'echo.restart';
  version: 1;
  sdp: string;
}

export type ServerMessage =
  | { type: 'echo.answer'; sdp: string }
  | { type: 'error'; code: string; message: string };

// Parses a server text message; anything unexpected yields null and is ignored by the caller.
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const msg = value as Record<string, unknown>;
  if (msg.type === 'echo.answer' && typeof msg.sdp === 'string') {
    return { type: 'echo.answer', sdp: msg.sdp };
  }
  if (msg.type === 'error') {
    return {
      type: 'error',
      code: typeof msg.code === 'string' ? msg.code : 'unknown',
      message: typeof msg.message === 'string' ? msg.message : 'The server reported an error.',
    };
  }
  return null;
}

// ws: or wss: to match the page, on the page's own host (no other origin is ever contacted).
export function signalingUrl(location: Location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}
