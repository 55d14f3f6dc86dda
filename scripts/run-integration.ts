// Runs the extension-host integration tests (test/integration/) in a real VS Code.
//
//   node --import tsx scripts/run-integration.ts [--restricted] [--grep PATTERN] [--timeout SECONDS]
//
// Trusted run: desktop VS Code through @vscode/test-electron where the install script could
// download it, else code-server's browser route (the `payload` URL parameter loads the
// extension under development and calls test/integration/index.ts `run()` in the server's
// extension host). On Linux without a DISPLAY the desktop route reruns this harness under
// `xvfb-run -a`. Restricted run (--restricted): always code-server, started WITHOUT
// --disable-workspace-trust and with the trust prompt off, so the folder opens in Restricted
// Mode (test-electron always disables workspace trust, so it cannot test this).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildExtension, buildIntegrationTests } from './buildTests';
import {
  ROOT, createWorkspaceRepo, delay, desktopVsCode, launchChromium, makeTempDir, remoteUri,
  startCodeServer, waitFor, workbenchUrl, writeUserSettings,
} from './vscodeServer';

interface Options { restricted: boolean; grep?: string; timeoutMs: number; keep: boolean }

function parseArgs(argv: string[]): Options {
  const options: Options = { restricted: false, timeoutMs: 10 * 60_000, keep: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--restricted') options.restricted = true;
    else if (arg === '--keep') options.keep = true;
    else if (arg === '--grep') options.grep = argv[++i];
    else if (arg === '--timeout') options.timeoutMs = Number(argv[++i]) * 1000;
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

/** Settings every integration run uses; the agent is the test double, never a real agent. */
export function testUserSettings(): Record<string, unknown> {
  return {
    'grove.agent.command': path.join(ROOT, 'test', 'fixtures', 'claude-double', 'claude'),
    'security.workspace.trust.enabled': true,
    // With the prompt off, an unknown folder opens in Restricted Mode without a dialog.
    'security.workspace.trust.startupPrompt': 'never',
    'security.workspace.trust.banner': 'never',
    'security.workspace.trust.untrustedFiles': 'open',
  };
}

interface MochaJson {
  stats: { tests: number; passes: number; failures: number; pending: number; duration: number };
  tests: Array<{ fullTitle: string; duration?: number; err: { message?: string; stack?: string } }>;
  failures: Array<{ fullTitle: string; err: { message?: string; stack?: string } }>;
}

function report(resultsPath: string): number {
  const done = JSON.parse(readFileSync(`${resultsPath}.done`, 'utf8')) as { failures: number; error: string | null };
  if (done.error) {
    console.error(`integration run crashed inside the extension host:\n${done.error}`);
    return 1;
  }
  if (!existsSync(resultsPath)) {
    console.error('no mocha report was written');
    return 1;
  }
  const results = JSON.parse(readFileSync(resultsPath, 'utf8')) as MochaJson;
  const failed = new Set(results.failures.map((f) => f.fullTitle));
  for (const test of results.tests) {
    const mark = failed.has(test.fullTitle) ? '✗' : '✓';
    console.log(`  ${mark} ${test.fullTitle}${test.duration !== undefined ? ` (${test.duration} ms)` : ''}`);
  }
  for (const failure of results.failures) {
    console.log(`\n  FAILED: ${failure.fullTitle}\n    ${(failure.err.stack ?? failure.err.message ?? '').split('\n').join('\n    ')}`);
  }
  const { tests, passes, failures, pending } = results.stats;
  console.log(`\n  ${passes} passing, ${failures} failing, ${pending} pending (${tests} tests)`);
  if (tests === 0) {
    console.error('  no tests ran');
    return 1;
  }
  return failures === 0 && done.failures === 0 ? 0 : 1;
}

async function runInCodeServer(options: Options, testsIndex: string, resultsPath: string, workspace: string, scratch: string): Promise<void> {
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  writeUserSettings(userDataDir, testUserSettings());
  const server = await startCodeServer({
    folder: workspace, userDataDir, extensionsDir, disableWorkspaceTrust: !options.restricted,
    env: { GROVE_TEST_RESULTS: resultsPath, GROVE_DOUBLE_DELAY_MS: '800', ...(options.grep ? { GROVE_TEST_GREP: options.grep } : {}) },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const url = workbenchUrl(server, workspace, [
      ['extensionDevelopmentPath', remoteUri(server, ROOT)],
      ['extensionTestsPath', remoteUri(server, testsIndex)],
    ]);
    await page.goto(url);
    await waitFor(() => existsSync(`${resultsPath}.done`), options.timeoutMs, 'the integration results file');
  } catch (error) {
    console.error(`code-server output:\n${server.output().slice(-4000)}`);
    throw error;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}

async function runInDesktop(executable: string, testsIndex: string, resultsPath: string, workspace: string): Promise<void> {
  const { runTests } = await import('@vscode/test-electron');
  await runTests({
    vscodeExecutablePath: executable,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: testsIndex,
    launchArgs: [workspace, '--disable-extensions'],
    extensionTestsEnv: { GROVE_TEST_RESULTS: resultsPath, GROVE_DOUBLE_DELAY_MS: '800' },
  }).catch(() => undefined); // the results file decides, and says why
}

/** Desktop VS Code opens a window: on Linux without a display it needs a virtual one. */
function needsVirtualDisplay(): boolean {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

/**
 * Runs this same harness again under `xvfb-run -a` (a virtual X display on a free number;
 * scripts/install-vscode-test.sh installs it for the desktop route) and returns its exit
 * code, or null when xvfb-run is missing.
 */
function rerunUnderXvfb(): number | null {
  if (!onPath('xvfb-run')) return null;
  console.log('[integration] no DISPLAY: running desktop VS Code under xvfb-run -a');
  const rerun = spawnSync('xvfb-run', ['-a', process.execPath, ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  return rerun.status ?? 1;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const suite = options.restricted ? 'restricted' : 'trusted';
  const desktop = options.restricted ? null : desktopVsCode();
  if (desktop && needsVirtualDisplay()) {
    const code = rerunUnderXvfb();
    if (code !== null) {
      process.exitCode = code;
      return;
    }
    console.warn('[integration] no DISPLAY and no xvfb-run (apt-get install xvfb): desktop VS Code may fail to open');
  }
  console.log(`\n[integration:${suite}] building the extension and the tests`);
  await buildExtension();
  const testsIndex = await buildIntegrationTests();

  const scratch = makeTempDir(`grove-integration-${suite}-`);
  const workspace = createWorkspaceRepo(scratch);
  const resultsPath = path.join(ROOT, 'test-results', `integration-${suite}.json`);
  mkdirSync(path.dirname(resultsPath), { recursive: true });
  rmSync(resultsPath, { force: true });
  rmSync(`${resultsPath}.done`, { force: true });

  const started = Date.now();
  try {
    if (desktop) {
      console.log(`[integration:${suite}] desktop VS Code ${desktop}`);
      await runInDesktop(desktop, testsIndex, resultsPath, workspace);
    } else {
      console.log(`[integration:${suite}] code-server + headless Chromium, workspace ${workspace}`);
      await runInCodeServer(options, testsIndex, resultsPath, workspace, scratch);
    }
  } finally {
    if (!options.keep) {
      await delay(200);
      rmSync(scratch, { recursive: true, force: true }); // the pool root <repo>.grove is inside it too
    }
  }
  console.log(`[integration:${suite}] finished in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exitCode = report(resultsPath);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
