import * as assert from 'node:assert/strict';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { holdFiles, lateVersions, parkLateVersions, releaseHeld } from '../../../src/core/git/lateWrites';
import { parkWorkKeepingIndex } from '../../../src/core/git/park';
import { cleanupTempDirs, createRepo, git, tempDir } from '../../helpers/tempRepo';

/**
 * The window inside git's switch (it checks a file, then unlinks and writes it anew): played
 * step by step, since the real race is too rare to aim at. A writer rewrites the file in place
 * after the check; the switch then replaces it. The held hard link still has that version.
 */
describe('versions written inside the reset switch are parked, not lost', () => {
  afterEach(cleanupTempDirs);

  it('a file rewritten in place between git\'s check and its replacement: its version is parked as -late, with its mode; untouched files are not', async () => {
    const repo = createRepo({ files: { 'app.ts': 'one\n', 'run.sh': 'echo 1\n', 'same.txt': 'same\n' } });
    const worktree = path.join(path.dirname(repo), 'wt');
    git(repo, 'worktree', 'add', '-q', '--detach', worktree);
    const base = git(worktree, 'rev-parse', 'HEAD');
    chmodSync(path.join(worktree, 'run.sh'), 0o755);
    writeFileSync(path.join(worktree, 'app.ts'), 'agent\n');
    writeFileSync(path.join(worktree, 'run.sh'), 'echo agent\n');
    writeFileSync(path.join(worktree, 'same.txt'), 'agent too\n');
    const scratch = tempDir('grove-late-');
    const parkedAt = Date.now();
    const { parked, scratchIndex, tree } = await parkWorkKeepingIndex(worktree, 'wt', new Date(), scratch);
    rmSync(scratchIndex);
    const held = await holdFiles(worktree, tree, base, scratch);
    assert.deepEqual([...held.links.keys()].sort(), ['app.ts', 'run.sh', 'same.txt']);
    // The writer, after git looked: in place, so into the same inode.
    writeFileSync(path.join(worktree, 'app.ts'), 'written late\n');
    writeFileSync(path.join(worktree, 'run.sh'), 'echo late\n');
    // The switch: unlink, write the base version anew.
    for (const [file, content] of [['app.ts', 'one\n'], ['run.sh', 'echo 1\n'], ['same.txt', 'same\n']]) {
      rmSync(path.join(worktree, file));
      writeFileSync(path.join(worktree, file), content);
    }
    const late = await lateVersions(worktree, held, tree, parkedAt);
    assert.deepEqual(late.map((entry) => [entry.path, entry.mode]).sort(), [['app.ts', '100644'], ['run.sh', '100755']]);
    const kept = await parkLateVersions(worktree, 'wt', new Date(), parked, tree, late, scratch);
    await releaseHeld(held);
    assert.match(kept.ref, /^refs\/grove\/parked\/wt\/.*-late$/);
    assert.equal(git(repo, 'show', `${kept.ref}:app.ts`), 'written late');
    assert.equal(git(repo, 'show', `${kept.ref}:run.sh`), 'echo late');
    assert.equal(git(repo, 'show', `${kept.ref}:same.txt`), 'agent too', 'the rest is the parked tree');
    assert.equal(git(repo, 'rev-parse', `${kept.ref}^`), parked.commit);
    assert.match(git(repo, 'ls-tree', kept.ref, 'run.sh'), /^100755 /);
    assert.equal(readFileSync(path.join(worktree, 'app.ts'), 'utf8'), 'one\n', 'the worktree is at its base');
  });

  it('nothing is parked when no file changed after the park', async () => {
    const repo = createRepo({ files: { 'a.txt': 'a\n' } });
    const worktree = path.join(path.dirname(repo), 'wt');
    git(repo, 'worktree', 'add', '-q', '--detach', worktree);
    const base = git(worktree, 'rev-parse', 'HEAD');
    writeFileSync(path.join(worktree, 'a.txt'), 'agent\n');
    const scratch = tempDir('grove-late-');
    const parkedAt = Date.now();
    const { scratchIndex, tree } = await parkWorkKeepingIndex(worktree, 'wt', new Date(), scratch);
    rmSync(scratchIndex);
    const held = await holdFiles(worktree, tree, base, scratch);
    rmSync(path.join(worktree, 'a.txt'));
    writeFileSync(path.join(worktree, 'a.txt'), 'a\n');
    assert.deepEqual(await lateVersions(worktree, held, tree, parkedAt), []);
    await releaseHeld(held);
  });
});
