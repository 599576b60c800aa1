import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const here = fileURLToPath(new URL('.', import.meta.url));

// The renderer is loaded through the app:// protocol under a CSP of `script-src 'self'; style-src 'self'`,
// so the build must contain no inline <script> or <style>: the module-preload polyfill (an inline
// script) is off, and Svelte's component CSS goes to a file rather than into the JS.
export default defineConfig({
  root: `${here}renderer`,
  base: './',
  plugins: [svelte({ compilerOptions: { css: 'external', runes: true } })],
  server: { host: '127.0.0.1', port: 5173, strictPort: true },
  build: {
    outDir: `${here}dist/renderer`,
    emptyOutDir: true,
    target: 'chrome140',
    sourcemap: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
});
