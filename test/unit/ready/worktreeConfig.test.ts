import { strict as assert } from 'node:assert';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../../../src/core/errors';
import { importForeignConfig } from '../../../src/core/ready/foreignConfig';
import { readReadyRecord } from '../../../src/core/ready/readyStore';
import { parseWorktreeConfig } from '../../../src/core/ready/worktreeConfig';
import { createPool, reopen } from '../../helpers/pool';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';

const FIXTURES = path.resolve(__dirname, '../../fixtures/foreign-config');

/** A step that appends "<what> <worktree>" to ../counts.log beside the repository: how tests count runs. */
function counting(what: string): string[] {
  return [process.execPath, '-e', `require('fs').appendFileSync(require('path').join(process.env.GROVE_MAIN_WORKTREE, '..', 'counts.log'), '${what} ' + process.env.GROVE_WORKTREE + ' ' + process.env.GROVE_PORT_0 + '\\n')`];
}

function counts(repo: string): string[] {
  const file = path.join(repo, '..', 'counts.log');
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

function commit(repo: string, files: Record<string, string>, message = 'change'): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}

describe('ready: setup, refresh and teardown from .grove/worktree.json', () => {
  afterEach(cleanupTempDirs);

  it('runs setup on creation, refresh exactly once per fingerprint change, never without one', async () => {
    const config = { setup: [counting('setup')], refresh: [counting('refresh')], teardown: [counting('teardown')] };
    const fixture = await createPool({ repo: { files: { 'README.md': 'x\n', 'package-lock.json': '{"v":1}\n', '.grove/worktree.json': JSON.stringify(config) } } });
    const { pool, repo } = fixture;
    await pool.lease({ holder: 'a' });
    assert.deepEqual(counts(repo), ['setup wt-1 20010'], 'setup ran once, with the worktree\'s env');
    await pool.returnWorktree('wt-1');
    await pool.lease({ holder: 'b' });
    await pool.returnWorktree('wt-1');
    assert.deepEqual(counts(repo), ['setup wt-1 20010'], 'no fingerprint change: no refresh');
    commit(repo, { 'package-lock.json': '{"v":2}\n' });
    await pool.lease({ holder: 'c' });
    await pool.returnWorktree('wt-1');
    await pool.lease({ holder: 'd' });
    await pool.returnWorktree('wt-1');
    assert.deepEqual(counts(repo), ['setup wt-1 20010', 'refresh wt-1 20010'], 'one refresh for one change');
    commit(repo, { 'README.md': 'only docs changed\n' });
    await pool.lease({ holder: 'e' });
    await pool.returnWorktree('wt-1');
    assert.equal(counts(repo).length, 2, 'a commit that leaves the lockfiles alone refreshes nothing');
    const record = await readReadyRecord(fixture.location.groveDir, 'wt-1');
    assert.equal(record.setupRuns, 1);
    assert.equal(record.refreshRuns, 1);
    assert.equal(record.source, '.grove/worktree.json');
    const [status] = await pool.status();
    assert.equal(status.ready?.dependencies, 'warm');
    await pool.destroy('wt-1');
    assert.deepEqual(counts(repo).slice(-1), ['teardown wt-1 20010'], 'teardown before destroy');
    assert.equal((await readReadyRecord(fixture.location.groveDir, 'wt-1')).fingerprint, null, 'a later wt-1 starts afresh');
  });

  it('reads the config from the commit being leased, not from the main worktree', async () => {
    const fixture = await createPool({ repo: { files: { 'README.md': 'x\n', '.grove/worktree.json': JSON.stringify({ setup: [counting('committed')] }) } } });
    writeFileSync(path.join(fixture.repo, '.grove/worktree.json'), JSON.stringify({ setup: [counting('uncommitted')] }));
    await fixture.pool.lease({ holder: 'a' });
    assert.deepEqual(counts(fixture.repo), ['committed wt-1 20010']);
  });

  it('a failing setup never hands the worktree out: it stays leased to the asker, with the log', async () => {
    const failing = [process.execPath, '-e', 'console.log("installing..."); console.error("npm ERR! boom"); process.exit(3)'];
    const fixture = await createPool({ repo: { files: { 'README.md': 'x\n', '.grove/worktree.json': JSON.stringify({ setup: [failing] }) } } });
    const { pool } = fixture;
    await assert.rejects(pool.lease({ holder: 'alice' }), (error: GroveError) => {
      assert.match(error.message, /setup step .* failed in wt-1 \(exit code 3\)/);
      assert.match(error.message, /kept leased to alice/);
      assert.match(error.hint ?? '', /ready[/\\]wt-1\.log/);
      return true;
    });
    const log = readFileSync(path.join(fixture.location.groveDir, 'ready', 'wt-1.log'), 'utf8');
    assert.match(log, /npm ERR! boom/);
    let [status] = await pool.status();
    assert.equal(status.state, 'leased');
    assert.equal(status.holder, 'alice');
    assert.equal(status.ready?.failed?.error, 'exit code 3');
    await assert.rejects(pool.lease({ holder: 'bob' }), /failed in wt-2/, 'bob never gets wt-1');
    // The engine's reservations: a task never runs in a worktree that is not ready either.
    await assert.rejects(pool.reserve({ owner: 'slot-1' }), /failed in wt-3/);
    const statuses = await pool.status();
    assert.deepEqual(statuses.map((w) => [w.name, w.state]), [['wt-1', 'leased'], ['wt-2', 'leased'], ['wt-3', 'leased']]);
    assert.match(statuses[2].holder ?? '', /^grove:slot-1 \(not ready/);
    // Fixed in the repository: returned and leased again, setup (not refresh) runs again and succeeds.
    commit(fixture.repo, { '.grove/worktree.json': JSON.stringify({ setup: [counting('setup')] }) });
    await pool.returnWorktree('wt-1');
    const lease = await pool.lease({ holder: 'carol', prefer: 'wt-1' });
    assert.equal(lease.name, 'wt-1');
    assert.deepEqual(counts(fixture.repo), ['setup wt-1 20010']);
    [status] = await pool.status();
    assert.equal(status.ready?.failed, null);
  });

  it('runs no step where steps are not allowed (untrusted editor workspace), and records nothing as ready', async () => {
    const fixture = await createPool({ repo: { files: { 'README.md': 'x\n', '.grove/worktree.json': JSON.stringify({ setup: [counting('setup')] }) } }, pool: { ready: { runSteps: () => false } } });
    const lease = await fixture.pool.lease({ holder: 'a' });
    assert.deepEqual(counts(fixture.repo), []);
    assert.match(lease.warnings?.join('\n') ?? '', /not trusted/);
    const trusted = reopen(fixture);
    await fixture.pool.returnWorktree('wt-1');
    await trusted.lease({ holder: 'b' });
    assert.deepEqual(counts(fixture.repo), ['setup wt-1 20010'], 'the setup left out runs at the first lease that may run it');
    const record = await readReadyRecord(fixture.location.groveDir, 'wt-1');
    assert.notEqual(record.fingerprint, null, 'once allowed, it is recorded ready');
  });

  it('refuses a step written as a shell string, saying how to write it', () => {
    assert.throws(() => parseWorktreeConfig(JSON.stringify({ setup: ['npm ci'] })), /"setup"\[0\] is a string.*\["npm","ci"\].*\["sh", "-c", "npm ci"\]/);
    assert.throws(() => parseWorktreeConfig(JSON.stringify({ setup: [[]] })), /"setup"\[0\] must be a non-empty array/);
    assert.throws(() => parseWorktreeConfig(JSON.stringify({ setpu: [] })), /unknown field\(s\) setpu/);
    assert.throws(() => parseWorktreeConfig(JSON.stringify({ trim: ['../x'] })), /must stay inside the worktree/);
    assert.throws(() => parseWorktreeConfig('{'), /not valid JSON/);
  });

  it('a malformed config at the base fails the lease clearly and keeps the worktree for the asker', async () => {
    const fixture = await createPool({ repo: { files: { 'README.md': 'x\n', '.grove/worktree.json': '{"setup": "npm ci"}' } } });
    await assert.rejects(fixture.pool.lease({ holder: 'a' }), /\.grove\/worktree\.json is not usable: "setup" must be a list/);
    const [status] = await fixture.pool.status();
    assert.equal(status.holder, 'a');
  });
});

describe('ready: importing Conductor, Cursor and Codex configs (read-only)', () => {
  afterEach(cleanupTempDirs);

  for (const [tool, file, marker] of [
    ['conductor', '.conductor/settings.toml', 'conductor-setup'],
    ['cursor', '.cursor/worktrees.json', 'cursor-setup'],
    ['codex', '.codex/environments/environment.toml', 'codex-setup'],
  ] as const) {
    it(`imports ${file} and says it did`, async () => {
      const fixture = await createPool();
      cpSync(path.join(FIXTURES, tool), fixture.repo, { recursive: true });
      git(fixture.repo, 'add', '-A');
      git(fixture.repo, 'commit', '-q', '-m', `${tool} config`);
      const before = readFileSync(path.join(fixture.repo, file), 'utf8');
      const lease = await fixture.pool.lease({ holder: 'a' });
      const ran = readFileSync(path.join(lease.path, 'setup-ran.log'), 'utf8');
      assert.match(ran, new RegExp(marker));
      if (tool === 'cursor') assert.match(ran, /root-known/, 'Cursor scripts get $ROOT_WORKTREE_PATH');
      const [status] = await fixture.pool.status();
      assert.equal(status.ready?.configSource, file);
      assert.equal(readFileSync(path.join(fixture.repo, file), 'utf8'), before, 'the foreign file is never written');
    });
  }

  it('maps each tool\'s fields to setup and teardown as explicit sh -c steps', () => {
    const conductor = importForeignConfig('.conductor/settings.toml', readFileSync(path.join(FIXTURES, 'conductor/.conductor/settings.toml'), 'utf8'));
    assert.deepEqual(conductor.setup, [['sh', '-c', 'echo conductor-setup > setup-ran.log']]);
    assert.deepEqual(conductor.teardown, [['sh', '-c', 'echo archived >> ../archive.log\n']]);
    const cursor = importForeignConfig('.cursor/worktrees.json', readFileSync(path.join(FIXTURES, 'cursor/.cursor/worktrees.json'), 'utf8'));
    assert.equal(cursor.setup.length, 2);
    assert.deepEqual(importForeignConfig('.cursor/worktrees.json', '{"setup-worktree-unix": "setup.sh"}').setup, [['sh', '.cursor/setup.sh']]);
    const codex = importForeignConfig('.codex/environments/environment.toml', readFileSync(path.join(FIXTURES, 'codex/.codex/environments/environment.toml'), 'utf8'));
    assert.deepEqual(codex.setup, [['sh', '-c', 'echo codex-setup > setup-ran.log\n']]);
  });

  it('prefers .grove/worktree.json over a foreign config', async () => {
    const fixture = await createPool();
    cpSync(path.join(FIXTURES, 'codex'), fixture.repo, { recursive: true });
    commit(fixture.repo, { '.grove/worktree.json': JSON.stringify({ setup: [counting('grove')] }) });
    await fixture.pool.lease({ holder: 'a' });
    assert.deepEqual(counts(fixture.repo), ['grove wt-1 20010']);
    const [status] = await fixture.pool.status();
    assert.equal(status.ready?.configSource, '.grove/worktree.json');
  });
});
