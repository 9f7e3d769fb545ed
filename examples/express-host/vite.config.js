import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The host's page, built into dist/ and served by server.js next to the API.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist', emptyOutDir: true },
});
