import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

// Built into dist/web/storefront by `npm run build`; Stratus serves it at `/` (src/modules/storefront-web).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(root, '../../dist/web/storefront'),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    manifest: true,
    sourcemap: false,
    // <model-viewer> (three.js inside) is one lazy chunk of about 1 MB, loaded only for 3D products.
    chunkSizeWarningLimit: 1100,
  },
  server: { proxy: { '/store': 'http://127.0.0.1:8080' } },
});
