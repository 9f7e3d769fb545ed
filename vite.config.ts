import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin, type ProxyOptions } from 'vite';

/**
 * The web UI: `npm run build:web` writes dist/web, which the API serves from the same origin
 * (so the session cookie can stay SameSite=Strict). `npm run dev:web` serves it with hot reload
 * on http://localhost:5173 and proxies the API to PROOFGATE_API_URL (default the API's own default).
 */
const webRoot = fileURLToPath(new URL('./src/web', import.meta.url));
const cspSafeRemoveScroll = fileURLToPath(new URL('./src/web/lib/remove-scroll.tsx', import.meta.url));
const outDir = fileURLToPath(new URL('./dist/web', import.meta.url));
const apiTarget = process.env.PROOFGATE_API_URL ?? 'http://127.0.0.1:3000';
const devPort = 5173;

const toApi: ProxyOptions = {
  target: apiTarget,
  changeOrigin: true,
  // The API refuses state-changing requests from foreign origins. Only a request from the dev
  // server's own origin (the page it serves) gets its Origin rewritten to the API's; any other
  // origin passes through unchanged and is refused as in production.
  // (Alternative without the rewrite: start the API with ALLOWED_ORIGINS=http://localhost:5173.)
  configure: (proxy) => {
    proxy.on('proxyReq', (proxyReq, req) => {
      const origin = req.headers.origin;
      if (origin !== undefined && origin === `http://${req.headers.host ?? ''}`) proxyReq.setHeader('origin', new URL(apiTarget).origin);
    });
  },
};

/**
 * Radix Dialog imports react-remove-scroll, which injects <style> tags the CSP blocks; every
 * import of it except the wrapper's own goes to the CSP-safe wrapper (src/web/lib/remove-scroll.tsx).
 */
const cspSafeScrollLock: Plugin = {
  name: 'proofgate:csp-safe-remove-scroll',
  enforce: 'pre',
  resolveId(source, importer) {
    if (source === 'react-remove-scroll' && importer !== cspSafeRemoveScroll) return cspSafeRemoveScroll;
    return null;
  },
};

export default defineConfig({
  root: webRoot,
  plugins: [cspSafeScrollLock, react(), tailwindcss()],
  // Pre-bundled dependencies skip plugins; bundle Radix Dialog with the app so the redirect applies in dev too.
  optimizeDeps: { exclude: ['@radix-ui/react-dialog', '@radix-ui/react-alert-dialog'] },
  build: {
    outDir,
    emptyOutDir: true,
    // The CSP allows no inline scripts or styles: keep every asset a file, however small.
    assetsInlineLimit: 0,
  },
  server: {
    host: 'localhost',
    port: devPort,
    strictPort: true,
    proxy: { '/api': toApi, '/healthz': toApi, '/readyz': toApi },
  },
});
