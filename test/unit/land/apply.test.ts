import { strict as assert } from 'node:assert';
import { chmodSync, readFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { land, isLandRefusal } from '../../../src/core/land';
import { cleanupTempDirs, git } from '../../helpers/tempRepo';
import { captureState, gitDirOf, landFixture, typicalAgent, write } from '../../helpers/landRepo';

const read = (root: string, file: string) => readFileSync(path.join(root, file), 'utf8');

describe('land --apply', () => {
  afterEach(cleanupTempDirs);

  it("brings the result's commits, changes and untracked files into the main worktree as uncommitted changes", async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    const head = git(repo, 'rev-parse', 'HEAD');
    const indexBefore = readFileSync(path.join(gitDirOf(repo), 'index'));
    const resultBefore = captureState(repo, [worktree]).split('\n== ')[1];
    const record = await land(source, { how: 'apply' });
    assert.equal(record.how, 'apply');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head, 'no commit made');
    assert.equal(read(repo, 'src/index.ts'), 'export const answer = 43;\n');
    assert.equal(read(repo, 'src/greet.ts'), 'export const hello = () => "hi";\n');
    assert.equal(read(repo, 'notes/agent.md'), 'untracked notes\n');
    assert.ok(readFileSync(path.join(gitDirOf(repo), 'index')).equals(indexBefore), 'the index is untouched: nothing staged for the person');
    assert.equal(git(repo, 'rev-parse', record.keptRef!), record.snapshot);
    assert.equal(captureState(repo, [worktree]).split('\n== ')[1], resultBefore, "the result's worktree is as it was");
  });

  it("keeps the person's own changes, staged and unstaged, including in the same file when they do not conflict", async () => {
    const { repo, source } = landFixture({ files: { 'doc.md': 'one\ntwo\nthree\nfour\nfive\nsix\nseven\n', 'x.txt': 'x\n' } }, (wt) => {
      write(wt, { 'doc.md': 'one\ntwo\nthree\nfour\nfive\nsix\nSEVEN (agent)\n' });
    });
    write(repo, { 'doc.md': 'ONE (mine)\ntwo\nthree\nfour\nfive\nsix\nseven\n', 'x.txt': 'x staged\n', 'mine.txt': 'untracked\n' });
    git(repo, 'add', 'x.txt');
    await land(source, { how: 'apply' });
    assert.equal(read(repo, 'doc.md'), 'ONE (mine)\ntwo\nthree\nfour\nfive\nsix\nSEVEN (agent)\n');
    assert.equal(git(repo, 'diff', '--cached', '--name-only'), 'x.txt', 'what was staged is still staged, and only that');
    assert.equal(read(repo, 'mine.txt'), 'untracked\n');
  });

  it('applies deletions, binary files and executable bits', async () => {
    const { repo, source } = landFixture({}, (wt) => {
      git(wt, 'rm', '-q', 'src/other.ts');
      writeFileSync(path.join(wt, 'blob.bin'), Buffer.from([0, 1, 2, 255, 254, 0, 10]));
      write(wt, { 'run.sh': '#!/bin/sh\necho hi\n' });
      chmodSync(path.join(wt, 'run.sh'), 0o755);
      git(wt, 'add', 'run.sh');
      git(wt, 'commit', '-q', '-m', 'x');
    });
    await land(source, { how: 'apply' });
    assert.ok(!existsSync(path.join(repo, 'src/other.ts')));
    assert.ok(readFileSync(path.join(repo, 'blob.bin')).equals(Buffer.from([0, 1, 2, 255, 254, 0, 10])));
    assert.ok(statSync(path.join(repo, 'run.sh')).mode & 0o100, 'executable');
  });

  it('lands onto a main branch that moved on since the base', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    write(repo, { 'src/other.ts': 'export const other = 9;\n' });
    git(repo, 'commit', '-q', '-am', 'main moves on');
    await land(source, { how: 'apply' });
    assert.equal(read(repo, 'src/other.ts'), 'export const other = 9;\n');
    assert.equal(read(repo, 'src/index.ts'), 'export const answer = 43;\n');
  });

  it("refuses (exit 4) when the person's changes conflict, naming the files; nothing touched", async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    write(repo, { 'src/index.ts': 'export const answer = 0; // mine\n', 'notes/agent.md': 'my notes\n', 'README.md': '# mine\n' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'apply' }), (error) => {
      assert.ok(isLandRefusal(error, 'conflict'), String(error));
      assert.equal(error.exitCode, 4);
      assert.deepEqual([...error.files].sort(), ['notes/agent.md', 'src/index.ts']);
      return true;
    });
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses when an ignored file sits where the result adds one, naming it; nothing touched', async () => {
    const { repo, worktree, source } = landFixture({ gitignore: '*.local\n' }, (wt) => {
      write(wt, { 'settings.local': 'agent\n' });
      git(wt, 'add', '-f', 'settings.local');
    });
    write(repo, { 'settings.local': 'mine, ignored\n' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'apply' }), (error) => isLandRefusal(error, 'local-changes') && error.files.includes('settings.local'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses when an ignored file sits where the result needs a folder (build/out.txt over an ignored file build)', async () => {
    const { repo, worktree, source } = landFixture({ gitignore: 'build\n' }, (wt) => {
      write(wt, { 'build/out.txt': 'agent\n' });
      git(wt, 'add', '-f', 'build/out.txt');
    });
    write(repo, { build: 'an ignored file of mine\n' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'apply' }), (error) => isLandRefusal(error, 'local-changes') && error.files.includes('build/out.txt'));
    assert.equal(captureState(repo, [repo, worktree]), before);
    await assert.rejects(land(source, { how: 'squash' }), (error) => isLandRefusal(error, 'local-changes') && error.files.includes('build/out.txt'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses a file edited between the preflight and the write, applying nothing', async () => {
    const { repo, source } = landFixture({}, typicalAgent);
    const guard = async () => write(repo, { 'src/index.ts': 'export const answer = 7; // typed just now\n' });
    await assert.rejects(land(source, { how: 'apply', guard }), (error) => isLandRefusal(error, 'local-changes') && /changed while landing/.test(error.message));
    assert.equal(read(repo, 'src/index.ts'), 'export const answer = 7; // typed just now\n');
    assert.ok(!existsSync(path.join(repo, 'src/greet.ts')), 'no file of the result was written');
    assert.ok(!existsSync(path.join(repo, 'notes/agent.md')));
    assert.equal(git(repo, 'for-each-ref', 'refs/grove/'), '');
  });

  it('refuses nothing-to-land twice: after applying, the same apply finds its changes already there', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    await land(source, { how: 'apply' });
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'apply' }), (error) => isLandRefusal(error, 'nothing-to-land'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });

  it('refuses a main worktree in the middle of a merge', async () => {
    const { repo, worktree, source } = landFixture({}, typicalAgent);
    writeFileSync(path.join(gitDirOf(repo), 'MERGE_HEAD'), `${source.baseCommit}\n`);
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'apply' }), (error) => isLandRefusal(error, 'operation-in-progress'));
    assert.equal(captureState(repo, [repo, worktree]), before);
  });
});
