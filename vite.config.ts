import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The wall and the console are two pages of one Vite build; Fastify serves the output from dist/client.
export default defineConfig({
  root: 'client',
  base: '/',
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        wall: resolve(import.meta.dirname, 'client/wall.html'),
        moderate: resolve(import.meta.dirname, 'client/moderate.html'),
        contribute: resolve(import.meta.dirname, 'client/contribute.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      '/ws': { target: 'ws://127.0.0.1:3000', ws: true },
      '/healthz': 'http://127.0.0.1:3000',
    },
  },
});
