import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

// Built into dist/web/admin by `npm run build`; Stratus serves it at `/admin/app/` (src/modules/admin-web).
export default defineConfig({
  root,
  base: '/admin/app/',
  plugins: [react()],
  build: {
    outDir: path.resolve(root, '../../dist/web/admin'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    manifest: true,
    sourcemap: false,
    // ECharts is one lazy chunk (about 600 KB raw), loaded with the dashboard's charts only.
    chunkSizeWarningLimit: 800,
  },
  // In development every /admin/* call except the app itself goes to the API on :8080.
  server: { proxy: { '^/admin/(?!app(/|$))': 'http://127.0.0.1:8080' } },
});
