import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { locateRepository } from '../../src/core/git/repository';
import { isGroveError } from '../../src/core/errors';
import { cleanupTempDirs, createRepo, git, tempDir } from '../helpers/tempRepo';

describe('locateRepository', () => {
  afterEach(cleanupTempDirs);

  it('finds the common dir and the grove folder from the main worktree and from a linked one', async () => {
    const repo = createRepo();
    const fromMain = await locateRepository(repo);
    assert.equal(fromMain.mainWorktree, repo);
    assert.equal(fromMain.groveDir, path.join(repo, '.git', 'grove'));
    const linked = path.join(path.dirname(repo), 'linked');
    git(repo, 'worktree', 'add', '-q', '--detach', linked);
    const fromLinked = await locateRepository(path.join(linked, 'src'));
    assert.deepEqual(fromLinked, fromMain);
  });

  const refusals: Array<[string, () => string, RegExp]> = [
    ['a folder that is not a repository', () => tempDir(), /is not a git repository/],
    ['a bare repository', () => { const dir = tempDir(); git(dir, 'init', '-q', '--bare'); return dir; }, /bare repository/],
    ['a repository with no commit', () => createRepo({ noCommit: true }), /no commit yet/],
    ['a folder that does not exist', () => path.join(tempDir(), 'missing'), /does not exist/],
  ];
  for (const [what, make, message] of refusals) {
    it(`refuses ${what} with a usage error that says what to do`, async () => {
      await assert.rejects(locateRepository(make()), (error: unknown) => {
        assert.ok(isGroveError(error, 'usage'), String(error));
        assert.match(error.message, message);
        assert.ok(error.hint && error.hint.length > 0);
        return true;
      });
    });
  }
});
