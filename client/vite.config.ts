import { fileURLToPath } from 'node:url';

import react from '@vitejs/plugin-react';
import { loadEnv } from 'vite';
import { defineConfig } from 'vitest/config';

const DEFAULT_BACKEND_URL = 'http://127.0.0.1:8000';

export default defineConfig(({ mode }) => {
  // Read VITE_BACKEND_URL from the shell or from .env[.local] files; it is only used here, by the
  // dev/preview proxy, and never reaches the browser bundle.
  const env = loadEnv(mode, process.cwd(), '');
  const backendUrl = env.VITE_BACKEND_URL || DEFAULT_BACKEND_URL;

  // The built app is served by Django on the same origin as /api and /ws. In development the Vite
  // server plays that role and forwards both prefixes to the backend. The Host header is kept as
  // the browser sent it (no changeOrigin), so Django's ALLOWED_HOSTS, CSRF origin checks and the
  // Channels origin validator see the same origin the browser does.
  const proxy = {
    '/api': { target: backendUrl },
    '/ws': { target: backendUrl, ws: true },
  };

  return {
    base: '/',
    plugins: [react()],
    resolve: {
      alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
    },
    build: {
      outDir: 'dist',
      assetsDir: 'assets',
      sourcemap: true,
      rolldownOptions: {
        output: {
          // Libraries change less often than the app: separate chunks stay cached across deploys.
          codeSplitting: {
            groups: [
              {
                name: 'react',
                test: /node_modules[\\/](react|react-dom|react-router|scheduler)[\\/]/,
              },
              { name: 'mantine', test: /node_modules[\\/](@mantine|@floating-ui|@tabler)[\\/]/ },
              // Only the chart pages load it (they are lazy routes): keep it out of `vendor`.
              {
                name: 'charts',
                test: /node_modules[\\/](lightweight-charts|fancy-canvas)[\\/]/,
                priority: 1,
              },
              // Only the Strategies page (a lazy route) loads the block editor.
              { name: 'blockly', test: /node_modules[\\/]blockly[\\/]/, priority: 1 },
              { name: 'vendor', test: /node_modules[\\/]/ },
            ],
          },
        },
      },
    },
    server: { port: 5173, strictPort: true, proxy },
    preview: { port: 4173, strictPort: true, proxy },
    test: {
      environment: 'jsdom',
      setupFiles: ['./src/testing/setup-tests.ts'],
      include: ['src/**/*.test.{ts,tsx}'],
      restoreMocks: true,
      unstubGlobals: true,
      css: false,
    },
  };
});
