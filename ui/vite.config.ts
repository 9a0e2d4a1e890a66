import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

export default defineConfig({
  plugins: [svelte()],
  // The webview loads the files from the app itself: relative paths, no dev server involved.
  base: './',
  build: { target: 'safari16', outDir: 'dist', emptyOutDir: true },
  test: { include: ['test/**/*.test.ts'] },
});
