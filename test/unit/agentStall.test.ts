import * as assert from 'node:assert/strict';
import { RunWatch, type StoredAgentSpec } from '../../src/core/agents/agentRun';

const spec = (stallMs: number): StoredAgentSpec => ({ kind: 'codex', meter: { model: null, prices: {}, holdMicros: null }, stallMs });
const line = (value: unknown) => JSON.stringify(value) + '\n';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stall clock', () => {
  it('fires after the limit with no progress; notices do not reset it, progress does', async () => {
    let stalls = 0;
    const watch = new RunWatch(spec(300), { onBudget: () => undefined, onStall: () => stalls++ });
    watch.push(line({ type: 'thread.started', thread_id: 't' }));
    await sleep(150);
    watch.push(line({ type: 'error', message: 'Reconnecting... 1/5' }));
    // Generous: timers run late on a loaded machine.
    for (let i = 0; i < 50 && stalls === 0; i++) await sleep(50);
    assert.equal(stalls, 1);
    watch.close();

    let again = 0;
    const busy = new RunWatch(spec(1_500), { onBudget: () => undefined, onStall: () => again++ });
    for (let i = 0; i < 4; i++) {
      busy.push(line({ type: 'item.completed', item: { id: `m${i}`, type: 'agent_message', text: 'working' } }));
      await sleep(120);
    }
    assert.equal(again, 0);
    busy.close();
  });

  it('does not fire while a tool runs (a long test suite prints nothing), and fires once it ended', async () => {
    let stalls = 0;
    const watch = new RunWatch(spec(200), { onBudget: () => undefined, onStall: () => stalls++ });
    watch.push(line({ type: 'item.started', item: { id: 'c1', type: 'command_execution', command: 'npm test', aggregated_output: '', exit_code: null, status: 'in_progress' } }));
    await sleep(600);
    assert.equal(stalls, 0);
    watch.push(line({ type: 'item.completed', item: { id: 'c1', type: 'command_execution', command: 'npm test', aggregated_output: '', exit_code: 0, status: 'completed' } }));
    for (let i = 0; i < 60 && stalls === 0; i++) await sleep(50);
    assert.equal(stalls, 1);
    watch.close();
  });

  it('0 or no spec: never', async () => {
    let stalls = 0;
    const watch = new RunWatch({ ...spec(0), stallMs: null }, { onBudget: () => undefined, onStall: () => stalls++ });
    await sleep(100);
    watch.close();
    assert.equal(stalls, 0);
  });
});
