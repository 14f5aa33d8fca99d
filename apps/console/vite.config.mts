import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = dirname(fileURLToPath(import.meta.url));

// The case workers' console: built into dist/console and served by the API at /console/ (one origin).
// Vite 8 transforms TSX itself (oxc); React's automatic JSX runtime, no plugin needed.
export default defineConfig({
  root: here,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: resolve(here, '../../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
    rolldownOptions: {
      // antd marks its modules "use client" (for React Server Components); meaningless in a plain SPA bundle.
      onwarn(warning, warn) {
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    // `npx vite apps/console` during development: the API on its default port answers /api/v1.
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
});
