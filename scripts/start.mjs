// `npm start [-- <repo>]`: builds Grove and opens VS Code on the repository with the
// extension loaded. Desktop VS Code (`code --extensionDevelopmentPath`) when `code` is on
// PATH; otherwise the browser VS Code (code-server, installed by
// scripts/install-vscode-test.sh) on 127.0.0.1, with the URL to open printed.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(process.env.INIT_CWD ?? process.cwd(), process.argv[2] ?? '.');
if (!existsSync(repo)) {
  console.error(`no such folder: ${repo}\nusage: npm start -- <path to a git repository>`);
  process.exit(2);
}

console.error('[start] building');
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });

const onPath = (command) => spawnSync('which', [command], { stdio: 'ignore' }).status === 0;
if (onPath('code') && !process.env.GROVE_START_BROWSER) {
  console.error(`[start] desktop VS Code on ${repo}`);
  spawn('code', ['--new-window', `--extensionDevelopmentPath=${root}`, repo], { stdio: 'inherit' });
} else {
  const server = await tsImport('./vscodeServer.ts', import.meta.url);
  try {
    server.codeServerEntry();
  } catch {
    execFileSync('bash', [path.join(root, 'scripts', 'install-vscode-test.sh')], { stdio: 'inherit' });
  }
  // Kept between starts (settings, layout), separate from the tests' throwaway profiles.
  const userDataDir = path.join(server.CACHE_DIR, 'start-user-data');
  const extensionsDir = path.join(server.CACHE_DIR, 'start-extensions');
  mkdirSync(extensionsDir, { recursive: true });
  if (!existsSync(path.join(userDataDir, 'User', 'settings.json'))) server.writeUserSettings(userDataDir, {});
  const port = process.env.GROVE_START_PORT ? Number(process.env.GROVE_START_PORT) : undefined;
  const running = await server.startCodeServer({ folder: repo, userDataDir, extensionsDir, disableWorkspaceTrust: false, port });
  const url = server.workbenchUrl(running, repo, [['extensionDevelopmentPath', server.remoteUri(running, root)]]);
  console.log(`\nGrove is loaded in the browser VS Code (code-server ${server.CODE_SERVER_VERSION}) on ${repo}.\nOpen:\n\n  ${url}\n\n'grove' works in the window's terminals; for other shells run 'npm link' here once.\nPress Ctrl-C to stop.`);
  const stop = async () => { await running.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  running.process.on('exit', (code) => process.exit(code ?? 0));
}
