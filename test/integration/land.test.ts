import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ResultRecord } from '../../src/core/results';
import type { ResultNode } from '../../src/vscode/results/resultsView';
import { command, eventually, groveApi, session, workspaceRoot } from './helpers';

const IDENTITY = { GIT_AUTHOR_NAME: 'Grove Test', GIT_AUTHOR_EMAIL: 'test@example.invalid', GIT_COMMITTER_NAME: 'Grove Test', GIT_COMMITTER_EMAIL: 'test@example.invalid' };

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...IDENTITY } }).trim();
}

async function feature() {
  const api = await groveApi();
  if (!api.results) throw new Error('the Results feature is not wired');
  return api.results;
}

async function taskWithWork(prompt: string, file: string): Promise<ResultRecord> {
  const task = await (await session()).engine.run({ prompt, settings: { env: { GROVE_DOUBLE_WRITE_FILE: file } } });
  assert.equal(task.status, 'succeeded', task.error ?? '');
  return eventually(() => feature().then((f) => f.view.current.find((candidate) => candidate.taskId === task.id)), `the result of ${task.id} in the view`);
}

function rowOf(nodes: ResultNode[], id: string): ResultNode | undefined {
  return nodes.find((node) => node.kind === 'result' && node.record.id === id);
}

describe('Land… from the Results view (issue 11)', () => {
  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
    await vscode.commands.executeCommand('grove.results.focus');
  });

  it('squash into main from a result row: one commit on main, the result in the Landed group, its worktree available again', async () => {
    const f = await feature();
    const repo = workspaceRoot();
    const record = await taskWithWork('Write the landing notes', 'landing-notes.txt=landed from the editor\n');
    const before = git(repo, 'rev-parse', 'HEAD');
    const row = rowOf(f.view.getChildren(), record.id)!;
    assert.ok(row, 'the result has a row');
    assert.match(String(f.view.getTreeItem(row).contextValue), /^grove\.result\.succeeded\.awaiting\.worktree/);
    const api = await groveApi();
    api.testing.ui.push('Squash into a branch', 'main', 'Land the notes');
    await command('grove.results.land', row);
    assert.equal(git(repo, 'rev-parse', 'HEAD^'), before);
    assert.equal(git(repo, 'log', '-1', '--format=%s'), 'Land the notes');
    assert.match(git(repo, 'log', '-1', '--format=%b'), /Done\. Added `add`/, 'the body is drafted from the final message');
    assert.equal(readFileSync(path.join(repo, 'landing-notes.txt'), 'utf8'), 'landed from the editor\n');
    assert.ok(api.testing.ui.asked.some((question) => /Land "Write the landing notes"/.test(question)), 'the way was asked');
    const landedRoot = await eventually(() => f.view.getChildren().find((node) => node.kind === 'landed-root'), 'the Landed group');
    assert.ok(rowOf(f.view.getChildren(landedRoot), record.id), 'the result is under Landed');
    assert.ok(!rowOf(f.view.getChildren(), record.id), 'and no longer among results awaiting review');
    assert.equal(String(f.view.getTreeItem(landedRoot).label), `Landed (${f.view.getChildren(landedRoot).length})`);
    const status = (await (await session()).pool.status()).find((entry) => entry.name === record.worktree!.name);
    assert.equal(status?.state, 'available');
    assert.ok(!existsSync(path.join(record.worktree!.path, 'landing-notes.txt')), 'the worktree is back at its base');
  });

  it('a conflict asks Cancel or Resolve with the Agent: Cancel changes nothing; Resolve continues the result with the resolve prompt', async () => {
    const f = await feature();
    const repo = workspaceRoot();
    const record = await taskWithWork('Write the conflict file', 'land-conflict.txt=from the agent\n');
    writeFileSync(path.join(repo, 'land-conflict.txt'), 'from main\n');
    git(repo, 'add', 'land-conflict.txt');
    git(repo, 'commit', '-q', '-m', 'main writes the conflict file');
    const head = git(repo, 'rev-parse', 'HEAD');
    const api = await groveApi();
    api.testing.ui.push('Squash into a branch', 'main', 'Land it', undefined);
    assert.equal(await command('grove.results.land', record.id), undefined);
    assert.ok(api.testing.ui.asked.some((question) => /conflicts in land-conflict\.txt/.test(question)), 'the conflict names the file');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
    assert.equal(git(repo, 'status', '--porcelain'), '');
    assert.equal((await f.results.service.find(record.id)).review, 'awaiting');

    api.testing.ui.push('Squash into a branch', 'main', 'Land it', 'Resolve with the Agent');
    await command('grove.results.land', record.id);
    const after = await eventually(async () => {
      const current = await f.results.service.find(record.id);
      return current.runs.length === 2 ? current : null;
    }, 'the resolve follow-up recorded on the result', 30_000);
    assert.equal(after.runs[1].step, 'resolve');
    assert.match(after.runs[1].prompt, /land-conflict\.txt/);
    assert.equal(after.review, 'awaiting');
    assert.equal(git(repo, 'rev-parse', 'HEAD'), head);
  });
});
