/// <reference types="vitest" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// LARCH_DEV_API: a running `larch serve` the dev server proxies API calls to.
const api = process.env.LARCH_DEV_API ?? 'http://127.0.0.1:8000';
const proxied = [
  '/api', '/csrf', '/login_refresh', '/logout', '/search', '/change_enrollment', '/asset-v1',
  '/password_reset', '/activate', '/xblock', '/static',
  // The instructor dashboard's endpoints and report downloads (not its page).
  '^/courses/[^/]+/instructor/(api|reports)/',
];

export default defineConfig({
  plugins: [react()],
  build: {
    // larch serves /assets/{file} as immutable: the names must stay hashed.
    assetsDir: 'assets',
    sourcemap: false,
    target: 'es2020',
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: false }])),
  },
  preview: {
    proxy: Object.fromEntries(proxied.map((p) => [p, { target: api, changeOrigin: false }])),
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
    setupFiles: ['src/test-setup.ts'],
    testTimeout: 30_000,
    // Paragon's icons are ESM with directory imports: let Vite resolve them.
    server: { deps: { inline: ['@openedx/paragon'] } },
  },
});
