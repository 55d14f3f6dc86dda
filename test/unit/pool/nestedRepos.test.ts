import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { isGroveError } from '../../../src/core/errors';
import { cleanupTempDirs, createRepo, git, tempDir } from '../../helpers/tempRepo';
import { createPool, reopen } from '../../helpers/pool';

async function refused(promise: Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isGroveError(error, 'refused'), String(error));
    assert.match(error.message, message);
    assert.ok(error.hint && error.hint.length > 0);
    return true;
  });
}

const FILE_PROTOCOL = ['-c', 'protocol.file.allow=always'];

/** What a later gc does to anything no ref keeps. */
function collect(repo: string): void {
  git(repo, 'reflog', 'expire', '--expire=now', '--expire-unreachable=now', '--all');
  git(repo, 'gc', '--quiet', '--prune=now');
}

/** Follows the restore hint's commands: a new repository fetching what was parked under `prefix`. */
function restoreFrom(commonDir: string, prefix: string): string {
  const target = path.join(tempDir(), 'restored');
  git(path.dirname(target), 'init', '-q', target);
  git(target, ...FILE_PROTOCOL, 'fetch', '-q', commonDir, `+${prefix}/*:refs/remotes/parked/*`);
  git(target, 'checkout', '-q', '--detach', 'parked/work');
  return target;
}

function nestedPrefix(hint: string, kind: string, where: string): string {
  const match = new RegExp(`${kind} ${where} parked under (\\S+)/ `).exec(hint);
  assert.ok(match, `the hint names where ${where} went:\n${hint}`);
  return match[1];
}

describe('work in nested repositories and submodules is never deleted by destroy (issue 9, 4b and 4c)', () => {
  afterEach(cleanupTempDirs);

  it('an untracked nested git repository: refused without --force (and by return --force); destroy --force parks its commits and files', async () => {
    const { pool, location } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    const nested = path.join(lease.path, 'tools', 'helper');
    mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(nested, 'tool.sh'), 'echo hi\n');
    git(nested, 'add', '-A');
    git(nested, 'commit', '-q', '-m', 'only here');
    writeFileSync(path.join(nested, 'notes.txt'), 'not even committed\n');
    const commit = git(nested, 'rev-parse', 'HEAD');
    await refused(pool.returnWorktree(lease.name, { force: true }), /nested git repository tools\/helper/);
    assert.equal(readFileSync(path.join(nested, 'notes.txt'), 'utf8'), 'not even committed\n');
    // An unleased worktree with one: a plain destroy refuses, naming it.
    const other = await pool.lease({ holder: 'b' });
    await pool.returnWorktree(other.name);
    git(path.dirname(other.path), 'init', '-q', path.join(other.path, 'vendored'));
    await refused(pool.destroy(other.name), /nested git repository vendored/);

    const outcome = await pool.destroy(lease.name, { force: true });
    assert.ok(!existsSync(lease.path));
    collect(location.mainWorktree);
    const prefix = nestedPrefix(outcome.restoreHint ?? '', 'Nested repository', 'tools/helper');
    assert.equal(git(location.mainWorktree, 'rev-parse', `${prefix}/heads/main`), commit, 'its branch');
    const restored = restoreFrom(location.commonDir, prefix);
    assert.equal(readFileSync(path.join(restored, 'notes.txt'), 'utf8'), 'not even committed\n', 'its uncommitted file');
    assert.equal(readFileSync(path.join(restored, 'tool.sh'), 'utf8'), 'echo hi\n');
    assert.equal(git(restored, 'rev-parse', 'HEAD^1'), commit, 'its HEAD');

    // One with no commit yet: its files are parked all the same.
    writeFileSync(path.join(other.path, 'vendored', 'draft.txt'), 'draft\n');
    const forced = await pool.destroy(other.name, { force: true });
    const draft = restoreFrom(location.commonDir, nestedPrefix(forced.restoreHint ?? '', 'Nested repository', 'vendored'));
    assert.equal(readFileSync(path.join(draft, 'draft.txt'), 'utf8'), 'draft\n');
  });

  it('a submodule with a local commit and untracked files: refused without --force (and by return --force); destroy --force parks both', async () => {
    const lib = createRepo({ files: { 'lib.txt': 'v1\n' } });
    const fixture = await createPool();
    const { repo, location } = fixture;
    git(repo, ...FILE_PROTOCOL, 'submodule', 'add', '-q', lib, 'lib');
    git(repo, 'commit', '-q', '-m', 'add lib');
    const pool = reopen(fixture);
    const lease = await pool.lease({ holder: 'a' });
    git(lease.path, ...FILE_PROTOCOL, 'submodule', 'update', '--init', '-q');
    const sub = path.join(lease.path, 'lib');
    writeFileSync(path.join(sub, 'lib.txt'), 'v2, only here\n');
    git(sub, 'commit', '-q', '-am', 'local change');
    const local = git(sub, 'rev-parse', 'HEAD');
    writeFileSync(path.join(sub, 'scratch.txt'), 'untracked in the submodule\n');
    await refused(pool.returnWorktree(lease.name, { force: true }), /submodule lib \(1 commit\(s\) not on its remotes, 1 untracked file/);
    assert.equal(git(sub, 'cat-file', '-t', local), 'commit');

    const outcome = await pool.destroy(lease.name, { force: true });
    assert.ok(!existsSync(lease.path));
    collect(location.mainWorktree);
    const prefix = nestedPrefix(outcome.restoreHint ?? '', 'Submodule', 'lib');
    const restored = restoreFrom(location.commonDir, prefix);
    assert.equal(git(restored, 'rev-parse', 'HEAD^1'), local, 'the submodule\'s local commit survives');
    assert.equal(readFileSync(path.join(restored, 'lib.txt'), 'utf8'), 'v2, only here\n');
    assert.equal(readFileSync(path.join(restored, 'scratch.txt'), 'utf8'), 'untracked in the submodule\n');
  });

  it('a clean submodule (its commit on its remote) does not stop a plain destroy', async () => {
    const lib = createRepo({ files: { 'lib.txt': 'v1\n' } });
    const fixture = await createPool();
    git(fixture.repo, ...FILE_PROTOCOL, 'submodule', 'add', '-q', lib, 'lib');
    git(fixture.repo, 'commit', '-q', '-m', 'add lib');
    const pool = reopen(fixture);
    const lease = await pool.lease({ holder: 'a' });
    git(lease.path, ...FILE_PROTOCOL, 'submodule', 'update', '--init', '-q');
    await pool.returnWorktree(lease.name);
    await pool.destroy(lease.name);
    assert.ok(!existsSync(lease.path));
  });
});
