import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console for auditors and admins (ADR 55): built into dist/console by `npm run build`, served
// by the API server itself at /console. Nothing inline, so the page's CSP needs no 'unsafe-inline'.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: { alias: { '@digital-locker/client': fileURLToPath(new URL('../clients/typescript/src/index.ts', import.meta.url)) } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // The polyfill would be a script of its own in the page: every browser the console supports has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
