import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

describe('work in nested repositories and submodules is never deleted by destroy (issue 9, 4b and 4c)', () => {
  afterEach(cleanupTempDirs);

  it('an untracked nested git repository: destroy --force and return --force refuse, naming it; nothing of it is removed', async () => {
    const { pool } = await createPool();
    const lease = await pool.lease({ holder: 'a' });
    const nested = path.join(lease.path, 'tools', 'helper');
    mkdirSync(nested, { recursive: true });
    git(nested, 'init', '-q', '-b', 'main');
    writeFileSync(path.join(nested, 'tool.sh'), 'echo hi\n');
    git(nested, 'add', '-A');
    git(nested, 'commit', '-q', '-m', 'only here');
    writeFileSync(path.join(nested, 'notes.txt'), 'not even committed\n');
    const commit = git(nested, 'rev-parse', 'HEAD');
    await refused(pool.destroy(lease.name, { force: true }), /nested git repository tools\/helper/);
    await refused(pool.returnWorktree(lease.name, { force: true }), /nested git repository tools\/helper/);
    assert.equal(git(nested, 'rev-parse', 'HEAD'), commit);
    assert.equal(readFileSync(path.join(nested, 'notes.txt'), 'utf8'), 'not even committed\n');
    // Moved out, as the hint says: the destroy goes through.
    renameSync(nested, path.join(tempDir(), 'helper'));
    await pool.destroy(lease.name, { force: true });
    assert.ok(!existsSync(lease.path));
  });

  it('a submodule with a local commit or untracked files: destroy --force refuses, naming what it holds; its git dir survives', async () => {
    const lib = createRepo({ files: { 'lib.txt': 'v1\n' } });
    const fixture = await createPool();
    const { repo } = fixture;
    git(repo, ...FILE_PROTOCOL, 'submodule', 'add', '-q', lib, 'lib');
    git(repo, 'commit', '-q', '-m', 'add lib');
    const pool = reopen(fixture);
    const lease = await pool.lease({ holder: 'a' });
    git(lease.path, ...FILE_PROTOCOL, 'submodule', 'update', '--init', '-q');
    const sub = path.join(lease.path, 'lib');
    writeFileSync(path.join(sub, 'lib.txt'), 'v2, only here\n');
    git(sub, 'commit', '-q', '-am', 'local change');
    const local = git(sub, 'rev-parse', 'HEAD');
    await refused(pool.destroy(lease.name, { force: true }), /submodule lib \(1 commit\(s\) not on its remotes/);
    assert.equal(git(sub, 'cat-file', '-t', local), 'commit', 'the submodule\'s commit is still there');

    git(sub, 'reset', '-q', '--hard', 'HEAD~1');
    writeFileSync(path.join(sub, 'scratch.txt'), 'untracked in the submodule\n');
    await refused(pool.destroy(lease.name, { force: true }), /submodule lib \(1 untracked file/);
    await refused(pool.returnWorktree(lease.name, { force: true }), /submodule lib/);
    assert.ok(existsSync(path.join(sub, 'scratch.txt')));

    // Discarded on purpose, as the hint says: then the destroy goes through.
    git(lease.path, 'submodule', 'deinit', '-q', '-f', 'lib');
    await pool.destroy(lease.name, { force: true });
    assert.ok(!existsSync(lease.path));
  });
});
