// Issue 8: what a new user hit with tasks in the browser VS Code (items 1, 4, 5, 7, 9, 12-16).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RunHandle } from '../../src/core/agents/types';
import type { BudgetStatus } from '../../src/core/engine/budget';
import type { TaskResult } from '../../src/core/engine/types';
import type { Lease } from '../../src/core/pool/pool';
import type { Ended } from '../../src/vscode/notifications';
import { command, eventually, groveApi, refusedCommand, runCli, session, workspaceRoot } from './helpers';

/** The test double, as the user settings name it: the CLI reads GROVE_AGENT_COMMAND instead. */
function agentCommand(): string {
  return String(vscode.workspace.getConfiguration('grove').get('agent.command'));
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms))]);
}

/** The next end notification; the listener is in place before this returns. */
function nextEnd(api: Awaited<ReturnType<typeof groveApi>>): Promise<Ended> {
  return new Promise<Ended>((resolve) => {
    const listener = api.notifier!.onDidEnd((end) => { listener.dispose(); resolve(end); });
  });
}

function lastMessage(api: Awaited<ReturnType<typeof groveApi>>, pattern: RegExp) {
  return [...api.testing.messages.shown].reverse().find((message) => pattern.test(message.text));
}

describe('issue 8: tasks, runs and notifications in the editor', () => {
  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('grove').update('notifications', undefined, vscode.ConfigurationTarget.Global);
    const s = await session();
    await s.engine.setBudgetCap(null);
  });

  it('item 1: after Drain reports, the next Run Task runs', async () => {
    await command('grove.drain');
    const result = await command<TaskResult>('grove.runTask', 'Run after the drain');
    assert.equal(result.status, 'succeeded', result.error ?? '');
  });

  it('item 16: the end notification names the task by its prompt\'s first line', async () => {
    const api = await groveApi();
    const result = await command<TaskResult>('grove.runTask', 'Add a parser test\nwith more detail below');
    const shown = lastMessage(api, /Add a parser test/);
    assert.ok(shown, `messages: ${api.testing.messages.shown.map((m) => m.text).join(' | ')}`);
    assert.match(shown.text, new RegExp(`^Grove: "Add a parser test" done on ${result.slot} \\(\\$`));
    assert.doesNotMatch(shown.text, /with more detail/);
  });

  it('item 9: a task that leaves work keeps it under grove:<task id>, without a doubled prefix', async () => {
    const s = await session();
    const result = await s.engine.run({ prompt: 'leave a file', settings: { env: { GROVE_DOUBLE_WRITE_FILE: 'kept.txt=kept' } } });
    assert.ok(result.leftWork, 'work was left');
    assert.equal(result.leftWork.holder, `grove:${result.id}`);
    assert.doesNotMatch(result.leftWork.holder, /task-task-/);
    await s.pool.returnWorktree(result.leftWork.name, { force: true });
  });

  it('item 7: Show Changes of a fan-out opens every worktree\'s work, untracked files with their content, in a buffer that is not dirty', async () => {
    const api = await groveApi();
    const s = await session();
    const results = await s.engine.fanOut({ prompt: 'Try a variant', count: 2 }, { settings: { env: { GROVE_DOUBLE_WRITE_FILE: 'variant.txt=the variant content' } } });
    assert.ok(results.every((result) => result.leftWork), 'both kept their work');
    api.testing.messages.answerNext('Show Changes');
    api.notifier!.fanOutEnded(results);
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.getText().includes(results[1].leftWork!.name) && vscode.window.activeTextEditor, 'the changes of both worktrees');
    const text = editor.document.getText();
    for (const result of results) assert.ok(text.includes(result.leftWork!.path), `${result.leftWork!.name} is in the document`);
    assert.match(text, /\+the variant content/, 'the untracked file is shown with its content');
    assert.equal(editor.document.isDirty, false, 'closing it asks nothing');
    assert.equal(editor.document.isUntitled, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    for (const result of results) await s.pool.returnWorktree(result.leftWork!.name, { force: true });
  });

  it('item 12: Don\'t Show Again silences successes only and says how to undo it', async () => {
    const api = await groveApi();
    api.testing.messages.answerNext("Don't Show Again");
    api.testing.messages.answerNext(undefined); // the note that says how to undo it
    await command<TaskResult>('grove.runTask', 'A task before silencing');
    await eventually(() => vscode.workspace.getConfiguration('grove').get('notifications') === 'failures', 'notifications set to failures');
    await eventually(() => lastMessage(api, /grove\.notifications to "all"/), 'the note on how to undo it');
    const silent = nextEnd(api);
    await command<TaskResult>('grove.runTask', 'A quiet success');
    assert.equal((await silent).shown, false, 'a success is silenced');
  });

  it('item 12: a failure still shows after Don\'t Show Again, by name', async () => {
    const s = await session();
    const api = await groveApi();
    const failed = nextEnd(api);
    api.notifier!.taskEnded(await s.engine.run({ prompt: 'Fail loudly', settings: { env: { GROVE_DOUBLE_SCENARIO: 'not-logged-in' } } }));
    const failure = await failed;
    assert.equal(failure.shown, true, 'a failure always shows');
    assert.match(failure.message, /"Fail loudly" failed on slot-\d/);
  });

  it('item 16: a cancelled task says so once, by name ("cancelled", not "cancelled: cancelled")', async () => {
    const s = await session();
    const api = await groveApi();
    const id = s.engine.submit({ prompt: 'Hang until cancelled', settings: { env: { GROVE_DOUBLE_HANG: '1' } } });
    await eventually(() => s.engine.result(id)?.runId && s.engine.result(id)?.status === 'running', 'the hanging task running', 20_000);
    await within(30_000, 'the cancel', s.engine.cancel(id));
    const cancelled = nextEnd(api);
    api.notifier!.taskEnded(await within(10_000, 'the task to settle', s.engine.wait(id)));
    const text = (await within(10_000, 'the end notification', cancelled)).message;
    assert.match(text, /"Hang until cancelled" cancelled on slot-\d/);
    assert.doesNotMatch(text, /cancelled: cancelled/);
  });

  it('item 13: Set Budget accepts $2, 2 and 2.50, and refuses the rest naming the accepted forms', async () => {
    assert.equal((await command<BudgetStatus>('grove.setBudget', '$2')).capMicros, 2_000_000);
    assert.equal((await command<BudgetStatus>('grove.setBudget', '2.50')).capMicros, 2_500_000);
    assert.equal((await command<BudgetStatus>('grove.setBudget', '2')).capMicros, 2_000_000);
    const error = await refusedCommand('grove.setBudget', 'two dollars');
    assert.match(String((error as { hint?: string }).hint ?? error.message), /2, 2\.50 or \$2/);
    assert.equal((await command<BudgetStatus>('grove.setBudget', 'none')).capMicros, null);
  });

  it('items 14 and 16: an exhausted budget offers Set Budget and Show Panel (no CLI line), and a refused fan-out says "not started", not "failed"', async () => {
    const api = await groveApi();
    const s = await session();
    await command('grove.setBudget', '0.01');
    try {
      await refusedCommand('grove.runTask', 'Too expensive');
      const shown = lastMessage(api, /budget exhausted/)!;
      assert.ok(shown, 'the refusal was shown');
      assert.deepEqual(shown.actions, ['Set Budget', 'Show Panel']);
      assert.doesNotMatch(shown.text, /grove budget --set/);
      const ended = nextEnd(api);
      api.testing.messages.answerNext(undefined);
      await command('grove.fanOut', { prompt: 'Two refused', count: 2 });
      const end = await ended;
      assert.match(end.message, /2 not started \(budget exhausted/);
      assert.equal(end.budget, true);
    } finally {
      await s.engine.setBudgetCap(null);
    }
  });
});

describe('issue 8: runs this window did not start (a reload, another window, the command line)', () => {
  let lease: Lease;
  let other: Lease;
  let mine: RunHandle;
  let foreign: RunHandle;

  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
    const s = await session();
    lease = await s.pool.lease({ holder: 'reload-test' });
    other = await s.pool.lease({ holder: 'other-window-test' });
  });

  after(async () => {
    const s = await session();
    await foreign?.cancel().catch(() => undefined);
    for (const held of [lease, other]) if (held) await s.pool.returnWorktree(held.name, { force: true }).catch(() => undefined);
  });

  it('items 4 and 5: a run started by this window before a reload shows its prompt and whose it is; another window\'s says so', async () => {
    const api = await groveApi();
    const s = await session();
    const identity = api.testing.identity;
    // As the window before the reload left them: runs on disk that this session's engine did not start.
    mine = await s.registry.start({
      cwd: lease.path, prompt: 'Refactor the parser into small functions\nand keep the tests', slot: 'slot-3', worktree: lease.name,
      taskId: 'task-before-reload', origin: identity.origin, env: { GROVE_DOUBLE_DELAY_MS: '4000', GROVE_DOUBLE_COST_USD: '0.37' },
    });
    foreign = await s.registry.start({
      cwd: other.path, prompt: 'Another window\'s work', slot: 'slot-4', worktree: other.name, taskId: 'task-other-window',
      origin: 'vscode:0a0b0c', env: { GROVE_DOUBLE_HANG: '1' },
    });
    await s.refreshDetachedRuns();
    const row3 = await eventually(() => api.slotsView.current.find((row) => row.name === 'slot-3' && row.state === 'attached'), 'slot-3 attached');
    assert.equal(row3.doing, 'Refactor the parser into small functions');
    assert.match(String(api.slotsView.getTreeItem(row3).description), /^running · Refactor the parser into small functions · \$[\d.]+ · started by this window, before a reload$/);
    const row4 = api.slotsView.current.find((row) => row.name === 'slot-4')!;
    assert.match(String(api.slotsView.getTreeItem(row4).description), /^running · Another window's work · \$[\d.]+ · started by another window$/);
  });

  it('item 16: a click on a busy slot opens its live output', async () => {
    const api = await groveApi();
    const row = api.slotsView.current.find((candidate) => candidate.name === 'slot-3')!;
    const item = api.slotsView.getTreeItem(row);
    assert.equal(item.command?.command, 'grove.showOutput');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    const editor = await eventually(() => vscode.window.activeTextEditor?.document.uri.scheme === 'grove-live' && vscode.window.activeTextEditor, 'the output document');
    assert.match(editor.document.getText(), /Refactor the parser/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('item 4: when that run ends after the reload, the window notifies by its prompt, and the slot shows what it spent', async () => {
    const api = await groveApi();
    const ended = nextEnd(api);
    const record = await mine.done;
    const end = await ended;
    assert.match(end.message, /"Refactor the parser into small functions" done on slot-3 \(\$0\.37\)/);
    const row = await eventually(() => api.slotsView.current.find((candidate) => candidate.name === 'slot-3' && candidate.state === 'idle' && candidate.costMicros >= record.costMicros), 'slot-3 idle with its spend');
    assert.ok(row.costMicros >= 370_000, `slot-3 spent ${row.costMicros}`);
    const state = await api.panel!.state();
    assert.equal(state.spend.perTask.find((task) => task.taskId === 'task-before-reload')?.label, 'Refactor the parser into small functions');
  });

  it('items 15 and 16: Cancel Task on another window\'s run asks first, naming where it runs; No leaves it running', async () => {
    const api = await groveApi();
    const s = await session();
    const titles = api.testing.ui.titles.length;
    api.testing.ui.push(undefined);
    await command('grove.cancel');
    assert.equal(api.testing.ui.titles[titles], 'Grove: Cancel Task');
    const row = api.slotsView.current.find((candidate) => candidate.name === 'slot-4')!;
    const asked = api.testing.ui.asked.length;
    api.testing.ui.push(undefined);
    await command('grove.cancel', row);
    const question = api.testing.ui.asked.slice(asked).join('\n');
    assert.match(question, /did not start \(another window\)/);
    assert.match(question, new RegExp(`slot-4 in worktree ${other.name}`));
    assert.equal((await s.registry.get(foreign.id))?.status, 'active', 'still running');
    api.testing.ui.push('Cancel Run');
    await command('grove.cancel', row);
    assert.equal((await s.registry.get(foreign.id))?.status, 'cancelled');
  });

  it('item 5: a run of the command line is labelled as such', async () => {
    const api = await groveApi();
    const cli = runCli(['run', 'From the terminal'], workspaceRoot(), { GROVE_DOUBLE_DELAY_MS: '5000', GROVE_AGENT_COMMAND: agentCommand() });
    const row = await eventually(() => api.slotsView.current.find((candidate) => candidate.state === 'attached' && candidate.doing === 'From the terminal'), 'the CLI run on a slot', 20_000);
    assert.match(String(api.slotsView.getTreeItem(row).description), /started by the command line$/);
    assert.equal((await cli).code, 0);
  });
});
