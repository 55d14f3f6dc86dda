import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BudgetStatus } from '../../src/core/engine/budget';
import { appendSpend } from '../../src/core/store/spendLedger';
import { withLock } from '../../src/core/store/lock';
import { command, eventually, groveApi, session } from './helpers';

/** A finished run's spend, written the way another process (the CLI, another window) writes it. */
async function spend(groveDir: string, micros: number, id: string): Promise<void> {
  await withLock(groveDir, async (lock) => {
    lock.assertHeld();
    await appendSpend(groveDir, { runId: `run-test-${id}`, taskId: `task-test-${id}`, slot: 'slot-1', costMicros: micros, status: 'completed', at: new Date().toISOString() });
  });
}

describe('status bar: spend against the cap', () => {
  it('shows $0.00 / cap with no colour at 0 %', async () => {
    const api = await groveApi();
    const status = await command<BudgetStatus>('grove.setBudget', '1');
    assert.equal(status.capMicros, 1_000_000);
    const state = await eventually(() => api.session!.statusBar.current?.text.includes('/ $1.00') && api.session!.statusBar.current, 'the cap in the status bar');
    assert.equal(state.text, '$(pulse) $0.00 / $1.00');
    assert.equal(state.background, null);
    assert.equal(state.command, 'grove.showPanel');
    assert.match(state.tooltip, /Reserved by running tasks: \$0\.00/);
  });

  it('turns to the warning colour at 80 % when a run elsewhere spends', async () => {
    const s = await session();
    await spend(s.repo.groveDir, 800_000, 'a');
    const state = await eventually(() => s.statusBar.current?.text.includes('$0.80') && s.statusBar.current, 'the status bar at $0.80');
    assert.equal(state.text, '$(pulse) $0.80 / $1.00');
    assert.equal(state.background, 'statusBarItem.warningBackground');
  });

  it('turns to the error colour at 100 %', async () => {
    const s = await session();
    await spend(s.repo.groveDir, 200_000, 'b');
    const state = await eventually(() => s.statusBar.current?.text.includes('$1.00 / $1.00') && s.statusBar.current, 'the status bar at $1.00');
    assert.equal(state.background, 'statusBarItem.errorBackground');
  });

  it('refuses an agent run when the budget is exhausted, with the spend in the message', async () => {
    const api = await groveApi();
    await vscode.commands.executeCommand('grove.runTask', 'say hello');
    const error = api.testing.lastError as Error;
    assert.ok(error, 'the task was refused');
    assert.match(String(error.message), /budget exhausted: spent \$1\.00 of \$1\.00/);
  });

  it('shows the spend alone once the cap is removed', async () => {
    const s = await session();
    await command('grove.setBudget', 'none');
    const state = await eventually(() => s.statusBar.current?.text === '$(pulse) $1.00' && s.statusBar.current, 'the status bar without a cap');
    assert.equal(state.background, null);
  });
});

