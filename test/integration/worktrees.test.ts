import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Lease, WorktreeStatus } from '../../src/core/pool/pool';
import { command, eventually, groveApi, runCli, session, treeNames, workspaceRoot } from './helpers';

function statusOf(name: string, statuses: readonly WorktreeStatus[]): WorktreeStatus {
  const found = statuses.find((status) => status.name === name);
  if (!found) throw new Error(`no worktree ${name} in the tree (${statuses.map((s) => s.name).join(', ')})`);
  return found;
}

describe('worktrees tree and pool commands', () => {
  before(async () => {
    const api = await groveApi();
    api.testing.useScriptedUi(true);
  });

  it('shows a worktree leased by `grove lease` in a terminal without any refresh from the test', async () => {
    const api = await groveApi();
    const cli = await runCli(['lease', '--holder', 'terminal-user'], workspaceRoot());
    assert.equal(cli.code, 0, cli.stderr);
    const leasedPath = cli.stdout.trim();
    const name = path.basename(leasedPath);
    // The state-file watcher refreshes the tree; give it the second the issue allows, and a margin for a loaded CI machine.
    const row = await eventually(() => api.worktreesView.current.find((status) => status.name === name && status.state === 'leased'), `${name} leased in the tree`, 5000);
    assert.equal(row.holder, 'terminal-user');
    assert.equal(row.path, leasedPath);
    const item = api.worktreesView.getTreeItem(row);
    assert.match(String(item.description), /leased · terminal-user/);
    assert.match(String(item.contextValue), /^grove\.worktree\.leased/);
  });

  it('grove.lease leases a worktree for the editor holder and the tree shows it', async () => {
    const api = await groveApi();
    const lease = await command<Lease>('grove.lease');
    assert.ok(lease && existsSync(lease.path), 'the leased worktree exists on disk');
    assert.match(lease.holder, /^vscode:[0-9a-f]+-\d+$/, 'the editor prefix, then this window and the lease');
    assert.equal(statusOf(lease.name, api.worktreesView.current).state, 'leased');
  });

  it('grove.copyPath puts the worktree path on the clipboard', async () => {
    const api = await groveApi();
    const row = api.worktreesView.current[0];
    const copied = await command<string>('grove.copyPath', row);
    assert.equal(copied, row.path);
    assert.equal(await vscode.env.clipboard.readText(), row.path);
  });

  it('grove.openTerminal opens a terminal in the worktree', async () => {
    const api = await groveApi();
    const row = api.worktreesView.current[0];
    const name = await command<string>('grove.openTerminal', row);
    const terminal = await eventually(() => vscode.window.terminals.find((candidate) => candidate.name === name), 'the terminal');
    assert.equal((terminal.creationOptions as vscode.TerminalOptions).cwd, row.path);
    terminal.dispose();
  });

  it('grove.addToWorkspace appends the worktree as a folder and leaves folder 0 alone', async () => {
    const api = await groveApi();
    const first = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const row = api.worktreesView.current[0];
    assert.equal(await command<boolean>('grove.addToWorkspace', row), true);
    await eventually(() => vscode.workspace.workspaceFolders!.some((folder) => folder.uri.fsPath === row.path), 'the folder in the workspace', 10_000);
    const folders = vscode.workspace.workspaceFolders!.map((folder) => folder.uri.fsPath);
    assert.equal(folders[0], first);
    assert.ok(folders.includes(row.path), `folders: ${folders.join(', ')}`);
    // Adding it again changes nothing.
    assert.equal(await command<boolean>('grove.addToWorkspace', row), true);
    assert.equal(vscode.workspace.workspaceFolders!.length, folders.length);
  });

  it('grove.openInNewWindow asks VS Code to open the worktree folder', async () => {
    const api = await groveApi();
    const row = api.worktreesView.current[0];
    assert.equal(await command<boolean>('grove.openInNewWindow', row), true);
  });

  it('grove.return gives a clean lease back and the tree shows it available', async () => {
    const api = await groveApi();
    const leased = api.worktreesView.current.find((status) => api.testing.identity.holds(status.holder) && !status.dirty)!;
    const outcome = await command<{ name: string }>('grove.return', leased);
    assert.equal(outcome.name, leased.name);
    assert.equal(statusOf(leased.name, api.worktreesView.current).state, 'available');
  });

  it('grove.return on a dirty worktree asks, then parks the work and returns it', async () => {
    const api = await groveApi();
    const leased = api.worktreesView.current.find((status) => status.holder === 'terminal-user')!;
    writeFileSync(path.join(leased.path, 'scratch.txt'), 'work in progress\n');
    // Not this window's lease: confirmed first (issue 8), then the question about the work.
    api.testing.ui.push('Return', 'Park and Return');
    const outcome = await command<{ parkedRef?: string }>('grove.return', leased);
    assert.ok(api.testing.ui.asked.at(-1)?.includes('holds work'), 'the user was asked before parking');
    assert.match(outcome.parkedRef ?? '', /^refs\/grove\/parked\//);
    const refs = execFileSync('git', ['for-each-ref', '--format=%(refname)', 'refs/grove/parked/'], { cwd: workspaceRoot(), encoding: 'utf8' });
    assert.ok(refs.includes(outcome.parkedRef!), 'the parked ref exists');
    assert.equal(existsSync(path.join(leased.path, 'scratch.txt')), false);
  });

  it('grove.destroy names what would be parked and does nothing when the user says no', async () => {
    const api = await groveApi();
    const s = await session();
    const lease = await s.pool.lease({ holder: 'destroy-me' });
    writeFileSync(path.join(lease.path, 'notes.txt'), 'keep me\n');
    await s.refreshWorktrees();
    api.testing.ui.push(undefined); // dismiss the modal
    await command('grove.destroy', statusOf(lease.name, api.worktreesView.current));
    const question = api.testing.ui.asked.at(-1) ?? '';
    assert.match(question, /1 untracked file \(notes\.txt\)/);
    assert.match(question, /leased to destroy-me since/);
    assert.ok(existsSync(lease.path), 'nothing was destroyed');

    api.testing.ui.push('Park and Destroy');
    const outcome = await command<{ parkedRef?: string }>('grove.destroy', statusOf(lease.name, api.worktreesView.current));
    assert.match(outcome.parkedRef ?? '', /^refs\/grove\/parked\//);
    assert.equal(existsSync(lease.path), false);
    assert.deepEqual(treeNames(api).includes(lease.name), false);
  });

  it('grove.prune lists what it would remove, and removes it once confirmed', async () => {
    const api = await groveApi();
    const before = api.worktreesView.current.filter((status) => status.state === 'available').length;
    assert.ok(before > 0, 'an available worktree to prune');
    api.testing.ui.push('Prune');
    const outcome = await command<{ removed: string[] }>('grove.prune');
    assert.equal(outcome.removed.length, before);
    assert.equal(api.worktreesView.current.filter((status) => status.state === 'available').length, 0);
  });
});
