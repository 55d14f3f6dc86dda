// A real VS Code for tests and `npm start` on machines without desktop VS Code: code-server
// (VS Code 1.100.3 with a Node extension host) on loopback, driven by Debian's Chromium
// through playwright-core. Installed by scripts/install-vscode-test.sh.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..');
export const CODE_SERVER_VERSION = process.env.GROVE_CODE_SERVER_VERSION ?? '4.100.3';
export const CACHE_DIR = path.join(ROOT, '.vscode-test');
export const CHROMIUM = process.env.GROVE_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function codeServerEntry(): string {
  const dir = path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`);
  if (!existsSync(path.join(dir, '.complete'))) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} is not installed: run bash scripts/install-vscode-test.sh`);
  }
  return path.join(dir, 'package', 'out', 'node', 'entry.js');
}

/** Desktop VS Code downloaded by the install script, when this machine could download it. */
export function desktopVsCode(): string | null {
  const marker = path.join(CACHE_DIR, `desktop-${process.env.GROVE_DESKTOP_VSCODE_VERSION ?? '1.100.3'}.path`);
  if (!existsSync(marker)) return null;
  const executable = readFileSync(marker, 'utf8').trim();
  return executable && existsSync(executable) ? executable : null;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** User settings that keep the workbench quiet and deterministic for tests. */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const userDir = path.join(userDataDir, 'User');
  mkdirSync(userDir, { recursive: true });
  writeFileSync(path.join(userDir, 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'update.mode': 'none',
    'git.openRepositoryInParentFolders': 'never',
    ...settings,
  }, null, 2));
}

export interface CodeServer {
  port: number;
  baseUrl: string;
  process: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  folder: string;
  userDataDir: string;
  extensionsDir: string;
  /** false keeps workspace trust on, so the folder can open in Restricted Mode. */
  disableWorkspaceTrust: boolean;
  env?: NodeJS.ProcessEnv;
  port?: number;
  /** Echo the server's output (npm start). */
  inheritOutput?: boolean;
}

export async function startCodeServer(options: StartOptions): Promise<CodeServer> {
  const port = options.port ?? await freePort();
  const args = [codeServerEntry(), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--user-data-dir', options.userDataDir, '--extensions-dir', options.extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override'];
  if (options.disableWorkspaceTrust) args.push('--disable-workspace-trust');
  args.push(options.folder);
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true,
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    if (options.inheritOutput) process.stderr.write(chunk);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    if (child.exitCode !== null) throw new Error(`code-server exited (${child.exitCode}):\n${output}`);
    return fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
  }, 60_000, 'code-server to listen');
  return {
    port, baseUrl, process: child, output: () => output,
    stop: () => stopProcessGroup(child),
  };
}

/** Stops the server and the extension host it spawned (they share its process group). */
export async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
  const killed = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
  if (!killed) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }
}

export function workbenchUrl(server: CodeServer, folder: string, payload?: Array<[string, string]>): string {
  let url = `${server.baseUrl}/?folder=${encodeURIComponent(folder)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

/** A `vscode-remote://` URI the web workbench resolves on the server's file system. */
export function remoteUri(server: CodeServer, absolutePath: string): string {
  return `vscode-remote://127.0.0.1:${server.port}${absolutePath}`;
}

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run bash scripts/install-vscode-test.sh (apt-get install chromium)`);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs: number, what: string, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await delay(intervalMs);
  }
}

/** A git repository with one commit, for a test workspace. */
export function createWorkspaceRepo(parent: string, files: Record<string, string> = { 'README.md': '# demo\n' }): string {
  const repo = path.join(parent, 'repo');
  mkdirSync(repo, { recursive: true });
  const env = { ...process.env, GIT_AUTHOR_NAME: 'Grove Test', GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Grove Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };
  const git = (...args: string[]) => runSync('git', args, repo, env);
  git('init', '-q', '-b', 'main');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return repo;
}

function runSync(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): void {
  execFileSync(command, args, { cwd, env, stdio: 'ignore' });
}
