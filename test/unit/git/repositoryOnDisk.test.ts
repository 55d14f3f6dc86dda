import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateRepository } from '../../../src/core/git/repository';
import { findRepositoryOnDisk } from '../../../src/core/git/repositoryOnDisk';
import { cleanupTempDirs, createRepo, git, tempDir } from '../../helpers/tempRepo';

/** The file-system answer must be git's answer (locateRepository) whenever it gives one. */
async function assertAgreesWithGit(folder: string): Promise<void> {
  const onDisk = findRepositoryOnDisk(folder);
  assert.ok(onDisk, `no answer from the file system for ${folder}`);
  assert.deepEqual(onDisk, await locateRepository(folder));
}

/** Where git refuses, the file system gives no answer (the caller then asks git, which says why). */
async function assertLeftToGit(folder: string): Promise<void> {
  assert.equal(findRepositoryOnDisk(folder), null);
  await assert.rejects(locateRepository(folder));
}

describe('findRepositoryOnDisk', () => {
  afterEach(cleanupTempDirs);

  it('agrees with locateRepository from the main worktree and from a subfolder', async () => {
    const repo = createRepo();
    await assertAgreesWithGit(repo);
    await assertAgreesWithGit(path.join(repo, 'src'));
  });

  it('agrees from a linked worktree (its .git file and commondir) and its subfolder', async () => {
    const repo = createRepo();
    const linked = path.join(path.dirname(repo), 'linked');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', linked);
    await assertAgreesWithGit(linked);
    await assertAgreesWithGit(path.join(linked, 'src'));
    assert.equal(findRepositoryOnDisk(linked)?.mainWorktree, repo);
  });

  it('agrees inside a submodule (a relative gitdir file under .git/modules, core.worktree pointing back)', async () => {
    const library = createRepo({ files: { 'lib.ts': 'export {};\n' } });
    const repo = createRepo();
    git(repo, '-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', library, 'vendor/lib');
    git(repo, 'commit', '-q', '-m', 'add submodule');
    const submodule = path.join(repo, 'vendor', 'lib');
    await assertAgreesWithGit(submodule);
    assert.equal(findRepositoryOnDisk(submodule)?.commonDir, path.join(repo, '.git', 'modules', 'vendor', 'lib'));
  });

  it('agrees with a separate git dir, packed refs and a detached HEAD', async () => {
    const parent = tempDir();
    const repo = path.join(parent, 'work');
    git(parent, 'init', '-q', '-b', 'main', '--separate-git-dir', path.join(parent, 'store.git'), repo);
    writeFileSync(path.join(repo, 'a.txt'), 'a\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'initial');
    git(repo, 'pack-refs', '--all');
    await assertAgreesWithGit(repo);
    git(repo, 'checkout', '-q', '--detach');
    await assertAgreesWithGit(repo);
  });

  it('leaves to git a folder that is not a repository, a bare one, one with no commit, and the inside of .git', async () => {
    await assertLeftToGit(tempDir());
    const bare = tempDir();
    git(bare, 'init', '-q', '--bare');
    await assertLeftToGit(bare);
    await assertLeftToGit(createRepo({ noCommit: true }));
    await assertLeftToGit(path.join(createRepo(), '.git', 'refs'));
  });

  it('leaves to git a working tree whose config says bare, and a .git file that points nowhere readable', async () => {
    const repo = createRepo();
    git(repo, 'config', 'core.bare', 'true');
    await assertLeftToGit(path.join(repo, 'src'));
    const broken = tempDir();
    mkdirSync(path.join(broken, 'sub'));
    writeFileSync(path.join(broken, '.git'), 'not a pointer\n');
    await assertLeftToGit(path.join(broken, 'sub'));
  });
});
