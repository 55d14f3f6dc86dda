import * as assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, createRepo, git, runCli, tempDir, type CliResult } from '../../helpers/tempRepo';

function expectExit(result: CliResult, code: number, stderr?: RegExp): void {
  assert.equal(result.code, code, `exit ${result.code}, stderr: ${result.stderr}`);
  if (stderr) assert.match(result.stderr, stderr);
}

describe('grove status|lease|return|destroy|prune (the CLI)', function () {
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(cleanupTempDirs);

  function repoWithIgnores(): string {
    return createRepo({ gitignore: 'node_modules/\n' });
  }

  it('lease prints the path alone on stdout, takes the holder from GROVE_HOLDER, and gives it back to the same holder', async () => {
    const repo = repoWithIgnores();
    const first = await runCli(['lease'], { cwd: repo, env: { GROVE_HOLDER: 'ci job 1' } });
    expectExit(first, 0, /wt-1 leased to ci job 1/);
    assert.equal(first.stdout, `${repo}.grove/wt-1\n`);
    const again = await runCli(['lease', '--holder', 'ci job 1', '--json'], { cwd: repo });
    expectExit(again, 0);
    const lease = JSON.parse(again.stdout);
    assert.equal(lease.path, `${repo}.grove/wt-1`);
    assert.equal(lease.holder, 'ci job 1');
    assert.match(lease.leaseId, /^[0-9a-f]{32}$/);
    const plain = await runCli(['lease'], { cwd: repo, env: { GROVE_HOLDER: '' } });
    expectExit(plain, 0);
    assert.equal(plain.stdout, `${repo}.grove/wt-2\n`, 'without a holder each call is its own holder');
  });

  it('exits 3 when the pool is at --max or GROVE_MAX, and uses --root or GROVE_ROOT', async () => {
    const repo = repoWithIgnores();
    const root = path.join(tempDir(), 'pool');
    expectExit(await runCli(['lease', '--holder', 'a', '--max', '1', '--root', root], { cwd: repo }), 0);
    assert.ok(existsSync(path.join(root, 'wt-1')));
    expectExit(await runCli(['lease', '--holder', 'b'], { cwd: repo, env: { GROVE_MAX: '1', GROVE_ROOT: root } }), 3, /maximum of 1 worktrees/);
    expectExit(await runCli(['lease', '--holder', 'b', '--max', '0'], { cwd: repo }), 2, /--max expects a whole number/);
    expectExit(await runCli(['lease', '--holder', 'b'], { cwd: repo, env: { GROVE_MAX: 'lots' } }), 2, /GROVE_MAX expects a whole number/);
  });

  it('status --json lists every worktree with the documented fields', async () => {
    const repo = repoWithIgnores();
    const lease = JSON.parse((await runCli(['lease', '--holder', 'alice', '--json'], { cwd: repo })).stdout);
    const status = await runCli(['status', '--json'], { cwd: repo });
    expectExit(status, 0);
    const [entry] = JSON.parse(status.stdout);
    for (const field of ['name', 'path', 'state', 'holder', 'leaseId', 'leasedAt', 'head', 'branch', 'dirty', 'reservedBy', 'processes']) {
      assert.ok(field in entry, `status lacks ${field}`);
    }
    assert.equal(entry.state, 'leased');
    assert.equal(entry.leaseId, lease.leaseId);
    const table = await runCli(['status'], { cwd: repo });
    expectExit(table, 0);
    assert.match(table.stdout, /^NAME\s+STATE\s+HOLDER/);
    assert.match(table.stdout, /wt-1\s+leased\s+alice/);
  });

  it('return: exit 4 on work (and on a lease id mismatch), --force parks and prints how to restore, node_modules survives', async () => {
    const repo = repoWithIgnores();
    const lease = JSON.parse((await runCli(['lease', '--holder', 'a', '--json'], { cwd: repo })).stdout);
    mkdirSync(path.join(lease.path, 'node_modules'));
    writeFileSync(path.join(lease.path, 'node_modules/dep.js'), 'dep\n');
    writeFileSync(path.join(lease.path, 'wip.txt'), 'wip\n');
    expectExit(await runCli(['return', lease.path], { cwd: repo }), 4, /work that would be lost: 1 untracked file.*\n.*--force/);
    expectExit(await runCli(['return', 'wt-1', '--if-lease-id', '0'.repeat(32)], { cwd: repo }), 4, /another lease id/);
    const forced = await runCli(['return', 'wt-1', '--force', '--if-lease-id', lease.leaseId, '--json'], { cwd: repo });
    expectExit(forced, 0, /git restore --source=refs\/grove\/parked\/wt-1\//);
    const outcome = JSON.parse(forced.stdout);
    assert.equal(git(repo, 'show', `${outcome.parkedRef}:wip.txt`), 'wip');
    assert.ok(!existsSync(path.join(lease.path, 'wip.txt')));
    assert.ok(existsSync(path.join(lease.path, 'node_modules/dep.js')));
    expectExit(await runCli(['return', 'wt-1'], { cwd: repo }), 4, /not leased/);
  });

  it('destroy: exit 4 for a leased worktree, 0 with --force; prune is a dry run until --yes', async () => {
    const repo = repoWithIgnores();
    for (const holder of ['a', 'b']) expectExit(await runCli(['lease', '--holder', holder], { cwd: repo }), 0);
    expectExit(await runCli(['destroy', 'wt-1'], { cwd: repo }), 4, /leased by a/);
    expectExit(await runCli(['destroy', 'wt-1', '--force'], { cwd: repo }), 0, /destroyed wt-1/);
    expectExit(await runCli(['return', 'wt-2'], { cwd: repo }), 0);
    const dry = await runCli(['prune'], { cwd: repo });
    expectExit(dry, 0, /dry run/);
    assert.equal(dry.stdout, 'wt-2\n');
    const kept = await runCli(['prune', '--yes', '--keep', '1', '--json'], { cwd: repo });
    expectExit(kept, 0);
    assert.deepEqual(JSON.parse(kept.stdout).removed, []);
    const real = await runCli(['prune', '--yes', '--json'], { cwd: repo });
    assert.deepEqual(JSON.parse(real.stdout).removed, ['wt-2']);
    assert.ok(!existsSync(`${repo}.grove/wt-2`));
    expectExit(await runCli(['prune', '--keep', '-1'], { cwd: repo }), 2);
  });

  describe('bad input: a clear message and the right exit code', () => {
    const cases: Array<[string, () => { cwd: string; args: string[] }, number, RegExp]> = [
      ['not a repository', () => ({ cwd: tempDir(), args: ['status'] }), 2, /is not a git repository/],
      ['a bare repository', () => { const dir = tempDir(); git(dir, 'init', '-q', '--bare'); return { cwd: dir, args: ['lease'] }; }, 2, /bare repository/],
      ['a repository with no commit', () => ({ cwd: createRepo({ noCommit: true }), args: ['lease'] }), 2, /no commit yet/],
      ['a path outside the pool', () => ({ cwd: createRepo(), args: ['destroy', '/etc'] }), 2, /is not a worktree of this pool/],
      ['a name with ..', () => ({ cwd: createRepo(), args: ['return', '..'] }), 2, /not a valid worktree name: it contains "\.\."/],
      ['a name with / (a path, outside the pool)', () => ({ cwd: createRepo(), args: ['destroy', 'wt-1/../../x'] }), 2, /not a worktree of this pool/],
      ['a name with control characters', () => ({ cwd: createRepo(), args: ['destroy', 'wt\u0001'] }), 2, /control characters/],
      ['a malformed lease id', () => ({ cwd: createRepo(), args: ['return', 'wt-1', '--if-lease-id', 'abc'] }), 2, /not a lease id/],
      ['an unknown worktree', () => ({ cwd: createRepo(), args: ['return', 'wt-5'] }), 2, /no worktree named wt-5/],
      ['an unknown option', () => ({ cwd: createRepo(), args: ['lease', '--colour'] }), 2, /unknown option/],
      ['an unknown base', () => ({ cwd: createRepo(), args: ['lease', '--base', 'nope'] }), 2, /names no commit/],
    ];
    for (const [what, make, code, message] of cases) {
      it(`${what}: exit ${code}`, async () => {
        const { cwd, args } = make();
        const result = await runCli(args, { cwd });
        expectExit(result, code, message);
        assert.equal(result.stdout, '', 'nothing on stdout for a failure');
      });
    }

    it('an unknown lease id: exit 4', async () => {
      const repo = createRepo();
      expectExit(await runCli(['lease', '--holder', 'a'], { cwd: repo }), 0);
      expectExit(await runCli(['return', 'wt-1', '--if-lease-id', 'a'.repeat(32)], { cwd: repo }), 4, /another lease id/);
    });

    it('a read-only pool root: exit 2 with what to do', async () => {
      const repo = createRepo();
      const root = path.join(tempDir(), 'ro');
      mkdirSync(root);
      chmodSync(root, 0o555);
      const asRoot = process.getuid?.() === 0;
      if (asRoot) execFileSync('chattr', ['+i', root]);
      try {
        expectExit(await runCli(['lease', '--root', root], { cwd: repo }), 2, /cannot create worktrees in .*\n.*--root DIR or GROVE_ROOT/);
      } finally {
        if (asRoot) execFileSync('chattr', ['-i', root]);
        chmodSync(root, 0o755);
      }
    });
  });
});
