// The extension-host test entry: both @vscode/test-electron (desktop) and the browser route
// (code-server's `extensionTestsPath` payload) load this bundle and call `run()` inside the
// real extension host. The page does not close when `run()` ends, so the outcome goes to a
// results file (a mocha JSON report) and a done marker that the harness waits for.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

/** Which suite files run: the trusted suite, or the Restricted Mode suite when the folder is untrusted. */
function suiteFiles(): string[] {
  const restricted = !vscode.workspace.isTrusted;
  return readdirSync(__dirname)
    .filter((name) => name.endsWith('.test.js'))
    .filter((name) => name.endsWith('.restricted.test.js') === restricted)
    .sort()
    .map((name) => path.join(__dirname, name));
}

export function resultsFile(): string {
  const suite = vscode.workspace.isTrusted ? 'trusted' : 'restricted';
  return process.env.GROVE_TEST_RESULTS ?? path.resolve(__dirname, '..', '..', 'test-results', `integration-${suite}.json`);
}

export async function run(): Promise<void> {
  const output = resultsFile();
  mkdirSync(path.dirname(output), { recursive: true });
  let failures = -1;
  let error: string | null = null;
  try {
    // Mocha stays outside the bundle (it loads reporters dynamically); the extension host
    // resolves it from the repository's node_modules. Mocha 12's main entry is ESM, which
    // older extension hosts cannot require(), so take its CommonJS build directly.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Mocha = require('mocha/lib/mocha.cjs') as typeof import('mocha');
    const mocha = new Mocha({
      ui: 'bdd', color: false, timeout: 60_000,
      reporter: 'json', reporterOptions: { output },
      grep: process.env.GROVE_TEST_GREP,
    });
    for (const file of suiteFiles()) mocha.addFile(file);
    failures = await new Promise<number>((resolve) => mocha.run(resolve));
  } catch (caught) {
    error = caught instanceof Error ? `${caught.message}\n${caught.stack}` : String(caught);
  }
  writeFileSync(`${output}.done`, JSON.stringify({ failures, error, at: new Date().toISOString() }));
  if (error) throw new Error(error);
  if (failures !== 0) throw new Error(`${failures} integration test(s) failed`);
}
