import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import webConfig from './vite.config';

/**
 * proofgate/react (npm run build:lib): src/web/index.ts in library mode. React, react-dom,
 * TanStack Query and React Router are the host's (peer dependencies, left external); the small
 * UI pieces (Radix, lucide, cva) are bundled. The Tailwind build of the same sources becomes
 * dist/react/proofgate.css.
 */
const entry = fileURLToPath(new URL('./src/web/index.ts', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/react', import.meta.url));
const external = ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client', '@tanstack/react-query', 'react-router', 'react-router-dom'];
// The standalone UI's CSP-safe scroll-lock redirect applies here too.
const cspSafeScrollLock = (webConfig.plugins ?? []).find((plugin) => plugin && 'name' in plugin && plugin.name === 'proofgate:csp-safe-remove-scroll');

export default defineConfig({
  plugins: [cspSafeScrollLock, react(), tailwindcss()],
  publicDir: false,
  build: {
    outDir,
    emptyOutDir: true,
    assetsInlineLimit: 0,
    lib: { entry, formats: ['es'], fileName: () => 'index.js', cssFileName: 'proofgate' },
    rolldownOptions: { external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)) },
  },
});
