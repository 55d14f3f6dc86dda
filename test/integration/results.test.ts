import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskResult } from '../../src/core/engine/types';
import type { ResultRecord } from '../../src/core/results';
import type { ResultNode } from '../../src/vscode/results/resultsView';
import type { Ended } from '../../src/vscode/notifications';
import { command, eventually, groveApi, runCli, session, workspaceRoot } from './helpers';

async function results() {
  const api = await groveApi();
  if (!api.results) throw new Error('the Results feature is not wired');
  return api.results;
}

/** Runs a task on the window's engine that writes `file`, and waits for its result in the view. */
async function taskWithWork(prompt: string, file: string): Promise<{ task: TaskResult; record: ResultRecord }> {
  const s = await session();
  const feature = await results();
  const task = await s.engine.run({ prompt, settings: { env: { GROVE_DOUBLE_WRITE_FILE: file } } });
  assert.equal(task.status, 'succeeded', task.error ?? '');
  const record = await eventually(() => feature.view.current.find((candidate) => candidate.taskId === task.id), `the result of ${task.id} in the view`);
  return { task, record };
}

describe('results: the view, Review Changes, agent output, continue, comments, discard, fan-out, parked work', () => {
  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
    await vscode.commands.executeCommand('grove.results.focus');
  });

  it('a finished task shows in the Results view with its first line, cost and "+N −M in K files", and the badge counts it', async () => {
    const feature = await results();
    const { record } = await taskWithWork('Rewrite the readme\nwith detail', 'README.md=# demo\nnew line\n');
    assert.equal(record.title, 'Rewrite the readme');
    const roots = feature.view.getChildren();
    const row = roots.find((node) => node.kind === 'result' && node.record.id === record.id) as ResultNode;
    const item = feature.view.getTreeItem(row);
    assert.equal(item.label, 'Rewrite the readme');
    assert.match(String(item.description), /\$0\.24.* · \+1 −0 in 1 file/);
    assert.match(String(item.contextValue), /^grove\.result\.succeeded\.awaiting\.worktree/);
    assert.ok((feature.tree.badge?.value ?? 0) >= 1, 'the badge counts results awaiting review');
    const files = feature.view.getChildren(row);
    assert.deepEqual(files.map((node) => node.kind === 'file' && node.file.path), ['README.md']);
  });

  it('Review Changes opens the multi-file diff: base side read-only from the commit, worktree side the real file', async () => {
    const feature = await results();
    const { record } = await taskWithWork('Add a notes file', 'notes.txt=hello\n');
    const triples = await command<[vscode.Uri, vscode.Uri, vscode.Uri][]>('grove.results.reviewChanges', record.id);
    assert.equal(triples.length, 1);
    const [label, left, right] = triples[0];
    assert.equal(label.fsPath, path.join(record.worktree!.path, 'notes.txt'));
    assert.equal(left.scheme, 'grove-base');
    assert.equal(right.scheme, 'file');
    const base = await vscode.workspace.openTextDocument(left);
    assert.equal(base.getText(), '', 'an added file has an empty base side');
    const tab = await eventually(() => vscode.window.tabGroups.activeTabGroup.activeTab, 'the review tab');
    assert.match(tab.label, /Review: Add a notes file/);
    assert.ok(feature.lastReviewMs !== null && feature.lastReviewMs >= 0);
    // A modified file's base side is the file at the base commit, not the worktree's.
    const readme = (await feature.results.service.list()).find((candidate) => candidate.title === 'Rewrite the readme')!;
    const [[, readmeBase]] = await command<[vscode.Uri, vscode.Uri, vscode.Uri][]>('grove.results.reviewChanges', readme.id);
    assert.equal((await vscode.workspace.openTextDocument(readmeBase)).getText(), '# demo\n');
    // A crafted base URI (anyone can write one into a link) is served nothing and runs no git option.
    const target = path.join(workspaceRoot(), 'crafted.txt');
    const crafted = readmeBase.with({ path: '/crafted', query: JSON.stringify({ repo: workspaceRoot(), commit: `--output=${target}`, file: 'README.md' }) });
    assert.equal((await vscode.workspace.openTextDocument(crafted)).getText(), '');
    assert.ok(!readdirSync(workspaceRoot()).some((name) => name.startsWith('crafted')), 'no file was written');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Show Agent Output renders the final message and the run\'s transcript as Markdown', async () => {
    const feature = await results();
    const record = feature.view.current[0];
    const text = await command<string>('grove.results.showOutput', record.id);
    assert.match(text, /## Final message\n\nDone\. Added `add` in src\/add\.ts\./);
    assert.match(text, /## Run 1: task/);
    assert.match(text, /- \*\*Edit\*\* `\/home\/dev\/project\/src\/add\.ts`/);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a pending review comment is stored on the result and shown as a thread; Send Review continues the session with it', async () => {
    const feature = await results();
    const { record } = await taskWithWork('Write a poem', 'poem.txt=roses\nviolets\n');
    const uri = vscode.Uri.file(path.join(record.worktree!.path, 'poem.txt'));
    await vscode.window.showTextDocument(uri);
    const thread = feature.comments.controller.createCommentThread(uri, new vscode.Range(1, 0, 1, 0), []);
    await command('grove.results.addComment', { thread, text: 'Make them blue' });
    const stored = (await feature.results.service.find(record.id)).pendingComments;
    assert.deepEqual(stored.map((comment) => [comment.file, comment.line, comment.lineText, comment.body]), [['poem.txt', 2, 'violets', 'Make them blue']]);
    assert.equal(thread.comments[0].label, 'pending');
    // From the thread's title bar, as a person clicks it: the thread says which result.
    const outcome = await command<{ task: TaskResult }>('grove.results.sendReview', thread);
    assert.equal(outcome.task.status, 'succeeded', outcome.task.error ?? '');
    const after = await feature.results.service.find(record.id);
    assert.equal(after.pendingComments.length, 0);
    assert.equal(after.runs.length, 2);
    assert.equal(after.runs[1].step, 'review');
    assert.match(after.runs[1].prompt, /poem\.txt, line 2:\n {3}> violets\n {3}Make them blue/);
    assert.equal(outcome.task.worktree, record.worktree!.name, 'the follow-up ran in the result\'s worktree');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('Continue sends a follow-up in the same session; the CLI sees the editor\'s results and the editor the CLI\'s', async () => {
    const feature = await results();
    const record = feature.view.current.find((candidate) => candidate.title === 'Add a notes file')!;
    const api = await groveApi();
    api.testing.ui.push('And one more thing'); // the input box's answer
    const outcome = await command<{ task: TaskResult }>('grove.results.continue', record.id);
    assert.equal(outcome.task.status, 'succeeded');
    assert.equal(outcome.task.sessionId, record.runs[0].sessionId);
    assert.equal(outcome.task.prompt, 'And one more thing');
    assert.ok(api.testing.ui.asked.some((question) => /follow-up for the agent/.test(question)), 'Continue asked for the follow-up');
    const listed = await runCli(['results', '--json'], workspaceRoot());
    assert.equal(listed.code, 0, listed.stderr);
    const fromCli = (JSON.parse(listed.stdout) as { results: ResultRecord[] }).results.find((candidate) => candidate.id === record.id)!;
    assert.equal(fromCli.runs.length, 2);
    const run = await runCli(['run', 'From the terminal'], workspaceRoot(), { GROVE_AGENT_COMMAND: (await session()).config().agentCommand, GROVE_DOUBLE_WRITE_FILE: 'cli.txt' });
    assert.equal(run.code, 0, run.stderr);
    await eventually(() => feature.view.current.find((candidate) => candidate.title === 'From the terminal'), 'the CLI\'s result in the view');
  });

  it('a blocked task (Claude denied Bash(npm test)): the toast says the agent needs you, the row shows what it wanted, Re-run Allowing… allows exactly that', async () => {
    const feature = await results();
    const api = await groveApi();
    const s = await session();
    const ended = new Promise<Ended>((resolve) => { const listener = api.notifier!.onDidEnd((end) => { listener.dispose(); resolve(end); }); });
    const task = await s.engine.run({ prompt: 'Run the test suite', settings: { env: { GROVE_DOUBLE_SCENARIO: 'permission-denied', GROVE_DOUBLE_WRITE_FILE: 'tested.txt=not yet\n' } } });
    api.notifier!.taskEnded(task);
    const end = await ended;
    assert.equal(end.blockedTask, task.id);
    assert.match(end.message, /"Run the test suite" needs you on slot-\d+: the agent is blocked, it wanted Bash\(npm test\)/);
    const record = await eventually(() => feature.view.current.find((candidate) => candidate.taskId === task.id), 'the blocked result in the view');
    const item = feature.view.getTreeItem({ kind: 'result', record });
    assert.equal((item.iconPath as vscode.ThemeIcon).id, 'shield');
    assert.match(String(item.description), /^needs you: Bash\(npm test\) · \$/);
    assert.match(String(item.contextValue), /\.blocked$/);
    // The quick pick offers what it was denied, ticked; the scripted answer keeps it.
    api.testing.ui.push('Bash(npm test)');
    const outcome = await command<{ task: TaskResult; record: ResultRecord }>('grove.results.rerunAllowing', record.id);
    assert.deepEqual(api.testing.ui.offered.at(-1)?.map((offer) => [offer.label, offer.picked]), [['Bash(npm test)', true]]);
    assert.equal(outcome.task.status, 'succeeded', outcome.task.error ?? '');
    assert.equal(outcome.task.worktree, record.worktree!.name, 'it ran in the result\'s worktree');
    const entry = JSON.parse(readFileSync(path.join(s.repo.groveDir, 'runs', `${outcome.task.runId}.json`), 'utf8')) as { args: string[] };
    assert.equal(entry.args[entry.args.indexOf('--allowedTools') + 1], 'Bash(npm test)', entry.args.join(' '));
    const after = await eventually(async () => {
      const current = await feature.results.service.find(record.id);
      return current.runs.length === 2 ? current : undefined;
    }, 'the re-run on the result');
    assert.equal(after.runs[1].step, 'allowing');
    const redrawn = feature.view.getTreeItem({ kind: 'result', record: after });
    assert.doesNotMatch(String(redrawn.contextValue), /blocked/);
    assert.equal((redrawn.iconPath as vscode.ThemeIcon).id, 'pass');
    // The pool has 8 worktrees for every test here: give this one back (parked, nothing lost).
    await feature.results.service.discard(record.id);
  });

  it('Discard parks the work and returns the worktree; Parked Work lists it, Restore brings it back, Delete asks', async () => {
    const feature = await results();
    const api = await groveApi();
    const { record } = await taskWithWork('Throwaway', 'junk.txt=junk\n');
    api.testing.ui.push('Discard');
    const discarded = await command<ResultRecord>('grove.results.discard', record.id);
    assert.ok(discarded.parkedRef?.startsWith('refs/grove/parked/'));
    assert.ok(!existsSync(path.join(record.worktree!.path, 'junk.txt')));
    const parkedRoot = await eventually(() => feature.view.getChildren().find((node) => node.kind === 'parked-root'), 'the Parked Work row');
    const parked = feature.view.getChildren(parkedRoot).find((node) => node.kind === 'parked' && node.entry.ref === discarded.parkedRef)!;
    assert.equal(String(feature.view.getTreeItem(parked).contextValue), 'grove.parked');
    const restored = await command<{ path: string }>('grove.results.restoreParked', parked);
    assert.equal(readFileSync(path.join(restored.path, 'junk.txt'), 'utf8'), 'junk\n');
    api.testing.ui.push(undefined);
    assert.equal(await command('grove.results.dropParked', discarded.parkedRef), undefined, 'dismissing the question deletes nothing');
    api.testing.ui.push('Delete');
    await command('grove.results.dropParked', discarded.parkedRef);
    assert.ok(!(await feature.results.service.parked()).some((entry) => entry.ref === discarded.parkedRef));
    await (await session()).pool.returnWorktree(path.basename(restored.path), { force: true });
  });

  it('a fan-out is one group; Compare shows every variant; Keep This One keeps one and discards the rest', async () => {
    const feature = await results();
    const api = await groveApi();
    const s = await session();
    const tasks = await s.engine.fanOut({ prompt: 'Pick an approach', count: 2 }, { settings: { env: { GROVE_DOUBLE_WRITE_FILE: 'approach.txt' } } });
    // Other suites in this window fan out too: find this one's group by its tasks.
    const taskIds = new Set(tasks.map((task) => task.id));
    const group = await eventually(() => feature.view.getChildren().find((node) => node.kind === 'group' && node.records.length === 2 && node.records.every((record) => taskIds.has(record.taskId ?? ''))), 'the fan-out group');
    assert.match(String(feature.view.getTreeItem(group).label), /^fan-out ×2: Pick an approach/);
    const table = await command<string>('grove.results.compare', group);
    assert.match(table, /\| 1 \| succeeded \| awaiting \|/);
    assert.match(table, /\| 2 \| succeeded \| awaiting \|/);
    const [first, second] = (group as Extract<ResultNode, { kind: 'group' }>).records;
    const pair = await command<unknown[]>('grove.results.compareVariants', first.id, second.id);
    assert.equal(pair.length, 1);
    api.testing.ui.push('Keep This One');
    const { kept, discarded } = await command<{ kept: ResultRecord; discarded: ResultRecord[] }>('grove.results.keep', second.id);
    assert.equal(kept.review, 'kept');
    assert.deepEqual(discarded.map((record) => record.id), [first.id]);
    assert.equal(tasks.length, 2);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('a hand-broken result file is skipped: the view still draws every other result', async () => {
    const feature = await results();
    const made = feature.view.current.length === 0 ? (await taskWithWork('Leave a result', 'left.txt=x\n')).record : null;
    const before = feature.view.current.length;
    const dir = path.join((await session()).repo.groveDir, 'results');
    writeFileSync(path.join(dir, 'broken.json'), JSON.stringify({ version: 1, id: 'broken', createdAt: new Date().toISOString(), runs: [], title: 7 }));
    writeFileSync(path.join(dir, 'half.json'), '{"version":1,"id":"half","ti');
    try {
      await feature.refresh();
      assert.equal(feature.view.current.length, before);
      assert.ok(!feature.view.current.some((record) => record.id === 'broken' || record.id === 'half'));
      for (const node of feature.view.getChildren()) assert.doesNotMatch(String(feature.view.getTreeItem(node).description ?? ''), /NaN|undefined/);
    } finally {
      rmSync(path.join(dir, 'broken.json'), { force: true });
      rmSync(path.join(dir, 'half.json'), { force: true });
      if (made) await feature.results.service.discard(made.id);
    }
  });

  it('draws 1,000 results and opens Review Changes for 200 and 500 files (figures for BENCHMARKS.md)', async function () {
    this.timeout(240_000);
    const feature = await results();
    const s = await session();
    const store = feature.results.store;
    const now = new Date().toISOString();
    const template: ResultRecord = {
      version: 1, id: 'x', kind: 'task', taskId: null, chainRunId: null, group: null, title: 'x', prompt: 'x', chain: null, status: 'succeeded',
      review: 'awaiting', finalMessage: 'done', error: null, errorKind: null, runs: [], costMicros: 241674, worktree: null, worktreeName: null,
      baseCommit: null, parkedRef: null, pendingComments: [], createdAt: now, updatedAt: now,
      changes: { files: [{ path: 'a.ts', oldPath: 'a.ts', kind: 'modified', added: 3, removed: 1, untracked: false }], added: 3, removed: 1, commits: [], untracked: [], head: '', computedAt: now },
    };
    const ids: string[] = [];
    const figures: Record<string, number | number[]> = {};
    for (let i = 0; i < 1000; i++) {
      const id = `result-bench-${String(i).padStart(4, '0')}`;
      ids.push(id);
      // Plain writes: a thousand fsyncs would time the disk, not the view.
      writeFileSync(store.fileOf(id), JSON.stringify({ ...template, id, title: `bench result ${i}`, group: i % 10 === 0 ? { id: `fanout-bench-${i}`, kind: 'fan-out', index: 1, count: 1 } : null, worktree: null, pendingComments: [], createdAt: new Date(Date.now() - i * 1000).toISOString() }));
    }
    try {
      const listStart = performance.now();
      const records = await store.list();
      const listMs = performance.now() - listStart;
      // Five draws: the first pays for warming up the code paths; all are kept.
      const draws: number[] = [];
      let items = 0;
      for (let sample = 0; sample < 5; sample++) {
        const drawStart = performance.now();
        feature.view.show(records, []);
        items = 0;
        const walk = (nodes: ResultNode[]) => { for (const node of nodes) { feature.view.getTreeItem(node); items++; if (node.kind === 'group') walk(feature.view.getChildren(node)); } };
        walk(feature.view.getChildren());
        draws.push(performance.now() - drawStart);
      }
      const drawMs = [...draws].sort((a, b) => a - b)[2];
      assert.ok(items >= 1000, `every result drawn (${items} rows)`);
      figures.drawSamples = draws;
      figures.list = listMs;
      figures.draw = drawMs;
      figures.rows = items;
    } finally {
      for (const id of ids) rmSync(store.fileOf(id), { force: true });
    }
    const lease = await s.pool.lease({ holder: 'bench' });
    for (let i = 0; i < 200; i++) writeFileSync(path.join(lease.path, `bench-${i}.txt`), `line ${i}\n`);
    const base = (await s.pool.leaseOf(lease.name))!.head;
    await store.save({ ...template, id: 'result-bench-review', title: 'bench review', worktree: { name: lease.name, path: lease.path, leaseId: lease.leaseId, holder: 'bench' }, baseCommit: base, group: null, pendingComments: [] });
    const triples = await command<unknown[]>('grove.results.reviewChanges', 'result-bench-review');
    assert.equal(triples.length, 200);
    figures.review200 = feature.lastReviewMs!;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    // Issue 10: 500 changed files stay usable (one multi-diff editor with every file).
    const large = await s.pool.lease({ holder: 'bench-500' }); // its own holder: a lease is idempotent per holder
    for (let i = 0; i < 500; i++) writeFileSync(path.join(large.path, `large-${i}.txt`), `line ${i}\n`);
    await store.save({ ...template, id: 'result-bench-review-500', title: 'bench review 500', worktree: { name: large.name, path: large.path, leaseId: large.leaseId, holder: 'bench-500' }, baseCommit: (await s.pool.leaseOf(large.name))!.head, group: null, pendingComments: [] });
    const largeTriples = await command<unknown[]>('grove.results.reviewChanges', 'result-bench-review-500');
    assert.equal(largeTriples.length, 500);
    const tab = await eventually(() => vscode.window.tabGroups.activeTabGroup.activeTab, 'the review tab of 500 files');
    assert.match(tab.label, /Review: bench review 500/);
    figures.review500 = feature.lastReviewMs!;
    // The extension host's console is not the harness's: the figures go to a file beside the test results.
    writeFileSync(path.resolve(__dirname, '..', '..', 'test-results', 'results-figures.json'), JSON.stringify(figures, null, 2));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const id of ['result-bench-review', 'result-bench-review-500']) rmSync(store.fileOf(id), { force: true });
    for (const name of [lease.name, large.name]) await s.pool.returnWorktree(name, { force: true });
    await feature.refresh();
  });
});
