import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, git, tempDir, type CliResult } from '../../helpers/tempRepo';
import { createPool } from '../../helpers/pool';

/** Pools in places that cannot hold one, and repositories whose main worktree is hard to find. */
describe('pool roots and repositories in odd places', function () {
  this.timeout(120_000);
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  for (const root of ['/proc/grove-pool', '/sys/grove-pool']) {
    it(`--root ${root}: exit 2 with a clear message, at once (it used to spin forever)`, async () => {
      const { repo } = await createPool();
      const result = await runWithin(['lease', '--root', root, '--holder', 'a'], repo, 20_000);
      assert.notEqual(result.signal, 'SIGKILL', 'grove did not finish within 20 s');
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /kernel file system/);
      assert.match(result.stderr, /--root DIR/);
    });
  }

  it('--separate-git-dir: leasing from inside a pool worktree uses the same pool, not one nested in it', async () => {
    const parent = tempDir();
    const repo = path.join(parent, 'P');
    git(parent, 'init', '-q', '-b', 'main', '--separate-git-dir', path.join(parent, 'gitdir'), repo);
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'init');
    const first = await runWithin(['lease', '--holder', 'a'], repo);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), path.join(`${repo}.grove`, 'wt-1'));
    const second = await runWithin(['lease', '--holder', 'b'], first.stdout.trim());
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), path.join(`${repo}.grove`, 'wt-2'));
    const status = await runWithin(['status', '--json'], first.stdout.trim());
    assert.deepEqual((JSON.parse(status.stdout) as Array<{ name: string }>).map((w) => w.name), ['wt-1', 'wt-2']);
  });

  it('--separate-git-dir, from a linked worktree, when Grove never ran in the main one: exit 2 saying what to do', async () => {
    const parent = tempDir();
    const repo = path.join(parent, 'P');
    git(parent, 'init', '-q', '-b', 'main', '--separate-git-dir', path.join(parent, 'gitdir'), repo);
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'init');
    const linked = path.join(parent, 'linked');
    git(repo, 'worktree', 'add', '-q', '--detach', linked);
    const result = await runWithin(['lease', '--holder', 'a'], linked);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /Run grove once from the main working tree/);
    assert.ok(!existsSync(`${linked}.grove`), 'no pool made inside the linked worktree\'s place');
  });
});

/** Runs grove, SIGKILLing it if it takes longer than `limitMs` (so a spinning grove fails the test instead of hanging it). */
function runWithin(args: string[], cwd: string, limitMs = 60_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_PATH, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}
