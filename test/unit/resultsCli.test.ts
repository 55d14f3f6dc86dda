import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { ResultRecord } from '../../src/core/results';
import { doubleRecords } from '../helpers/claudeDouble';
import { flagValue } from '../helpers/engineHarness';
import { workingAgent } from '../helpers/resultsAgent';
import { cleanupTempDirs, createRepo, git, runCli, tempDir } from '../helpers/tempRepo';

const SESSION = '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11';

// runCli runs the bundled dist/cli.js: `node esbuild.mjs` first.
describe('grove results / result / diff / continue / discard / parked (the bundled CLI)', function () {
  this.timeout(120_000);
  afterEach(cleanupTempDirs);

  function setup() {
    const repo = createRepo();
    const recordDir = path.join(tempDir('grove-records-'), 'r');
    mkdirSync(recordDir);
    const env = { GROVE_AGENT_COMMAND: workingAgent(), GROVE_DOUBLE_RECORD_DIR: recordDir, GROVE_SLOTS: '2' };
    const cli = (args: string[], input?: string) => runCli(args, { cwd: repo, env, input });
    return { repo, recordDir, cli };
  }

  it('a run\'s result is listed, shown whole, diffed with untracked files, continued in its session, discarded and restored', async () => {
    const { repo, recordDir, cli } = setup();
    const run = await cli(['run', '--json', 'Add notes\n[add:notes.md] [edit:README.md]']);
    assert.equal(run.code, 0, run.stderr);
    const printed = JSON.parse(run.stdout) as { tasks: { id: string }[]; resultIds: string[] };
    const taskId = printed.tasks[0].id;

    const list = await cli(['results', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const [listed] = (JSON.parse(list.stdout) as { results: ResultRecord[] }).results;
    assert.equal(listed.taskId, taskId);
    assert.deepEqual(printed.resultIds, [listed.id]);
    const lines = await cli(['results']);
    assert.match(lines.stdout, new RegExp(`${listed.id} .*\\+3 −0 in 2 files  Add notes`));

    const shown = await cli(['result', taskId, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const record = JSON.parse(shown.stdout) as ResultRecord;
    assert.equal(record.id, listed.id);
    assert.equal(record.finalMessage, 'Done. Added `add` in src/add.ts.');
    assert.deepEqual(record.changes?.untracked, ['notes.md']);
    const human = await cli(['result', record.worktree!.name]);
    assert.match(human.stdout, /added {4}notes\.md {2}\+2 −0 {2}\(untracked\)/);

    const diff = await cli(['diff', record.id]);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /\+\+\+ b\/notes\.md\n@@ -0,0 \+1,2 @@\n\+one\n\+two/);
    assert.match(diff.stdout, /\+changed by the agent/);
    const stat = await cli(['diff', '--stat', record.id]);
    assert.match(stat.stdout, /2 files changed, 3 insertions\(\+\)/);
    // Diffing never touched the real index: notes.md is still untracked.
    assert.match(git(record.worktree!.path, 'status', '--porcelain'), /\?\? notes\.md/);

    const followUp = await cli(['continue', record.id, '-'], '-starts with a dash [edit:notes.md]');
    assert.equal(followUp.code, 0, followUp.stderr);
    const second = doubleRecords(recordDir).sort((a, b) => a.startedAt - b.startedAt)[1];
    assert.equal(flagValue(second.argv, '--resume'), SESSION);
    assert.equal(second.cwd, record.worktree!.path);
    assert.equal(second.stdin, '-starts with a dash [edit:notes.md]');
    const after = JSON.parse((await cli(['result', record.id, '--json'])).stdout) as ResultRecord;
    assert.equal(after.runs.length, 2);

    const discarded = await cli(['discard', record.id, '--json']);
    assert.equal(discarded.code, 0, discarded.stderr);
    const parkedRef = (JSON.parse(discarded.stdout) as ResultRecord).parkedRef!;
    assert.ok(parkedRef.startsWith('refs/grove/parked/'));
    assert.ok(!existsSync(path.join(record.worktree!.path, 'notes.md')));
    const parked = JSON.parse((await cli(['parked', '--json'])).stdout) as { parked: { ref: string; files: string[] }[] };
    assert.deepEqual(parked.parked.map((entry) => entry.ref), [parkedRef]);
    assert.deepEqual(parked.parked[0].files.sort(), ['README.md', 'notes.md']);
    const restored = await cli(['parked', 'restore', parkedRef]);
    assert.equal(restored.code, 0, restored.stderr);
    assert.equal(readFileSync(path.join(restored.stdout.trim(), 'notes.md'), 'utf8'), 'one\ntwo\nchanged by the agent\n');
    // A discarded result says where its work went.
    const gone = await cli(['diff', record.id]);
    assert.equal(gone.code, 4);
    assert.match(gone.stderr, new RegExp(`parked under ${parkedRef}`));
    const dropped = await cli(['parked', 'drop', parkedRef]);
    assert.equal(dropped.code, 0, dropped.stderr);
    assert.equal(git(repo, 'for-each-ref', 'refs/grove/parked/'), '');
  });

  it('a blocked run: grove result says the agent needs you and how to go on; grove continue --allow-denied re-runs it allowing exactly that', async () => {
    const { recordDir, cli } = setup();
    const run = await cli(['run', '--json', 'Run the tests [add:t.txt] [scenario:permission-denied]']);
    assert.notEqual(run.code, 0);
    const resultId = (JSON.parse(run.stdout) as { resultIds: string[] }).resultIds[0];
    const shown = await cli(['result', resultId]);
    assert.match(shown.stdout, /blocked: the agent needs you; it wanted Bash\(npm test\)/);
    assert.match(shown.stdout, new RegExp(`re-run allowing it: grove continue ${resultId} --allow-denied`));
    const wrong = await cli(['continue', resultId, '--allow-denied', '--only', 'Write']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /did not ask for Write\n.*It wanted: Bash\(npm test\)/s);
    const onlyAlone = await cli(['continue', resultId, 'go', '--only', 'Write']);
    assert.equal(onlyAlone.code, 2);
    assert.match(onlyAlone.stderr, /--only goes with --allow-denied/);
    const rerun = await cli(['continue', resultId, '--allow-denied']);
    assert.equal(rerun.code, 0, rerun.stderr);
    const runs = doubleRecords(recordDir).sort((a, b) => a.startedAt - b.startedAt);
    assert.equal(runs.length, 2, 'the refusals started nothing');
    assert.equal(flagValue(runs[1].argv, '--allowedTools'), 'Bash(npm test)');
    assert.equal(flagValue(runs[1].argv, '--resume'), SESSION);
    const after = JSON.parse((await cli(['result', resultId, '--json'])).stdout) as ResultRecord;
    assert.deepEqual(after.runs.map((r) => r.step), [null, 'allowing']);
    assert.doesNotMatch((await cli(['result', resultId])).stdout, /needs you/);
  });

  it('bad input: an unknown id exits 2 and says how to list them; a non-parked ref is refused', async () => {
    const { cli } = setup();
    for (const args of [['result', 'nope'], ['diff', 'nope'], ['discard', 'nope'], ['continue', 'nope', 'go']]) {
      const out = await cli(args);
      assert.equal(out.code, 2, `${args.join(' ')}: ${out.stderr}`);
      assert.match(out.stderr, /no result nope\n.*grove results/);
    }
    const empty = await cli(['continue', 'nope', '  ']);
    assert.equal(empty.code, 2);
    const drop = await cli(['parked', 'drop', 'refs/heads/main']);
    assert.equal(drop.code, 2);
    assert.match(drop.stderr, /no parked work .*grove parked/s);
    const none = await cli(['results', '--json']);
    assert.deepEqual(JSON.parse(none.stdout), { results: [] });
  });
});
