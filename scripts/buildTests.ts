// Bundles the extension-host tests (test/integration/) with esbuild, the way the extension
// itself is bundled: the extension host can only require() CommonJS, and tsc-compiled
// tests cannot require ESM-only dependencies such as execa (vscode-conventions.md 5.2).
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './vscodeServer';

export const INTEGRATION_OUT = path.join(ROOT, 'out', 'integration');

export async function buildIntegrationTests(): Promise<string> {
  const source = path.join(ROOT, 'test', 'integration');
  const entryPoints = readdirSync(source)
    .filter((name) => name === 'index.ts' || name.endsWith('.test.ts'))
    .map((name) => path.join(source, name));
  rmSync(INTEGRATION_OUT, { recursive: true, force: true });
  await esbuild.build({
    entryPoints, outdir: INTEGRATION_OUT, bundle: true, platform: 'node', target: 'node20', format: 'cjs',
    sourcemap: 'inline', sourcesContent: false, logLevel: 'warning',
    external: ['vscode', 'mocha', 'mocha/*'],
  });
  return path.join(INTEGRATION_OUT, 'index.js');
}

export async function buildExtension(production = false): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['esbuild.mjs', ...(production ? ['--production'] : [])], { cwd: ROOT, stdio: 'inherit' });
}
