import { defineConfig } from 'vite'
import { svelte } from '@sveltejs/vite-plugin-svelte'
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const dist = fileURLToPath(new URL('./dist', import.meta.url))

// The build empties dist/; Go's `//go:embed all:dist` needs the folder to
// hold a file even in a fresh clone, so the committed dist/.gitkeep is
// written back after every build.
function keepDistInGit() {
  return {
    name: 'vinculo-keep-dist',
    apply: 'build',
    closeBundle() {
      mkdirSync(dist, { recursive: true })
      writeFileSync(`${dist}/.gitkeep`, '')
    },
  }
}

export default defineConfig({
  plugins: [svelte(), keepDistInGit()],
  // Svelte's client build in unit tests, so runes stay reactive.
  resolve: process.env.VITEST ? { conditions: ['browser'] } : undefined,
  build: {
    outDir: dist,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: true,
    // Two apps, one build: the staff workspace (index.html) and the
    // customer portal (portal.html, served at /portal/), sharing chunks.
    rollupOptions: {
      input: {
        main: fileURLToPath(new URL('./index.html', import.meta.url)),
        portal: fileURLToPath(new URL('./portal.html', import.meta.url)),
      },
    },
  },
  server: {
    // `npm run dev` beside `make run`: the API and realtime from the Go server.
    proxy: {
      '/api': { target: 'http://127.0.0.1:8090', changeOrigin: false },
      '/_': { target: 'http://127.0.0.1:8090', changeOrigin: false },
    },
  },
  test: {
    include: ['src/**/*.test.js'],
    environment: 'node',
  },
})
