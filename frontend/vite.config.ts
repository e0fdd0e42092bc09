/// <reference types="vitest/config" />
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `npm run dev` serves the client on :5173 and proxies the API, signed file URLs and the
// WebSocket to a DocuFlow server (`make run`, or DOCUFLOW_DEV_API=http://host:port).
const api = process.env.DOCUFLOW_DEV_API ?? 'http://127.0.0.1:8000';

export default defineConfig({
  plugins: [react()],
  build: {
    // Served by Django (docuflow.web.spa): hashed files under assets/ are cached for a year.
    outDir: '../src/docuflow/web/dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1600,
  },
  server: {
    proxy: {
      '/api': { target: api },
      '/files': { target: api },
      '/ws': { target: api, ws: true },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
