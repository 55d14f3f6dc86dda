import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DefaultBaseCache } from '../../../src/core/git/defaultBaseCache';
import { locateRepository } from '../../../src/core/git/repository';
import { defaultBase } from '../../../src/core/git/worktreeState';
import { cleanupTempDirs, createRepo, git } from '../../helpers/tempRepo';
import { installCounters } from '../../../bench/counters';

function commit(repo: string, name: string): string {
  writeFileSync(path.join(repo, name), `${name}\n`);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', name);
  return git(repo, 'rev-parse', 'HEAD');
}

describe('DefaultBaseCache', () => {
  afterEach(cleanupTempDirs);

  it('gives what defaultBase gives, and follows every way the default branch moves', async () => {
    const repo = createRepo();
    const { mainWorktree, commonDir } = await locateRepository(repo);
    const cache = new DefaultBaseCache(mainWorktree, commonDir);
    const agrees = async (why: string) => assert.deepEqual(await cache.get(), await defaultBase(mainWorktree), why);
    await agrees('first look');
    await agrees('nothing changed');
    commit(repo, 'a.txt');
    await agrees('a commit on main (loose ref)');
    git(repo, 'pack-refs', '--all');
    await agrees('refs packed');
    commit(repo, 'b.txt');
    await agrees('a commit after packing');
    git(repo, 'pack-refs', '--all');
    git(repo, 'update-ref', 'refs/heads/main', 'HEAD~1');
    await agrees('main moved inside packed-refs only');
    git(repo, 'branch', '-q', 'trunk', 'HEAD~1');
    git(repo, 'update-ref', 'refs/remotes/origin/trunk', 'HEAD');
    git(repo, 'symbolic-ref', 'refs/remotes/origin/HEAD', 'refs/remotes/origin/trunk');
    await agrees("origin's HEAD names a branch with a local copy");
    assert.equal((await cache.get()).ref, 'refs/heads/trunk');
    git(repo, 'branch', '-q', '-f', 'trunk', 'main');
    await agrees('that local branch moved');
    git(repo, 'branch', '-q', '-D', 'trunk');
    await agrees('the local branch is gone: origin\'s own ref');
    git(repo, 'update-ref', 'refs/remotes/origin/trunk', 'main');
    await agrees('origin\'s ref moved');
  });

  it('runs git once while nothing changes', async () => {
    const repo = createRepo();
    const { mainWorktree, commonDir } = await locateRepository(repo);
    const cache = new DefaultBaseCache(mainWorktree, commonDir);
    const counter = await installCounters();
    try {
      const first = await cache.get();
      for (let i = 0; i < 5; i++) assert.deepEqual(await cache.get(), first);
      assert.equal(counter.read().git, 1);
    } finally {
      counter.uninstall();
    }
  });
});
