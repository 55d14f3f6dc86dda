import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * A `grove` command for the window's terminals: the README uses `grove` everywhere, and after
 * `npm start` (or installing the VSIX) nothing put it on PATH. The shim is a small Node script
 * that loads the extension's own bundled CLI, written into the extension's storage; the
 * caller prepends its folder to PATH through the terminals' environment collection.
 * Returns the folder holding the shim.
 */
export async function installGroveShim(storageDir: string, extensionPath: string): Promise<string> {
  const binDir = path.join(storageDir, 'bin');
  await fs.mkdir(binDir, { recursive: true });
  const cli = path.join(extensionPath, 'dist', 'cli.js');
  // The extension host's own Node where it is plain Node (code-server, remote hosts); desktop
  // VS Code's is Electron, so there the shim asks PATH for node, which the CLI needs anyway.
  const plainNode = !process.versions.electron && !/\s/.test(process.execPath);
  const interpreter = plainNode ? process.execPath : '/usr/bin/env node';
  const script = [
    `#!${interpreter}`,
    '// Written by the Grove extension: runs its bundled CLI (whose own entry check sees this file as main).',
    `require(${JSON.stringify(cli)}).main(process.argv.slice(2)).then((code) => { process.exitCode = code; },`,
    '  (error) => { process.stderr.write(`grove: ${error && error.message || error}\\n`); process.exitCode = 1; });',
    '',
  ].join('\n');
  const shim = path.join(binDir, 'grove');
  const current = await fs.readFile(shim, 'utf8').catch(() => null);
  if (current !== script) {
    const temp = `${shim}.${process.pid}.tmp`;
    await fs.writeFile(temp, script, { mode: 0o755 });
    await fs.rename(temp, shim);
  }
  return binDir;
}
