import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseChain } from '../../src/core/engine/chains/parse';
import { chainRunsDir, listChainRuns, readChainRun } from '../../src/core/engine/chains/store';
import type { ChainRunSnapshot } from '../../src/core/engine/chains/types';
import type { EngineEvent } from '../../src/core/engine/events';
import { currentBootId } from '../../src/core/util/liveness';
import { closeHarnesses, goneSoon, harness, promptSteeredDouble, readRecords, type Harness } from '../helpers/engineHarness';

const RESULT_TEXT = 'Done. Added `add` in src/add.ts.';

async function chain(definition: unknown) {
  return parseChain(JSON.stringify(definition), '/test/chain.json', { homeDir: '/nonexistent-home' });
}

describe('chains (real pool, real runner, the claude double)', function () {
  this.timeout(120_000);
  let h: Harness | undefined;
  afterEach(closeHarnesses);

  it('runs three steps, passing outputs along, and persists the run', async () => {
    h = await harness({ slots: 2, agentCommand: promptSteeredDouble() });
    const definition = await chain({
      name: 'three', arguments: ['topic'],
      steps: [
        { name: 'plan', prompt: 'Plan {{args.topic}}' },
        { name: 'build', prompt: 'Build from: {{previous_output}}' },
        { name: 'check', prompt: 'Check plan [{{steps.plan.output}}] and build [{{steps.build.output}}]' },
      ],
    });
    const changes: EngineEvent[] = [];
    h.opened.engine.events.on((event) => event.type.startsWith('chain') && changes.push(event));
    const run = await h.opened.chains.start(definition, { topic: 'caching' });
    const result = await run.done;
    assert.equal(result.status, 'succeeded');
    assert.deepEqual(result.steps.map((step) => step.status), ['succeeded', 'succeeded', 'succeeded']);
    const stdins = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt).map((record) => record.stdin);
    assert.deepEqual(stdins, ['Plan caching', `Build from: ${RESULT_TEXT}`, `Check plan [${RESULT_TEXT}] and build [${RESULT_TEXT}]`]);
    for (const step of result.steps) {
      assert.equal(step.output, RESULT_TEXT);
      assert.ok(step.costMicros > 0 && step.sessionId && step.startedAt && step.endedAt && step.taskId);
    }
    assert.equal(result.costMicros, result.steps.reduce((sum, step) => sum + step.costMicros, 0));
    // Every step went pending -> running -> succeeded on the event stream; the last event ends the chain.
    const statuses = changes.flatMap((event) => (event.type === 'chain-step-changed' && event.step.name === 'build' ? [event.step.status] : []));
    assert.deepEqual([...new Set(statuses)], ['running', 'succeeded']);
    assert.equal(changes.at(-1)?.type, 'chain-finished');
    // Readable after a restart: straight from the file.
    const stored = await readChainRun(h.groveDir, run.id);
    assert.equal(stored?.status, 'succeeded');
    assert.deepEqual(stored?.steps.map((step) => step.output), [RESULT_TEXT, RESULT_TEXT, RESULT_TEXT]);
    assert.deepEqual((await listChainRuns(h.groveDir)).map((entry) => entry.id), [run.id]);
  });

  it('retries a failing step, then saves it with its recovery prompt that sees {{error}}', async () => {
    h = await harness({ slots: 1, agentCommand: promptSteeredDouble() });
    const definition = await chain({
      name: 'recover',
      steps: [
        { name: 'flaky', prompt: 'Try [scenario:error-max-turns]', retries: 1, recoveryPrompt: 'It failed: {{error}}. Fix it.' },
        { name: 'after', prompt: 'Then: {{previous_output}}' },
      ],
    });
    const result = await (await h.opened.chains.start(definition, {})).done;
    assert.equal(result.status, 'succeeded');
    const [flaky, after] = result.steps;
    assert.equal(flaky.status, 'succeeded');
    assert.equal(flaky.retriesUsed, 1);
    assert.equal(flaky.recovered, true);
    const stdins = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt).map((record) => record.stdin);
    assert.equal(stdins.length, 4); // two failures, the recovery, the next step
    assert.equal(stdins[0], 'Try [scenario:error-max-turns]');
    assert.equal(stdins[1], 'Try [scenario:error-max-turns]');
    assert.match(stdins[2], /^It failed: .*max.turns.*\. Fix it\.$/i);
    assert.equal(after.status, 'succeeded');
    assert.equal(stdins[3], `Then: ${RESULT_TEXT}`);
    // The failed attempts' cost counts too.
    assert.ok(flaky.costMicros > after.costMicros);
  });

  it('fails the chain when retries and recovery do not help, and skips the rest', async () => {
    h = await harness({ slots: 1, agentCommand: promptSteeredDouble() });
    const definition = await chain({ name: 'doomed', steps: [{ name: 'a', prompt: '[scenario:not-logged-in]', retries: 1 }, { name: 'b', prompt: 'never' }] });
    const result = await (await h.opened.chains.start(definition, {})).done;
    assert.equal(result.status, 'failed');
    assert.equal(result.errorKind, 'agent-failed');
    assert.deepEqual(result.steps.map((step) => [step.status, step.retriesUsed]), [['failed', 1], ['skipped', 0]]);
    assert.equal(readRecords(h.recordDir).length, 2);
  });

  it('cancel kills the running step and marks the rest skipped', async () => {
    h = await harness({ slots: 1, agentCommand: promptSteeredDouble() });
    const definition = await chain({ name: 'stop', steps: [{ name: 'one', prompt: 'quick' }, { name: 'two', prompt: 'slow [hang]' }, { name: 'three', prompt: 'never' }] });
    const run = await h.opened.chains.start(definition, {});
    await new Promise<void>((resolve) => h!.opened.engine.events.on((event) => {
      if (event.type === 'chain-step-changed' && event.step.name === 'two' && event.step.output.length > 0) resolve();
    }));
    assert.ok(run.snapshot().steps[1].output.length > 0, 'live partial output of the running step');
    const result = await run.cancel();
    assert.equal(result.status, 'cancelled');
    assert.deepEqual(result.steps.map((step) => step.status), ['succeeded', 'cancelled', 'skipped']);
    const hung = readRecords(h.recordDir).find((record) => record.stdin.includes('[hang]'))!;
    assert.ok(await goneSoon(hung.pid), 'the hung agent still runs');
    assert.equal((await readChainRun(h.groveDir, run.id))?.status, 'cancelled');
  });

  it('with worktree isolation runs every step in one leased worktree and keeps it when work was left', async () => {
    h = await harness({ slots: 2, agentCommand: promptSteeredDouble() });
    const definition = await chain({ name: 'iso', isolation: 'worktree', steps: [{ name: 'write', prompt: 'write [write:out.txt]' }, { name: 'read', prompt: 'read' }] });
    const result = await (await h.opened.chains.start(definition, {})).done;
    assert.equal(result.status, 'succeeded');
    const cwds = new Set(readRecords(h.recordDir).map((record) => record.cwd));
    assert.equal(cwds.size, 1);
    assert.ok(result.worktree, 'the work was not kept');
    assert.equal(result.worktree!.holder, `grove:${result.id}`);
    assert.deepEqual([...cwds], [result.worktree!.path]);
  });

  it('with slot isolation carries a worktree along once a step leaves work in it', async () => {
    h = await harness({ slots: 2, agentCommand: promptSteeredDouble() });
    const definition = await chain({ name: 'carry', steps: [{ name: 'clean', prompt: 'look' }, { name: 'write', prompt: 'write [write:out.txt]' }, { name: 'more', prompt: 'more' }] });
    const result = await (await h.opened.chains.start(definition, {})).done;
    assert.equal(result.status, 'succeeded');
    const records = readRecords(h.recordDir).sort((a, b) => a.startedAt - b.startedAt);
    assert.equal(records[2].cwd, records[1].cwd);
    assert.equal(result.worktree?.path, records[1].cwd);
  });

  it('reads a run left "running" by a process that died as interrupted', async () => {
    h = await harness({ slots: 1 });
    const id = 'chain-abc123-deadbeef';
    const stale: ChainRunSnapshot = {
      id, name: 'x', file: '/x.json', args: {}, isolation: 'slot', status: 'running', startedAt: new Date().toISOString(), endedAt: null,
      costMicros: 0, worktree: null, error: null, errorKind: null, owner: { pid: 2 ** 30, startTime: '1', bootId: await currentBootId() },
      steps: [{ name: 'a', index: 0, status: 'running', startedAt: null, endedAt: null, costMicros: 0, sessionId: null, retriesUsed: 0, recovered: false, output: 'half', error: null, taskId: null, worktree: null }],
    };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(chainRunsDir(h.groveDir), { recursive: true });
    writeFileSync(path.join(chainRunsDir(h.groveDir), `${id}.json`), JSON.stringify(stale));
    const read = await readChainRun(h.groveDir, id);
    assert.equal(read?.status, 'interrupted');
    assert.equal(read?.steps[0].status, 'cancelled');
    assert.equal(read?.steps[0].output, 'half');
  });
});
