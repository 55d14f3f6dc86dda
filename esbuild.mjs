// Bundles the extension host code, the `grove` CLI and the panel's browser code.
// Usage: node esbuild.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const nodeCommon = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: production,
  sourcemap: !production,
  sourcesContent: false,
  // Warnings stay visible: esbuild flags `import * as execa` misuse this way.
  logLevel: 'warning',
};

const builds = [
  { ...nodeCommon, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...nodeCommon, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('webview/main.ts')) {
  builds.push({
    bundle: true, platform: 'browser', format: 'iife', target: 'es2022',
    minify: production, sourcemap: !production, sourcesContent: false, logLevel: 'warning',
    entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js',
  });
}

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
  console.log('[watch] esbuild is watching for changes');
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
