// Builds the dashboard into dist/, which the server serves at / (src/http/routes/dashboard.ts).
// Preact's JSX through esbuild directly: no framework plugin needed for a production build.
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP forbids inline scripts; no polyfill is injected into index.html.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:4318', '/v1': 'http://127.0.0.1:4318' } },
});
