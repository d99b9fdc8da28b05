import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { firstPageSizePlugin } from './scripts/first-page-size.js';

// `npm run dev -w @gantry/dashboard` serves the dashboard with hot reload and
// proxies /api to a Gantry on GANTRY_URL (default http://127.0.0.1:7070).
// `npm run build -w @gantry/dashboard` writes dist/, which gantry server serves at /.
export default defineConfig({
  plugins: [react(), firstPageSizePlugin()],
  server: {
    proxy: { '/api': { target: process.env.GANTRY_URL ?? 'http://127.0.0.1:7070', changeOrigin: false } },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, reportCompressedSize: false },
});
