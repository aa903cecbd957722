// The server's public settings for the web app (GET /api/config): links to the operator's
// privacy policy and imprint. Fetched once per page; a server without them yields nulls.

export interface ServerConfig {
  privacyUrl: string | null;
  imprintUrl: string | null;
}

const NONE: ServerConfig = { privacyUrl: null, imprintUrl: null };

// Only web links and same-site paths: never a javascript: or data: URL from a misconfiguration.
function safeUrl(value: unknown): string | null {
  if (typeof value !== 'string' || value === '') return null;
  try {
    const url = new URL(value, window.location.origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

let pending: Promise<ServerConfig> | null = null;

export function loadServerConfig(): Promise<ServerConfig> {
  pending ??= fetch('/api/config', { credentials: 'omit', cache: 'no-store' })
    .then((res) => (res.ok ? res.json() : NONE))
    .then((body: unknown) => {
      const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
      return { privacyUrl: safeUrl(b.privacyUrl), imprintUrl: safeUrl(b.imprintUrl) };
    })
    .catch(() => NONE);
  return pending;
}
