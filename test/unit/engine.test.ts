import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { EngineEvent } from '../../src/core/engine/events';
import { readLedger } from '../../src/core/store/spendLedger';
import { git } from '../helpers/tempRepo';
import { closeHarnesses, flagValue, goneSoon, harness, readRecords, type Harness } from '../helpers/engineHarness';

describe('engine (real pool, real runner, the claude double)', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  afterEach(closeHarnesses);

  it('runs 50 tasks on 4 slots, never two at once in one worktree', async () => {
    h = await harness({ slots: 4, env: { GROVE_DOUBLE_DELAY_MS: '30' } });
    const events: EngineEvent[] = [];
    h.opened.engine.events.on((event) => events.push(event));
    const results = await h.opened.engine.fanOut({ prompt: 'do a small thing', count: 50 });
    assert.equal(results.length, 50);
    assert.deepEqual(results.filter((result) => result.status !== 'succeeded').map((result) => result.error), []);
    const records = readRecords(h.recordDir);
    assert.equal(records.length, 50);
    // No worktree ever held two tasks at once: per cwd, each run ended before the next began.
    const byCwd = new Map<string, typeof records>();
    for (const record of records) byCwd.set(record.cwd, [...(byCwd.get(record.cwd) ?? []), record]);
    for (const [cwd, runs] of byCwd) {
      runs.sort((a, b) => a.startedAt - b.startedAt);
      for (let i = 1; i < runs.length; i++) {
        assert.ok(runs[i - 1].endedAt !== null && runs[i - 1].endedAt! <= runs[i].startedAt, `two tasks overlapped in ${cwd}`);
      }
      assert.ok(cwd.startsWith(h.opened.pool.root), `${cwd} is not a pool worktree`);
    }
    assert.ok(byCwd.size > 1 && byCwd.size <= 4, `used ${byCwd.size} worktrees`);
    // At most 4 agents at any moment.
    const points = records.flatMap((record) => [{ t: record.startedAt, d: 1 }, { t: record.endedAt!, d: -1 }]).sort((a, b) => a.t - b.t || a.d - b.d);
    let running = 0;
    for (const point of points) assert.ok((running += point.d) <= 4, 'more than 4 agents ran at once');
    // The ledger holds each run exactly once, and the events told the story.
    const ledger = await readLedger(h.groveDir);
    assert.equal(ledger.length, 50);
    assert.equal(ledger.reduce((sum, entry) => sum + entry.costMicros, 0), results.reduce((sum, result) => sum + result.costMicros, 0));
    assert.equal(events.filter((event) => event.type === 'task-queued').length, 50);
    assert.equal(events.filter((event) => event.type === 'task-finished').length, 50);
    assert.ok(events.some((event) => event.type === 'task-progress'));
    assert.ok(events.some((event) => event.type === 'spend-changed'));
    const status = await h.opened.pool.status();
    assert.ok(status.every((worktree) => worktree.state === 'available'), 'every worktree went back to the pool');
  });

  it('resolves settings, tells the agent its slot and context, and never resumes a session unasked', async () => {
    h = await harness({
      slots: 1,
      settings: { model: 'sonnet', allowedTools: ['Read'] },
      slotSettings: { 'slot-1': { name: 'Ada', role: 'reviewer', description: 'Reviews diffs.', allowedTools: ['Grep'] } },
      context: { ticket: 'GR-7' },
    });
    const spendEvents: EngineEvent[] = [];
    h.opened.engine.events.onType('spend-changed', (event) => spendEvents.push(event));
    await h.opened.engine.setBudgetCap(2_000_000);
    assert.equal(spendEvents.length, 1);
    const first = await h.opened.engine.run({ prompt: 'one', settings: { maxTurns: 5, allowedTools: ['Edit'] } });
    const second = await h.opened.engine.run({ prompt: 'two' });
    assert.equal(first.status, 'succeeded');
    assert.equal(second.status, 'succeeded');
    const [a, b] = readRecords(h.recordDir).sort((x, y) => x.startedAt - y.startedAt);
    assert.equal(flagValue(a.argv, '--model'), 'sonnet');
    assert.equal(flagValue(a.argv, '--max-turns'), '5');
    const tools = a.argv.slice(a.argv.indexOf('--allowedTools') + 1, a.argv.indexOf('--allowedTools') + 4);
    assert.deepEqual(tools, ['Read', 'Grep', 'Edit']);
    const system = flagValue(a.argv, '--append-system-prompt') ?? '';
    assert.match(system, /You are Ada, working as reviewer \(Grove slot slot-1\)\. Reviews diffs\./);
    assert.match(system, /- ticket: GR-7/);
    // The task cap defaults to the pool cap / slots, capped by what remains.
    assert.equal(flagValue(a.argv, '--max-budget-usd'), '2');
    assert.ok(![...a.argv, ...b.argv].some((arg) => arg.startsWith('--resume')), 'a slot resumed a session on its own');
    assert.equal(a.stdin, 'one');
  });

  it('continues a session in the worktree where it started, and keeps work the agent left for a person', async () => {
    h = await harness({ slots: 2 });
    const first = await h.opened.engine.run({ prompt: 'make a file', settings: { env: { GROVE_DOUBLE_WRITE_FILE: 'notes.txt=hello' } } });
    assert.equal(first.status, 'succeeded');
    assert.ok(first.leftWork, 'the work was not kept');
    assert.equal(first.leftWork!.holder, `grove:${first.id}`);
    assert.ok(existsSync(path.join(first.leftWork!.path, 'notes.txt')));
    // Other tasks never get that worktree...
    const others = await h.opened.engine.fanOut({ prompt: 'elsewhere', count: 3 });
    assert.ok(others.every((result) => result.worktree !== first.worktree));
    // ...but a task continuing its session runs there, with --resume.
    const resumed = await h.opened.engine.run({ prompt: 'go on', resumeSession: first.sessionId! });
    assert.equal(resumed.status, 'succeeded');
    assert.equal(resumed.worktree, first.worktree);
    const record = readRecords(h.recordDir).find((entry) => entry.stdin === 'go on')!;
    assert.equal(record.cwd, first.leftWork!.path);
    assert.equal(flagValue(record.argv, '--resume'), first.sessionId);
    assert.equal(git(first.leftWork!.path, 'status', '--porcelain').includes('notes.txt'), true, 'the work is still there');
    const status = (await h.opened.pool.status()).find((worktree) => worktree.name === first.worktree)!;
    assert.equal(status.state, 'leased');
    assert.equal(status.holder, `grove:${first.id}`);
    await assert.rejects(h.opened.engine.run({ prompt: 'x', resumeSession: 'no-such-session' }).then((result) => {
      if (result.status === 'failed') throw new Error(result.error ?? '');
    }), /no run of session no-such-session/);
  });

  it('cancels a queued task and a running one (its agent is killed)', async () => {
    h = await harness({ slots: 1, env: { GROVE_DOUBLE_HANG: '1' } });
    const engine = h.opened.engine;
    const started = new Promise<void>((resolve) => engine.events.onType('task-progress', () => resolve()));
    const running = engine.submit({ prompt: 'hang' });
    const queued = engine.submit({ prompt: 'wait' });
    assert.equal(engine.result(queued)?.status, 'queued');
    assert.equal((await engine.cancel(queued)).status, 'cancelled');
    await started;
    const cancelled = await engine.cancel(running);
    assert.equal(cancelled.status, 'cancelled');
    const [record] = readRecords(h.recordDir);
    assert.ok(await goneSoon(record.pid), 'the agent still runs');
    assert.equal(readRecords(h.recordDir).length, 1, 'the cancelled queued task never started');
  });

  it('scales within min/max and drains with a report', async () => {
    h = await harness({ slots: 2, minSlots: 1, maxSlots: 3, env: { GROVE_DOUBLE_DELAY_MS: '200' } });
    const engine = h.opened.engine;
    await assert.rejects(engine.scale(4), /from 1 to 3/);
    await engine.scale(3);
    assert.deepEqual(engine.slots().map((slot) => slot.name), ['slot-1', 'slot-2', 'slot-3']);
    const ids = [1, 2, 3].map((n) => engine.submit({ prompt: `task ${n}` }));
    await new Promise((resolve) => engine.events.onType('task-started', resolve));
    await engine.scale(1); // waits for the busy slots to finish
    assert.deepEqual(engine.slots().map((slot) => slot.name), ['slot-1']);
    const draining = engine.drain();
    assert.throws(() => engine.submit({ prompt: 'during the drain' }), /draining/);
    const report = await draining;
    assert.equal(report.tasks.total, 3);
    assert.equal(report.tasks.succeeded, 3);
    assert.equal(report.timedOut, false);
    assert.equal(report.spentMicros, ids.map((id) => engine.result(id)!.costMicros).reduce((a, b) => a + b, 0));
    assert.ok(report.spentMicros > 0);
    // A drain ends when its report is out: the next task runs.
    assert.equal((await engine.run({ prompt: 'after the drain' })).status, 'succeeded');
  });
});
