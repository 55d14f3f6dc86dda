import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { land, isLandRefusal } from '../../../src/core/land';
import { compareUrl } from '../../../src/core/land/gh';
import { cleanupTempDirs, git, tempDir } from '../../helpers/tempRepo';
import { captureState, landFixture, typicalAgent } from '../../helpers/landRepo';

const GH_DOUBLE_DIR = path.resolve(__dirname, '../../fixtures/gh-double');
/** PATH without any real gh, so "gh missing" is true wherever the tests run. */
const basePath = (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir && !existsSync(path.join(dir, 'gh'))).join(path.delimiter);

function withRemote() {
  const fixture = landFixture({}, typicalAgent);
  const remote = path.join(tempDir(), 'remote.git');
  git(path.dirname(remote), 'init', '-q', '--bare', remote);
  git(fixture.repo, 'remote', 'add', 'origin', remote);
  git(fixture.repo, 'push', '-q', 'origin', 'main');
  return { ...fixture, remote };
}

describe('land --push', () => {
  afterEach(cleanupTempDirs);

  it('pushes the branch and opens a pull request with gh when it is logged in', async () => {
    const { repo, remote, source } = withRemote();
    const log = path.join(tempDir(), 'gh.jsonl');
    const env = { ...process.env, PATH: `${GH_DOUBLE_DIR}${path.delimiter}${basePath}`, GH_DOUBLE_LOG: log };
    const record = await land(source, { how: 'push', env });
    assert.equal(record.branch, 'refs/heads/grove/add-a-greeting-module');
    assert.equal(record.remote, 'origin');
    assert.equal(git(remote, 'rev-parse', 'grove/add-a-greeting-module'), record.commit, 'the bare remote has the branch');
    assert.equal(git(remote, 'show', 'grove/add-a-greeting-module:src/index.ts'), 'export const answer = 43;');
    assert.equal(record.pullRequestUrl, 'https://github.example/acme/repo/pull/7');
    assert.equal(record.nextStep, undefined);
    const calls = readFileSync(log, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { args: string[]; stdin: string; cwd: string });
    assert.deepEqual(calls[0].args, ['auth', 'status']);
    assert.deepEqual(calls[1].args, ['pr', 'create', '--head', 'grove/add-a-greeting-module', '--title', 'Add a greeting module', '--body-file', '-', '--base', 'main']);
    assert.match(calls[1].stdin, /Added src\/greet\.ts with hello\(\)\./);
    assert.equal(calls[1].cwd, repo);
    assert.equal(git(repo, 'config', 'branch.grove/add-a-greeting-module.remote'), 'origin', 'upstream set');
  });

  it('pushes the branch an earlier --branch made for this result instead of making another', async () => {
    const { remote, source } = withRemote();
    const branch = await land(source, { how: 'branch' });
    const pushed = await land(source, { how: 'push', env: { ...process.env, PATH: basePath } });
    assert.equal(pushed.branch, branch.branch);
    assert.equal(git(remote, 'rev-parse', 'grove/add-a-greeting-module'), branch.commit);
  });

  it('says what to do next when gh is missing or not logged in, or when gh pr create fails', async () => {
    const { source } = withRemote();
    const missing = await land(source, { how: 'push', branch: 'a', env: { ...process.env, PATH: basePath } });
    assert.equal(missing.pullRequestUrl, undefined);
    assert.match(missing.nextStep ?? '', /install the GitHub CLI.*gh pr create --head a --base main/);
    const loggedOut = await land(source, { how: 'push', branch: 'b', env: { ...process.env, PATH: `${GH_DOUBLE_DIR}${path.delimiter}${basePath}`, GH_DOUBLE_AUTH: 'fail' } });
    assert.match(loggedOut.nextStep ?? '', /gh auth login/);
    const failed = await land(source, { how: 'push', branch: 'c', env: { ...process.env, PATH: `${GH_DOUBLE_DIR}${path.delimiter}${basePath}`, GH_DOUBLE_CREATE: 'fail' } });
    assert.match(failed.nextStep ?? '', /gh pr create failed \(pull request create failed/);
  });

  it('links GitHub\'s compare page in the next step when the remote is on GitHub', async () => {
    const { repo, remote, source } = withRemote();
    git(repo, 'remote', 'set-url', 'origin', 'git@github.com:acme/widgets.git');
    git(repo, 'remote', 'set-url', '--push', 'origin', remote);
    const record = await land(source, { how: 'push', env: { ...process.env, PATH: basePath } });
    assert.match(record.nextStep ?? '', /open https:\/\/github\.com\/acme\/widgets\/compare\/main\.\.\.grove\/add-a-greeting-module\?expand=1/);
    assert.equal(compareUrl('https://github.com/acme/widgets.git', 'x'), 'https://github.com/acme/widgets/compare/x?expand=1');
    assert.equal(compareUrl('/srv/git/widgets.git', 'x'), null);
  });

  it('takes --remote and --into for the pull request base', async () => {
    const { repo, source, remote } = withRemote();
    git(repo, 'remote', 'add', 'fork', remote);
    git(repo, 'branch', 'develop');
    const log = path.join(tempDir(), 'gh.jsonl');
    const record = await land(source, { how: 'push', remote: 'fork', into: 'develop', env: { ...process.env, PATH: `${GH_DOUBLE_DIR}${path.delimiter}${basePath}`, GH_DOUBLE_LOG: log } });
    assert.equal(record.remote, 'fork');
    assert.match(readFileSync(log, 'utf8'), /"--base","develop"/);
  });

  it('refuses an unknown remote and a repository with no remote, changing nothing', async () => {
    const { repo, worktree, source } = withRemote();
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'push', remote: 'nope' }), (error) => isLandRefusal(error, 'no-remote') && /no remote "nope"/.test(error.message));
    git(repo, 'remote', 'remove', 'origin');
    const noRemote = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'push' }), (error) => isLandRefusal(error, 'no-remote') && /git remote add/.test(error.hint ?? ''));
    assert.equal(captureState(repo, [repo, worktree]), noRemote);
    assert.notEqual(before, noRemote);
  });

  it('takes the local branch back when the push is rejected, so nothing changed', async () => {
    const { repo, worktree, remote, source } = withRemote();
    // The remote already has a different grove/add-a-greeting-module: a non-fast-forward push is rejected.
    git(remote, 'branch', 'grove/add-a-greeting-module', 'main');
    git(remote, 'update-ref', 'refs/heads/grove/add-a-greeting-module', git(remote, 'commit-tree', '-m', 'theirs', 'main^{tree}'));
    const before = captureState(repo, [repo, worktree]);
    await assert.rejects(land(source, { how: 'push', env: { ...process.env, PATH: basePath } }), (error) => {
      assert.ok(isLandRefusal(error, 'push-failed'), String(error));
      assert.match(error.message, /rejected|fetch first|non-fast-forward/);
      return true;
    });
    assert.equal(captureState(repo, [repo, worktree]), before);
    assert.ok(!existsSync(path.join(repo, '.git/refs/heads/grove/add-a-greeting-module')));
  });
});
