import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ResultRecord } from '../../src/core/results';
import { workingAgent } from '../helpers/resultsAgent';
import { cleanupTempDirs, createRepo, git, runCli, tempDir } from '../helpers/tempRepo';

interface Landed { result: ResultRecord; landed: { how: string; commit?: string; branch?: string; target?: string; snapshot: string; nextStep?: string }; worktree: { name: string; returned: boolean; parkedRef: string | null } }

// runCli runs the bundled dist/cli.js: `node esbuild.mjs` first.
describe('grove land <id>: results landed end to end from a real grove run (the bundled CLI, real git, the claude double)', function () {
  this.timeout(180_000);
  afterEach(cleanupTempDirs);

  function setup(extraEnv: NodeJS.ProcessEnv = {}) {
    const repo = createRepo({ gitignore: 'node_modules/\n' });
    const env = { GROVE_AGENT_COMMAND: workingAgent(), GROVE_SLOTS: '2', PATH: process.env.PATH, ...extraEnv };
    const cli = (args: string[], input?: string) => runCli(args, { cwd: repo, env, input });
    return { repo, cli };
  }

  /** A run that leaves work; its worktree gets a warm node_modules, as an install would leave it. */
  async function runOne(cli: (args: string[]) => ReturnType<typeof runCli>, prompt: string): Promise<ResultRecord> {
    const run = await cli(['run', '--json', prompt]);
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const [id] = (JSON.parse(run.stdout) as { resultIds: string[] }).resultIds;
    const record = JSON.parse((await cli(['result', id, '--json'])).stdout) as ResultRecord;
    assert.ok(record.worktree, 'the run left work in a leased worktree');
    mkdirSync(path.join(record.worktree.path, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(path.join(record.worktree.path, 'node_modules', 'dep', 'index.js'), 'module.exports = 1;\n');
    return record;
  }

  async function poolEntry(cli: (args: string[]) => ReturnType<typeof runCli>, name: string) {
    const status = await cli(['status', '--json']);
    const parsed = JSON.parse(status.stdout) as { name: string; state: string; holder: string | null }[];
    return parsed.find((entry) => entry.name === name);
  }

  it('--squash into the checked-out main: one commit there, recorded on the result, the worktree back warm; landing twice is refused saying where', async () => {
    const { repo, cli } = setup();
    const record = await runOne(cli, 'Add notes\n[add:notes.md] [edit:README.md] [commit]');
    const before = git(repo, 'rev-parse', 'HEAD');
    const out = await cli(['land', record.id, '--squash', '--json']);
    assert.equal(out.code, 0, out.stderr);
    // The worktree went back with nothing left to park: no word about a parked copy that was dropped.
    assert.doesNotMatch(out.stderr, /parked/);
    const landed = JSON.parse(out.stdout) as Landed;
    assert.equal(git(repo, 'rev-parse', 'HEAD^'), before);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), landed.landed.commit);
    assert.match(git(repo, 'log', '-1', '--format=%s'), /^Add notes/);
    assert.equal(readFileSync(path.join(repo, 'notes.md'), 'utf8'), 'one\ntwo\n');
    assert.equal(git(repo, 'status', '--porcelain'), '');
    // Recorded, persisted: how and where.
    const shown = JSON.parse((await cli(['result', record.id, '--json'])).stdout) as ResultRecord;
    assert.equal(shown.review, 'landed');
    assert.equal(shown.landed?.how, 'squash');
    assert.equal(shown.landed?.target, 'refs/heads/main');
    assert.equal(shown.landed?.commit, landed.landed.commit);
    assert.equal(shown.worktree, null);
    // The worktree is back in the pool at base, with its ignored files, and no parked ref for work that landed.
    assert.deepEqual(landed.worktree, { name: record.worktree!.name, path: record.worktree!.path, returned: true, parkedRef: null, problem: null });
    assert.equal((await poolEntry(cli, record.worktree!.name))?.state, 'available');
    assert.equal(git(record.worktree!.path, 'rev-parse', 'HEAD'), record.baseCommit);
    assert.ok(!existsSync(path.join(record.worktree!.path, 'notes.md')));
    assert.ok(existsSync(path.join(record.worktree!.path, 'node_modules', 'dep', 'index.js')));
    assert.equal(git(repo, 'for-each-ref', 'refs/grove/parked/'), '');
    // The agent's own commit stays reachable.
    const agentCommit = shown.changes!.commits[0].sha;
    assert.match(git(repo, 'for-each-ref', '--contains', agentCommit, '--format=%(refname)'), /refs\/grove\/landed\//);

    const again = await cli(['land', record.id, '--branch']);
    assert.equal(again.code, 4, again.stderr);
    assert.match(again.stderr, new RegExp(`${record.id} was landed already: squash into main at ${landed.landed.commit!.slice(0, 12)}`));
  });

  it('--apply, --branch NAME, --merge --into a branch not checked out, --push to a bare remote, each end to end', async () => {
    const { repo, cli } = setup();
    git(repo, 'branch', 'release');
    const remote = path.join(tempDir('grove-remote-'), 'origin.git');
    git(path.dirname(remote), 'init', '-q', '--bare', remote);
    git(repo, 'remote', 'add', 'origin', remote);

    const applied = await runOne(cli, 'Apply me [add:applied.md]');
    const apply = await cli(['land', applied.id, '--apply']);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(git(repo, 'status', '--porcelain'), /applied\.md/);
    assert.match(apply.stderr, /applied to the main worktree/);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'took the applied work');

    const branched = await runOne(cli, 'Branch me [edit:README.md]');
    const branch = await cli(['land', branched.id, '--branch', 'topic/readme', '--json']);
    assert.equal(branch.code, 0, branch.stderr);
    const viaBranch = JSON.parse(branch.stdout) as Landed;
    assert.equal(git(repo, 'rev-parse', 'refs/heads/topic/readme'), viaBranch.landed.commit);
    assert.match(git(repo, 'show', 'topic/readme:README.md'), /changed by the agent/);

    const merged = await runOne(cli, 'Merge me [edit:src/index.ts] [commit]');
    const merge = await cli(['land', merged.id, '--merge', '--into', 'release', '--json']);
    assert.equal(merge.code, 0, merge.stderr);
    const viaMerge = JSON.parse(merge.stdout) as Landed;
    assert.equal(git(repo, 'rev-parse', 'refs/heads/release'), viaMerge.landed.commit);
    assert.match(git(repo, 'show', 'release:src/index.ts'), /changed by the agent/);

    const pushed = await runOne(cli, 'Push me [add:pushed.md]');
    // No gh on PATH: the branch is pushed and the next step printed.
    const push = await cli(['land', pushed.id, '--push', '--json']);
    assert.equal(push.code, 0, push.stderr);
    const viaPush = JSON.parse(push.stdout) as Landed;
    assert.equal(git(remote, 'rev-parse', viaPush.landed.branch!), viaPush.landed.commit);
    assert.ok(viaPush.landed.nextStep);

    for (const record of [applied, branched, merged, pushed]) {
      assert.equal((await poolEntry(cli, record.worktree!.name))?.state, 'available', record.title);
      assert.ok(existsSync(path.join(record.worktree!.path, 'node_modules', 'dep', 'index.js')), record.title);
    }
  });

  it('a conflict is refused (exit 4) naming the files, nothing changed; --keep keeps the worktree; bad input exits 2', async () => {
    const { repo, cli } = setup();
    const record = await runOne(cli, 'Edit the readme [edit:README.md]');
    writeFileSync(path.join(repo, 'README.md'), '# main moved on\n');
    git(repo, 'commit', '-q', '-am', 'main edits the readme');
    const head = git(repo, 'rev-parse', 'HEAD');
    const conflict = await cli(['land', record.id, '--squash']);
    assert.equal(conflict.code, 4, conflict.stderr);
    assert.match(conflict.stderr, /README\.md/);
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
    assert.equal(git(repo, 'status', '--porcelain'), '');
    const after = JSON.parse((await cli(['result', record.id, '--json'])).stdout) as ResultRecord;
    assert.equal(after.review, 'awaiting');
    assert.equal((await poolEntry(cli, record.worktree!.name))?.state !== 'available', true);
    assert.match(readFileSync(path.join(record.worktree!.path, 'README.md'), 'utf8'), /changed by the agent/);

    assert.equal((await cli(['land', record.id])).code, 2);
    assert.equal((await cli(['land', record.id, '--squash', '--branch'])).code, 2);
    assert.equal((await cli(['land', record.id, '--squash', '--into', 'no-such'])).code, 2);
    assert.equal((await cli(['land', record.id, '--branch', 'has space'])).code, 2);
    assert.equal((await cli(['land', 'no-such-result', '--squash'])).code, 2);

    const kept = await cli(['land', record.id, '--branch', '--keep', '--json']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal((JSON.parse(kept.stdout) as Landed).worktree.returned, false);
    assert.equal((await poolEntry(cli, record.worktree!.name))?.holder, record.worktree!.holder);
  });

  it('refuses a result whose agent is still running (a follow-up in progress), and one with nothing to land, offering discard', async () => {
    const gate = path.join(tempDir('grove-gate-'), 'open');
    const { repo, cli } = setup({ GROVE_DOUBLE_GATE_FILE: gate });
    writeFileSync(gate, '');
    const record = await runOne(cli, 'Work [add:work.md]');
    rmSync(gate);
    const followUp = cli(['continue', record.id, 'more [edit:work.md]']);
    const deadline = Date.now() + 60_000;
    while (!/"reservedBy": "/.test((await cli(['status', '--json'])).stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    const refused = await cli(['land', record.id, '--squash']);
    writeFileSync(gate, '');
    assert.equal((await followUp).code, 0);
    assert.equal(refused.code, 4, refused.stderr);
    assert.match(refused.stderr, /still running/);
    assert.equal(git(repo, 'log', '--format=%s'), 'initial');
    assert.equal((JSON.parse((await cli(['result', record.id, '--json'])).stdout) as ResultRecord).review, 'awaiting');

    const run = await cli(['run', '--json', 'Say hello and change nothing']);
    assert.equal(run.code, 0, run.stderr);
    const [empty] = (JSON.parse(run.stdout) as { resultIds: string[] }).resultIds;
    const nothing = await cli(['land', empty, '--branch']);
    assert.equal(nothing.code, 2, nothing.stderr);
    assert.match(nothing.stderr, new RegExp(`nothing to land[^]*grove discard ${empty}`));
  });
});
