import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { land, isLandRefusal, type LandSource } from '../../../src/core/land';
import { cleanupTempDirs, git, tempDir } from '../../helpers/tempRepo';
import { captureState, gitDirOf, landFixture, typicalAgent, write } from '../../helpers/landRepo';

const RUNNER = path.resolve(__dirname, '../../helpers/landRunner.ts');
const STEPS = ['start', 'snapshot', 'preflight', 'commit', 'moved'];

interface Killed { steps: string[]; exitedOnItsOwn: boolean }

/**
 * Starts a land in its own process group, SIGKILLs the land process (not its children: a git it
 * started finishes, as when an editor host dies) either when it reaches `atStep` or after
 * `afterMs`, then waits until every process of the group is gone.
 */
async function killLand(source: LandSource, options: object, kill: { atStep?: string; afterMs?: number }, pauseMs: number): Promise<Killed & { startedAt: number }> {
  const stepsFile = path.join(tempDir(), 'steps');
  const child = spawn(process.execPath, ['--import', 'tsx', RUNNER, JSON.stringify({ source, options })], {
    detached: true, stdio: 'ignore',
    env: { ...process.env, GROVE_LAND_TEST_STEPS: stepsFile, GROVE_LAND_TEST_PAUSE_MS: String(pauseMs) },
  });
  let exited = false;
  const done = new Promise<void>((resolve) => child.on('exit', () => { exited = true; resolve(); }));
  const readSteps = () => (existsSync(stepsFile) ? readFileSync(stepsFile, 'utf8').split('\n').filter(Boolean) : []);
  // Timed kills count from the land's first step, not from process start-up (tsx takes most of that).
  while (!exited && !readSteps().includes(kill.atStep ?? 'start')) await sleep(2);
  const startedAt = Date.now();
  if (!kill.atStep) await Promise.race([sleep(kill.afterMs ?? 0), done]);
  const exitedOnItsOwn = exited;
  if (!exited) process.kill(child.pid!, 'SIGKILL');
  await done;
  for (let waited = 0; groupAlive(child.pid!); waited += 20) {
    if (waited > 20_000) throw new Error('the land\'s git children did not finish');
    await sleep(20);
  }
  return { steps: readSteps(), exitedOnItsOwn, startedAt };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Mostly in the second half of a land, where its changes are made; some after it ended. */
function killMoment(duration: number): number {
  return Math.floor(duration * (0.2 + Math.random()));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** No checkout may be left mid-operation or locked. */
function assertNoLeftovers(worktrees: string[]): void {
  for (const worktree of worktrees) {
    const gitDir = gitDirOf(worktree);
    for (const marker of ['index.lock', 'MERGE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD']) {
      assert.ok(!existsSync(path.join(gitDir, marker)), `${marker} left in ${worktree}`);
    }
  }
  const common = gitDirOf(worktrees[0]);
  const locks = readdirSync(path.join(common, 'refs/heads'), { recursive: true }).map(String).filter((name) => name.endsWith('.lock'));
  assert.deepEqual(locks, [], 'no ref lock left');
}

describe('land: SIGKILL at any moment leaves the old state or the new one', function () {
  this.timeout(600_000);
  afterEach(cleanupTempDirs);

  for (const into of ['release', 'main'] as const) {
    const where = into === 'main' ? 'the checked-out main branch (with unrelated changes)' : 'a branch no worktree has checked out';

    const setUp = () => {
      const fixture = landFixture({}, typicalAgent);
      if (into === 'release') git(fixture.repo, 'branch', 'release');
      write(fixture.repo, { 'README.md': '# the person\'s own edit\n', 'scratch.txt': 'theirs\n' });
      const oldTip = git(fixture.repo, 'rev-parse', into);
      const resultState = captureState(fixture.repo, [fixture.worktree]).split('\n== ')[1];
      return { ...fixture, oldTip, resultState };
    };

    /** The target is at the old tip with nothing changed, or at one new squash commit with everything in place. */
    const assertOldOrNew = async (fixture: ReturnType<typeof setUp>, label: string): Promise<'old' | 'new'> => {
      const { repo, worktree, oldTip, source } = fixture;
      assertNoLeftovers([repo, worktree]);
      assert.equal(captureState(repo, [worktree]).split('\n== ')[1], fixture.resultState, `${label}: the result's worktree is untouched`);
      const tip = git(repo, 'rev-parse', into);
      const state = tip === oldTip ? 'old' : 'new';
      if (state === 'new') {
        assert.equal(git(repo, 'rev-parse', `${tip}^@`), oldTip, `${label}: one commit on the old tip`);
        assert.equal(git(repo, 'show', `${tip}:src/index.ts`), 'export const answer = 43;');
      }
      if (into === 'main') {
        assert.equal(git(repo, 'rev-parse', 'HEAD'), tip);
        assert.equal(git(repo, 'diff', 'HEAD', '--name-only'), 'README.md', `${label}: the checkout matches its HEAD, except the person's own edit`);
        assert.equal(git(repo, 'ls-files', '--others', '--exclude-standard'), 'scratch.txt');
      } else {
        assert.equal(git(repo, 'rev-parse', 'HEAD'), oldTip, `${label}: main is not touched`);
        assert.equal(git(repo, 'diff', 'HEAD', '--name-only'), 'README.md');
      }
      // Whatever state it is in, the repository works: landing again lands or finds it landed.
      await land(source, { how: 'squash', into }).then(
        () => assert.equal(state, 'old', `${label}: landed again after a land that had already landed`),
        (error) => assert.ok(state === 'new' && isLandRefusal(error, 'nothing-to-land'), `${label}: ${String(error)}`),
      );
      return state;
    };

    it(`into ${where}: killed at each step boundary`, async () => {
      for (const step of STEPS) {
        const fixture = setUp();
        const killed = await killLand(fixture.source, { how: 'squash', into }, { atStep: step }, 400);
        assert.ok(killed.steps.includes(step), `reached ${step}`);
        const state = await assertOldOrNew(fixture, `killed at ${step}`);
        assert.equal(state, step === 'moved' ? 'new' : 'old', `killed at ${step}`);
      }
    });

    it(`into ${where}: killed at random moments, many rounds`, async () => {
      // How long a land takes here (from its first step to its exit), so the kills spread over all of it.
      const timing = setUp();
      const whole = await killLand(timing.source, { how: 'squash', into }, { afterMs: 60_000 }, 0);
      assert.ok(whole.exitedOnItsOwn && whole.steps.includes('moved'), 'an unkilled land lands');
      const duration = Date.now() - whole.startedAt;
      const seen = { old: 0, new: 0 };
      for (let round = 0; round < 16; round++) {
        const fixture = setUp();
        const afterMs = killMoment(duration);
        const killed = await killLand(fixture.source, { how: 'squash', into }, { afterMs }, 0);
        seen[await assertOldOrNew(fixture, `round ${round}, killed after ${afterMs} ms${killed.exitedOnItsOwn ? ' (had finished)' : ` at ${killed.steps.at(-1) ?? 'start-up'}`}`)]++;
      }
      console.log(`      ${where}: a land takes ${duration} ms; ${seen.old} rounds left the old state, ${seen.new} the new one`);
    });
  }
});

/** The main worktree's files (relative path, mode, content hash): comparable across fixtures. */
function mainFiles(repo: string): string {
  return captureState(repo, [repo]).split('\n== ')[1].split('\n').filter((line) => !/^(HEAD|index|marker) /.test(line)).slice(1).join('\n');
}

describe('land: SIGKILL during apply, merge and branch', function () {
  this.timeout(600_000);
  afterEach(cleanupTempDirs);

  const setUp = () => {
    const fixture = landFixture({}, typicalAgent);
    write(fixture.repo, { 'README.md': '# the person\'s own edit\n' });
    return { ...fixture, oldMain: git(fixture.repo, 'rev-parse', 'main'), filesBefore: mainFiles(fixture.repo), resultState: captureState(fixture.repo, [fixture.worktree]).split('\n== ')[1] };
  };

  for (const how of ['apply', 'merge', 'branch'] as const) {
    it(`${how}: killed at random moments leaves the old state or the new one`, async () => {
      // A land nobody kills, for the duration and for what "new" looks like.
      const reference = setUp();
      const whole = await killLand(reference.source, { how }, { afterMs: 60_000 }, 0);
      assert.ok(whole.exitedOnItsOwn);
      const duration = Date.now() - whole.startedAt;
      const filesAfter = mainFiles(reference.repo);
      const seen = { old: 0, new: 0 };
      for (let round = 0; round < 10; round++) {
        const fixture = setUp();
        const afterMs = killMoment(duration);
        await killLand(fixture.source, { how }, { afterMs }, 0);
        const label = `${how}, round ${round}, killed after ${afterMs} ms`;
        assertNoLeftovers([fixture.repo, fixture.worktree]);
        assert.equal(captureState(fixture.repo, [fixture.worktree]).split('\n== ')[1], fixture.resultState, `${label}: the result's worktree is untouched`);
        let state: 'old' | 'new';
        if (how === 'apply') {
          const files = mainFiles(fixture.repo);
          assert.ok(files === fixture.filesBefore || files === filesAfter, `${label}: main worktree files are all before or all after`);
          state = files === fixture.filesBefore ? 'old' : 'new';
          assert.equal(git(fixture.repo, 'rev-parse', 'main'), fixture.oldMain);
        } else if (how === 'merge') {
          const tip = git(fixture.repo, 'rev-parse', 'main');
          state = tip === fixture.oldMain ? 'old' : 'new';
          if (state === 'new') assert.equal(git(fixture.repo, 'rev-parse', `${tip}^1`), fixture.oldMain, label);
          assert.equal(git(fixture.repo, 'diff', 'HEAD', '--name-only'), 'README.md', `${label}: checkout matches HEAD but for the person's edit`);
        } else {
          const branches = git(fixture.repo, 'for-each-ref', '--format=%(refname)', 'refs/heads/grove/');
          state = branches === '' ? 'old' : 'new';
          if (state === 'new') assert.equal(branches, 'refs/heads/grove/add-a-greeting-module', label);
          assert.equal(mainFiles(fixture.repo), fixture.filesBefore, `${label}: no checkout touched`);
        }
        seen[state]++;
      }
      console.log(`      ${how}: a land takes ${duration} ms; ${seen.old} rounds left the old state, ${seen.new} the new one`);
    });
  }
});
