// Builds the web app into web/dist: one JS bundle per page, one stylesheet, and the static
// HTML pages. Everything is served from the same origin by treff (no CDN, no inline code: the
// server's Content-Security-Policy forbids inline scripts and styles).
import { build } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = dirname(fileURLToPath(import.meta.url));
const outDir = join(webDir, 'dist');
const mode = process.argv.includes('--dev') ? { minify: false, sourcemap: 'linked' }
                                                  : { minify: true, sourcemap: false };

await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

await build({
  entryPoints: {
    landing: join(webDir, 'src/landing/main.tsx'),
    echo: join(webDir, 'src/echo/main.tsx'),
    meeting: join(webDir, 'src/meeting/main.tsx'),
    style: join(webDir, 'src/style.css'),
  },
  outdir: join(outDir, 'assets'),
  bundle: true,
  format: 'esm',
  target: ['chrome110', 'firefox115', 'safari16'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
  ...mode,
});

// Static pages: each loads its bundle and the stylesheet from /assets.
await cp(join(webDir, 'public'), outDir, { recursive: true });
console.log(`web app built in ${outDir}`);
