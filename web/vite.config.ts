// One multi-page Vite build for the three apps. The server (src/gateway/web-apps.ts) expects
// dist/apps/<app>/index.html and the hashed, shared assets under dist/assets/, served from /assets/.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const page = (app: string) => fileURLToPath(new URL(`./apps/${app}/index.html`, import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    assetsDir: 'assets',
    emptyOutDir: true,
    // The CSP allows no inline scripts; keep every asset a file so nothing gets inlined by accident.
    assetsInlineLimit: 0,
    rolldownOptions: {
      input: { admin: page('admin'), portal: page('portal'), partner: page('partner') },
      output: {
        // Named shared chunks (instead of one named after whichever module came first) so the
        // asset listing says what each file is; libraries change less often than our code.
        codeSplitting: {
          groups: [
            { name: 'vendor', test: /[\\/]node_modules[\\/]/ },
            { name: 'shared', test: /[\\/]web[\\/]shared[\\/]/ },
          ],
        },
      },
    },
  },
});
