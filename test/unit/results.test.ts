import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { parseChain } from '../../src/core/engine/chains/parse';
import type { LandSource } from '../../src/core/land/types';
import { ORPHAN_GRACE_MS, ResultStore, resultsDir } from '../../src/core/results';
import { RunRegistry } from '../../src/core/agents/runRegistry';
import { writeFileSync } from 'node:fs';
import { DOUBLE } from '../helpers/claudeDouble';
import { closeHarnesses, flagValue, harness, readRecords, runRecorded, type Harness } from '../helpers/engineHarness';
import { workingAgent } from '../helpers/resultsAgent';
import { git } from '../helpers/tempRepo';

const SESSION = '22795ca6-5f0e-4c1b-9a57-3d2f6f0d8e11';
const FINAL = 'Done. Added `add` in src/add.ts.';

describe('results: recorded when work ends (real pool, real git, the claude double)', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(closeHarnesses);

  const runOne = (prompt: string) => runRecorded(h, prompt);

  it('records a task: prompt, final message, run details, base commit, and every kind of change', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const base = git(h.repo, 'rev-parse', 'HEAD');
    const { task, record } = await runOne('Fix the thing\nmore words [mv:src/index.ts:src/main.ts] [edit:README.md] [commit] [add:docs/new.md] [edit:src/main.ts]');
    assert.equal(task.status, 'succeeded', task.error ?? '');
    assert.equal(record.title, 'Fix the thing');
    assert.equal(record.status, 'succeeded');
    assert.equal(record.finalMessage, FINAL);
    assert.equal(record.baseCommit, base);
    assert.equal(record.review, 'awaiting');
    assert.equal(record.worktree?.name, task.leftWork?.name);
    assert.equal(record.worktree?.leaseId, task.leftWork?.leaseId);
    assert.equal(record.runs.length, 1);
    assert.equal(record.runs[0].sessionId, SESSION);
    assert.equal(record.runs[0].model, 'claude-sonnet-4-5');
    assert.ok(record.runs[0].numTurns !== null && record.runs[0].costMicros > 0);
    const files = Object.fromEntries(record.changes!.files.map((file) => [file.path, file]));
    assert.deepEqual(Object.keys(files).sort(), ['README.md', 'docs/new.md', 'src/main.ts']);
    assert.equal(files['README.md'].kind, 'modified');
    assert.equal(files['README.md'].added, 1);
    assert.equal(files['src/main.ts'].kind, 'renamed');
    assert.equal(files['src/main.ts'].oldPath, 'src/index.ts');
    assert.equal(files['docs/new.md'].kind, 'added');
    assert.equal(files['docs/new.md'].untracked, true);
    assert.equal(files['docs/new.md'].added, 2);
    assert.deepEqual(record.changes!.untracked, ['docs/new.md']);
    assert.deepEqual(record.changes!.commits.map((commit) => commit.subject), ['agent commit']);
    assert.equal(record.changes!.added, 4);
    // Persisted where another process (the editor, another CLI) reads it.
    const onDisk = JSON.parse(readFileSync(path.join(resultsDir(h.groveDir), `${record.id}.json`), 'utf8'));
    assert.equal(onDisk.id, record.id);
    // Found by result id, task id and worktree name alike.
    assert.equal((await h.opened.results.service.find(record.id)).id, record.id);
    assert.equal((await h.opened.results.service.find(record.worktree!.name)).id, record.id);
    const source: LandSource = h.opened.results.service.landSource(record); // typed: landing takes it as is
    assert.deepEqual([source.worktreePath, source.baseCommit, source.title, source.holderLeaseId, source.repoRoot], [record.worktree!.path, base, 'Fix the thing', record.worktree!.leaseId, h.repo]);
  });

  it('records a deleted file, and a task that left nothing with its worktree given back', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Remove it [delete:src/index.ts]');
    assert.deepEqual(record.changes!.files.map((file) => [file.path, file.kind, file.removed]), [['src/index.ts', 'deleted', 1]]);
    const { record: empty } = await runOne('Just look around');
    assert.equal(empty.worktree, null);
    assert.deepEqual(empty.changes?.files, []);
    await assert.rejects(h.opened.results.service.diff(empty), /left no work/);
  });

  it('groups a fan-out into one group of N variants', async () => {
    h = await harness({ slots: 3, agentCommand: workingAgent() });
    const tasks = await h.opened.engine.fanOut({ prompt: 'Try it [add:try.txt]', count: 3 });
    await h.opened.results.recorder!.flush();
    const records = await h.opened.results.service.list();
    assert.equal(records.length, 3);
    const groups = new Set(records.map((record) => record.group?.id));
    assert.equal(groups.size, 1);
    assert.ok([...groups][0]?.startsWith('fanout-'));
    assert.deepEqual(records.map((record) => record.group!.index).sort(), [1, 2, 3]);
    assert.ok(records.every((record) => record.group!.count === 3));
    assert.deepEqual(new Set(records.map((record) => record.taskId)), new Set(tasks.map((task) => task.id)));
    // Keep This One: the winner is kept, the others parked and their worktrees back in the pool.
    const winner = records[1];
    const { kept, discarded } = await h.opened.results.service.keep(winner.id);
    assert.equal(kept.review, 'kept');
    assert.equal(discarded.length, 2);
    for (const loser of discarded) {
      assert.equal(loser.review, 'discarded');
      assert.ok(loser.parkedRef?.startsWith('refs/grove/parked/'));
      assert.equal(loser.worktree, null);
    }
    const status = await h.opened.pool.status();
    assert.equal(status.find((row) => row.name === winner.worktree!.name)?.state, 'leased');
  });

  it('records a chain as one result whose runs are its steps', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const definition = await parseChain(JSON.stringify({ name: 'two', isolation: 'worktree', steps: [{ name: 'a', prompt: 'first [add:a.txt]' }, { name: 'b', prompt: 'second [edit:a.txt]' }] }), '/t/chain.json', { homeDir: '/nonexistent' });
    const run = await h.opened.chains.start(definition, {});
    const chain = await run.done;
    await h.opened.results.recorder!.flush();
    const records = await h.opened.results.service.list();
    assert.equal(records.length, 1, 'one result for the chain, none per step');
    const [record] = records;
    assert.equal(record.kind, 'chain');
    assert.equal(record.chainRunId, chain.id);
    assert.deepEqual(record.runs.map((r) => r.step), ['a', 'b']);
    assert.deepEqual(record.changes!.files.map((file) => [file.path, file.added]), [['a.txt', 3]]);
    assert.equal(record.worktree?.holder, `grove:${chain.id}`);
  });

  it('continues in the same session and worktree; the result gains a run', async () => {
    h = await harness({ slots: 2, agentCommand: workingAgent() });
    const { record } = await runOne('Start [add:x.txt]');
    const outcome = await h.opened.results.service.continue(record.id, 'Now also [edit:x.txt]');
    assert.equal(outcome.task.status, 'succeeded');
    const runs = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt);
    assert.equal(runs.length, 2);
    assert.equal(flagValue(runs[1].argv, '--resume'), SESSION);
    assert.equal(runs[1].cwd, record.worktree!.path);
    assert.equal(outcome.record.runs.length, 2);
    assert.equal(outcome.record.runs[1].step, 'continue');
    assert.equal(outcome.record.changes!.files[0].added, 3);
    assert.equal((await h.opened.results.service.list()).length, 1, 'a follow-up is not a result of its own');
    // The lease is the same one: nothing changed hands.
    assert.equal((await h.opened.pool.leaseOf(record.worktree!.name))?.leaseId, record.worktree!.leaseId);
  });

  it('continues in the result\'s own worktree even when its session id was seen first elsewhere', async () => {
    // The double answers every run with the same session id: the session's first run is in another worktree.
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record: first } = await runOne('One [add:one.txt]');
    const { record: second } = await runOne('Two [add:two.txt]');
    assert.notEqual(first.worktree!.name, second.worktree!.name);
    await h.opened.results.service.continue(second.id, 'more [edit:two.txt]');
    const last = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt).at(-1)!;
    assert.equal(last.cwd, second.worktree!.path);
    assert.equal(readFileSync(path.join(second.worktree!.path, 'two.txt'), 'utf8'), 'one\ntwo\nchanged by the agent\n');
  });

  it('a session the agent cannot resume: the result keeps the agent\'s words and the work', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Start [add:y.txt]');
    const outcome = await h.opened.results.service.continue(record.id, 'again [scenario:not-logged-in]');
    assert.equal(outcome.task.status, 'failed');
    assert.equal(outcome.record.runs.length, 2);
    assert.ok(outcome.record.error && outcome.record.error.length > 0);
    assert.equal(outcome.record.finalMessage, FINAL, 'the earlier final message is not wiped');
    assert.ok(existsSync(path.join(record.worktree!.path, 'y.txt')));
  });

  it('pending review comments persist, and Send Review sends them all as one follow-up', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Start [add:z.txt]');
    const service = h.opened.results.service;
    await service.addComment(record.id, { file: 'z.txt', line: 2, lineText: 'two', body: 'Say three instead' });
    await service.addComment(record.id, { file: 'z.txt', line: 1, lineText: 'one', body: 'Capitalize' });
    const reread = await new ResultStore(h.groveDir).get(record.id);
    assert.equal(reread?.pendingComments.length, 2);
    const sent = await service.sendReview(record.id);
    assert.equal(sent.record.pendingComments.length, 0);
    const last = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt).at(-1)!;
    assert.match(last.stdin, /z\.txt, line 2:\n {3}> two\n {3}Say three instead/);
    assert.match(last.stdin, /z\.txt, line 1:/);
    assert.equal(sent.record.runs.at(-1)?.step, 'review');
  });

  it('discard parks everything, returns the worktree, and the parked work can be restored and dropped', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Start [add:keep.txt] [edit:README.md]');
    const service = h.opened.results.service;
    const discarded = await service.discard(record.id);
    assert.equal(discarded.review, 'discarded');
    assert.ok(discarded.parkedRef?.startsWith(`refs/grove/parked/${record.worktree!.name}/`));
    assert.equal((await h.opened.pool.status()).find((row) => row.name === record.worktree!.name)?.state, 'available');
    assert.ok(!existsSync(path.join(record.worktree!.path, 'keep.txt')));
    const parked = await service.parked();
    assert.equal(parked.length, 1);
    assert.deepEqual(parked[0].files!.sort(), ['README.md', 'keep.txt']);
    const restored = await service.restoreParked(discarded.parkedRef!);
    assert.equal(readFileSync(path.join(restored.path, 'keep.txt'), 'utf8'), 'one\ntwo\n');
    assert.match(readFileSync(path.join(restored.path, 'README.md'), 'utf8'), /changed by the agent/);
    await service.dropParked(discarded.parkedRef!);
    assert.equal((await service.parked()).length, 0);
    await assert.rejects(service.dropParked('refs/heads/main'), /no parked work/);
  });

  it('work whose engine died before recording it gets a result once (from the lease and the run registry)', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    // What a killed engine leaves (issue 9): a finished run of task-orphan, its work leased to grove:task-orphan.
    const lease = await h.opened.pool.lease({ holder: 'grove:task-orphan' });
    writeFileSync(path.join(lease.path, 'orphan.txt'), 'left behind\n');
    const run = await new RunRegistry({ groveDir: h.groveDir, agentCommand: DOUBLE }).start({ cwd: lease.path, prompt: 'Orphaned work\ndetails', taskId: 'task-orphan', worktree: lease.name });
    await run.done;
    const service = h.opened.results.service;
    assert.deepEqual(await service.recordOrphans(), [], 'a young lease may still be recorded by its own engine');
    const later = () => new Date(Date.now() + ORPHAN_GRACE_MS + 1_000);
    const [made] = await service.recordOrphans(later);
    assert.equal(made.taskId, 'task-orphan');
    assert.equal(made.title, 'Orphaned work');
    assert.equal(made.finalMessage, FINAL);
    assert.equal(made.worktree?.leaseId, lease.leaseId);
    assert.deepEqual(made.changes?.files.map((file) => [file.path, file.untracked]), [['orphan.txt', true]]);
    assert.equal(made.runs[0].sessionId, SESSION);
    assert.deepEqual(await service.recordOrphans(later), [], 'recorded once');
    assert.equal((await service.find('task-orphan')).id, made.id);
  });

  it('a worktree removed by hand: says so and offers the parked ref', async () => {
    h = await harness({ slots: 1, agentCommand: workingAgent() });
    const { record } = await runOne('Start [add:q.txt]');
    rmSync(record.worktree!.path, { recursive: true, force: true });
    await assert.rejects(h.opened.results.service.diff(record), /was removed/);
    const cleared = await h.opened.results.service.discard(record.id);
    assert.equal(cleared.review, 'discarded');
    assert.equal(cleared.worktree, null);
    await assert.rejects(h.opened.results.service.find('result-nope'), (error: Error & { kind?: string }) => error.kind === 'usage' && /grove results/.test(String((error as { hint?: string }).hint)));
  });
});
