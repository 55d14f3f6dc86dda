import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isGroveError, type GroveErrorKind } from '../../../src/core/errors';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { createPool, reopen } from '../../helpers/pool';

async function rejectsWith(promise: Promise<unknown>, kind: GroveErrorKind, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isGroveError(error, kind), `expected a ${kind} GroveError, got ${String(error)}`);
    assert.match(error.message, message);
    assert.ok(error.hint && error.hint.length > 0, 'every refusal says what to do');
    return true;
  });
}

/** A hand-written record, as a bad or hostile state.json could hold it. */
function handRecord(name: string, folder: string, root: string): Record<string, unknown> {
  return { name, path: folder, root, createdAt: new Date().toISOString(), head: null, lease: null, reservation: null, damaged: null, claim: null };
}

describe('destroy and return only ever touch a worktree git lists in the configured pool root (issue 9, 5c and 4e)', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    cleanupTempDirs();
  });

  it('refuses a record whose root and path point at a folder of the main worktree, even with --force: nothing of it is removed', async () => {
    const fixture = await createPool();
    const { repo, pool } = fixture;
    await pool.lease({ holder: 'a' }); // a real state file with a real worktree
    writeFileSync(path.join(repo, 'src', 'untracked-notes.txt'), 'mine\n');
    const state = JSON.parse(await fs.readFile(pool.statePath, 'utf8'));
    state.worktrees.src = handRecord('src', path.join(repo, 'src'), repo);
    await fs.writeFile(pool.statePath, JSON.stringify(state));
    for (const force of [false, true]) {
      await rejectsWith(reopen(fixture).destroy('src', { force }), 'refused', /not a (worktree|folder) of the pool/);
    }
    assert.equal(readFileSync(path.join(repo, 'src', 'index.ts'), 'utf8'), 'export const answer = 42;\n');
    assert.equal(readFileSync(path.join(repo, 'src', 'untracked-notes.txt'), 'utf8'), 'mine\n');
  });

  it('refuses a folder in the pool root that git does not list as a worktree (a plain folder named like one)', async () => {
    const fixture = await createPool();
    const { pool, root } = fixture;
    await pool.lease({ holder: 'a' });
    const impostor = path.join(root, 'wt-7');
    mkdirSync(impostor);
    writeFileSync(path.join(impostor, 'data.txt'), 'not grove\'s\n');
    const state = JSON.parse(await fs.readFile(pool.statePath, 'utf8'));
    state.worktrees['wt-7'] = handRecord('wt-7', impostor, root);
    await fs.writeFile(pool.statePath, JSON.stringify(state));
    await rejectsWith(reopen(fixture).destroy('wt-7', { force: true }), 'refused', /git does not list/);
    assert.equal(readFileSync(path.join(impostor, 'data.txt'), 'utf8'), 'not grove\'s\n');
  });

  it('return --force of a leased record pointing into the main worktree resets and cleans nothing there', async () => {
    const fixture = await createPool();
    const { repo, pool } = fixture;
    const lease = await pool.lease({ holder: 'a' });
    writeFileSync(path.join(repo, 'src', 'untracked-notes.txt'), 'mine\n');
    writeFileSync(path.join(repo, 'README.md'), 'edited in main\n');
    const state = JSON.parse(await fs.readFile(pool.statePath, 'utf8'));
    state.worktrees.src = { ...handRecord('src', path.join(repo, 'src'), repo), lease: { ...state.worktrees[lease.name].lease, leaseId: 'f'.repeat(32), holder: 'z' } };
    await fs.writeFile(pool.statePath, JSON.stringify(state));
    await rejectsWith(reopen(fixture).returnWorktree('src', { force: true }), 'refused', /not a (worktree|folder) of the pool/);
    assert.equal(readFileSync(path.join(repo, 'src', 'untracked-notes.txt'), 'utf8'), 'mine\n');
    assert.equal(readFileSync(path.join(repo, 'README.md'), 'utf8'), 'edited in main\n');
    assert.equal(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD'), 'main');
  });

  it('refuses to destroy an unleased worktree with a process inside, with or without --force, naming the pid', async () => {
    const { pool } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    await pool.returnWorktree(lease.name);
    const shell = spawn('sleep', ['60'], { cwd: path.join(lease.path, 'src'), stdio: 'ignore' });
    children.push(shell);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const [status] = await pool.status();
    assert.equal(status.state, 'busy', 'status calls it busy');
    for (const force of [false, true]) {
      await rejectsWith(pool.destroy(lease.name, { force }), 'refused', new RegExp(`process(es)? inside.*\\b${shell.pid}\\b`));
    }
    assert.ok(existsSync(path.join(lease.path, 'README.md')));
    shell.kill('SIGKILL');
    await new Promise((resolve) => shell.once('exit', resolve));
    await pool.destroy(lease.name);
    assert.ok(!existsSync(lease.path));
  });
});
