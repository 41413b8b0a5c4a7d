import { resolve } from 'node:path';
import { defineConfig } from 'vite';

// The wall, the console and the form are pages of one Vite build, with the `<toile-wall>` embed module as a
// fourth entry; Fastify serves the output from dist/client. The manifest (dist/client/.vite/manifest.json)
// tells the server which hashed file `/embed.js` redirects to.
export default defineConfig({
  root: 'client',
  base: '/',
  publicDir: false,
  build: {
    outDir: resolve(import.meta.dirname, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
    manifest: true,
    rollupOptions: {
      input: {
        wall: resolve(import.meta.dirname, 'client/wall.html'),
        moderate: resolve(import.meta.dirname, 'client/moderate.html'),
        contribute: resolve(import.meta.dirname, 'client/contribute.html'),
        embed: resolve(import.meta.dirname, 'client/src/embed/main.ts'),
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
