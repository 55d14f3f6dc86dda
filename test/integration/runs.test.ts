import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ChainRunSnapshot } from '../../src/core/engine/chains/types';
import type { DrainReport } from '../../src/core/engine/engine';
import type { TaskResult } from '../../src/core/engine/types';
import { readLedger } from '../../src/core/store/spendLedger';
import type { RenderedSummary } from '../../src/vscode/panel/protocol';
import type { Ended } from '../../src/vscode/notifications';
import { command, eventually, groveApi, session, workspaceRoot } from './helpers';

describe('agent runs on the test double: tasks, fan-out, chains, the panel', () => {
  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
  });

  it('grove.runTask runs the agent on a slot, the slots tree shows it busy, and its cost lands in the ledger', async () => {
    const api = await groveApi();
    const s = await session();
    const ended = new Promise<Ended>((resolve) => { const d = api.notifier!.onDidEnd((e) => { d.dispose(); resolve(e); }); });
    const running = command<TaskResult>('grove.runTask', 'Add a function add(a, b) in src/add.ts');
    const busy = await eventually(() => api.slotsView.current.find((row) => row.state === 'busy'), 'a busy slot in the tree');
    assert.match(busy.doing ?? '', /Add a function add/);
    assert.match(String(api.slotsView.getTreeItem(busy).description), /busy · Add a function add/);
    const result = await running;
    assert.equal(result.status, 'succeeded', result.error ?? '');
    assert.ok(result.costMicros > 0);
    const ledger = await readLedger(s.repo.groveDir);
    assert.ok(ledger.some((entry) => entry.taskId === result.id && entry.costMicros === result.costMicros), 'one ledger line for the run');
    assert.equal((await ended).kind, 'task');
    await eventually(() => api.slotsView.current.every((row) => row.state === 'idle'), 'every slot idle again');
    const slotRow = api.slotsView.current.find((row) => row.name === result.slot)!;
    assert.ok(slotRow.costMicros >= result.costMicros, 'the slot shows what it spent');
  });

  it('a task that leaves work keeps it under a lease, and Show Changes opens its diff', async () => {
    const api = await groveApi();
    const s = await session();
    const id = s.engine.submit({ prompt: 'write a file', settings: { env: { GROVE_DOUBLE_WRITE_FILE: 'left.txt=left by the agent' } } });
    const result = await s.engine.wait(id);
    assert.equal(result.status, 'succeeded', result.error ?? '');
    assert.ok(result.leftWork, 'the work is kept');
    await api.notifier!.showChanges(result.leftWork.path);
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.languageId === 'diff' && vscode.window.activeTextEditor, 'the diff');
    assert.match(editor.document.getText(), /left\.txt/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await s.pool.returnWorktree(result.leftWork.name, { force: true });
  });

  it('grove.fanOut runs one prompt on several agents in parallel, each in its own worktree', async () => {
    const results = await command<TaskResult[]>('grove.fanOut', { prompt: 'Try an approach', count: 2 });
    assert.equal(results.length, 2);
    assert.deepEqual(results.map((r) => r.status), ['succeeded', 'succeeded']);
    assert.notEqual(results[0].worktree, results[1].worktree);
  });

  it('grove.cancel kills a running task', async () => {
    const api = await groveApi();
    const s = await session();
    const id = s.engine.submit({ prompt: 'hang', settings: { env: { GROVE_DOUBLE_HANG: '1' } } });
    const row = await eventually(() => api.slotsView.current.find((candidate) => candidate.taskId === id && candidate.state === 'busy' && candidate.runId), 'the hanging task on a slot');
    assert.match(String(api.slotsView.getTreeItem(row).contextValue), /cancellable/);
    await command('grove.cancel', row);
    const result = await s.engine.wait(id);
    assert.equal(result.status, 'cancelled');
  });

  it('grove.runChain runs the chain, and the panel receives each step as it runs and completes', async () => {
    const api = await groveApi();
    const chainFile = path.join(workspaceRoot(), '.grove', 'chains', 'demo.json');
    mkdirSync(path.dirname(chainFile), { recursive: true });
    writeFileSync(chainFile, JSON.stringify({
      name: 'demo', arguments: [{ name: 'topic', default: 'parsers' }],
      steps: [{ name: 'plan', prompt: 'Plan work on {{args.topic}}' }, { name: 'build', prompt: 'Do: {{previous_output}}' }],
    }));
    const seen: RenderedSummary[] = [];
    await command('grove.showPanel');
    assert.equal(api.panel!.isOpen, true);
    const listener = api.panel!.onDidRender((summary) => seen.push(summary));
    try {
      const snapshot = await command<ChainRunSnapshot>('grove.runChain', { file: chainFile, args: {} });
      assert.equal(snapshot.status, 'succeeded', snapshot.error ?? '');
      assert.deepEqual(snapshot.steps.map((step) => step.status), ['succeeded', 'succeeded']);
      const final = await eventually(() => {
        const last = api.panel!.rendered;
        const chain = last?.chains.find((candidate) => candidate.id === snapshot.id);
        return chain?.status === 'succeeded' && last;
      }, 'the panel to show the chain finished');
      const chain = final.chains.find((candidate) => candidate.id === snapshot.id)!;
      assert.deepEqual(chain.steps.map((step) => [step.name, step.status]), [['plan', 'succeeded'], ['build', 'succeeded']]);
      assert.ok(final.spendPoints > 0, 'the spend chart has points');
      assert.equal(final.chartSeries, 1);
      const sawRunning = seen.some((summary) => summary.chains.some((c) => c.id === snapshot.id && c.steps.some((step) => step.status === 'running')));
      assert.ok(sawRunning, 'the panel drew a step while it was running');
    } finally {
      listener.dispose();
    }
  });

  it('grove.scale changes the number of slots in the tree', async () => {
    const api = await groveApi();
    assert.equal(await command<number>('grove.scale', 2), 2);
    assert.equal(api.slotsView.current.length, 2);
    assert.equal(await command<number>('grove.scale', 4), 4);
    assert.equal(api.slotsView.current.length, 4);
  });

  it('grove.drain stops intake and reports what ran and what it cost', async () => {
    const report = await command<DrainReport>('grove.drain');
    assert.ok(report.tasks.total >= 5, `tasks: ${JSON.stringify(report.tasks)}`);
    assert.ok(report.spentMicros > 0);
    assert.equal(report.timedOut, false);
  });
});
