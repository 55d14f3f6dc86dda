// Issue 8: what a new user hit with leases in the browser VS Code (items 2, 3, 8, 10, 11, 16).
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Lease, WorktreeStatus } from '../../src/core/pool/pool';
import { command, eventually, groveApi, refusedCommand, runCli, session, workspaceRoot } from './helpers';

function row(name: string, statuses: readonly WorktreeStatus[]): WorktreeStatus {
  const found = statuses.find((status) => status.name === name);
  if (!found) throw new Error(`no worktree ${name} in the tree`);
  return found;
}

async function cliLease(holder: string): Promise<string> {
  const cli = await runCli(['lease', '--holder', holder], workspaceRoot());
  assert.equal(cli.code, 0, cli.stderr);
  return path.basename(cli.stdout.trim());
}

describe('issue 8: leases from the editor', () => {
  before(async () => {
    (await groveApi()).testing.useScriptedUi(true);
  });

  it('item 2: Lease Worktree twice from one window gives two leases, each its own holder under the grove.pool.holder prefix', async () => {
    const first = await command<Lease>('grove.lease');
    const second = await command<Lease>('grove.lease');
    assert.notEqual(first.name, second.name, 'the second lease is another worktree');
    assert.notEqual(first.leaseId, second.leaseId);
    assert.notEqual(first.holder, second.holder);
    for (const lease of [first, second]) assert.match(lease.holder, /^vscode:[0-9a-f]+-\d+$/);
    const api = await groveApi();
    assert.ok(api.testing.identity.holds(first.holder) && api.testing.identity.holds(second.holder), 'both are this window\'s');
    const status = JSON.parse((await runCli(['status', '--json'], workspaceRoot())).stdout) as WorktreeStatus[];
    assert.equal(status.filter((entry) => entry.leaseId === first.leaseId || entry.leaseId === second.leaseId).length, 2);
    for (const lease of [first, second]) await command('grove.return', lease.name);
  });

  it('item 3: returning a worktree leased to cli-user asks first, naming the holder and since when; No keeps the lease', async () => {
    const api = await groveApi();
    const s = await session();
    const name = await cliLease('cli-user');
    await s.refreshWorktrees();
    const target = row(name, api.worktreesView.current);
    api.testing.ui.push(undefined); // dismiss the confirmation
    const asked = api.testing.ui.asked.length;
    await command('grove.return', target);
    const question = api.testing.ui.asked.slice(asked).join('\n');
    assert.match(question, new RegExp(`${name} is leased to cli-user since .*\\(\\d+ (s|min) ago\\)`));
    assert.match(question, /not this window's lease/);
    assert.equal((await s.pool.leaseOf(name))?.holder, 'cli-user', 'the lease is still there');
  });

  it('item 3: the Return picker marks leases that are not this window\'s, and a lease that changed meanwhile is left alone', async () => {
    const api = await groveApi();
    const s = await session();
    await s.refreshWorktrees();
    const cliRow = api.worktreesView.current.find((status) => status.holder === 'cli-user')!;
    // The row the user confirmed on is stale: the worktree was returned and leased again meanwhile.
    assert.equal((await runCli(['return', cliRow.name], workspaceRoot())).code, 0);
    const again = await runCli(['lease', '--holder', 'someone-else'], workspaceRoot());
    assert.equal(path.basename(again.stdout.trim()), cliRow.name, 'the same worktree was leased again');
    api.testing.ui.push('Return');
    const error = await refusedCommand('grove.return', cliRow);
    assert.match(error.message, /another lease id/);
    assert.equal((await s.pool.leaseOf(cliRow.name))?.holder, 'someone-else', 'the new lease was left alone');
    // The palette's picker: pick nothing, then read what it offered.
    const titles = api.testing.ui.titles.length;
    const offered = api.testing.ui.offered.length;
    api.testing.ui.push(undefined);
    await command('grove.return');
    assert.equal(api.testing.ui.titles[titles], 'Grove: Return Worktree');
    const someoneElses = api.testing.ui.offered[offered].find((item) => item.label === cliRow.name);
    assert.match(String(someoneElses?.description), /someone-else · .*not this window's lease/);
    assert.equal((await runCli(['return', cliRow.name], workspaceRoot())).code, 0);
  });

  it('item 3: Return worktree leased to cli-user, confirmed, returns exactly that lease', async () => {
    const api = await groveApi();
    const s = await session();
    const name = await cliLease('cli-user');
    await s.refreshWorktrees();
    api.testing.ui.push('Return');
    await command('grove.return', row(name, api.worktreesView.current));
    assert.equal(await s.pool.leaseOf(name), null);
  });

  it('item 10: Destroy says exactly what is there (one untracked file), and does not list the lease as something it parks', async () => {
    const api = await groveApi();
    const s = await session();
    const lease = await command<Lease>('grove.lease');
    writeFileSync(path.join(lease.path, 'notes.txt'), 'mine\n');
    await s.refreshWorktrees();
    api.testing.ui.push(undefined);
    const asked = api.testing.ui.asked.length;
    await command('grove.destroy', row(lease.name, api.worktreesView.current));
    const question = api.testing.ui.asked.slice(asked).join('\n');
    assert.match(question, /1 untracked file \(notes\.txt\)/);
    assert.doesNotMatch(question, /uncommitted changes and untracked files/);
    assert.doesNotMatch(question, /parked[^.]*lease/);
    await s.pool.returnWorktree(lease.name, { force: true });
  });

  it('item 8: writing a file in a leased worktree shows the dirty mark without a refresh', async () => {
    const api = await groveApi();
    const s = await session();
    const lease = await command<Lease>('grove.lease');
    await s.refreshWorktrees();
    try {
      assert.equal(row(lease.name, api.worktreesView.current).dirty, false);
      assert.equal(api.testing.liveMarks?.watching, true, 'the pool root is watched while the view is visible');
      writeFileSync(path.join(lease.path, 'dirty.txt'), 'x\n');
      await eventually(() => api.testing.liveMarks!.looked.some((names) => names.includes(lease.name)), `a look at ${lease.name}`, 15_000);
      await eventually(() => row(lease.name, api.worktreesView.current).dirty, `${lease.name} marked dirty`, 15_000);
      assert.match(String(api.worktreesView.getTreeItem(row(lease.name, api.worktreesView.current)).description), /● dirty/);
    } finally {
      await s.pool.returnWorktree(lease.name, { force: true });
    }
  });

  it('item 8: a terminal opened in a worktree shows its process mark without a refresh', async () => {
    const api = await groveApi();
    const s = await session();
    const lease = await command<Lease>('grove.lease');
    await s.refreshWorktrees();
    assert.deepEqual(row(lease.name, api.worktreesView.current).processes, []);
    await command('grove.openTerminal', row(lease.name, api.worktreesView.current));
    await eventually(() => row(lease.name, api.worktreesView.current).processes.length > 0, `${lease.name} shows the terminal's shell`, 20_000);
    for (const terminal of vscode.window.terminals.filter((candidate) => candidate.name === 'Grove')) terminal.dispose();
    await eventually(async () => {
      await s.refreshWorktrees();
      return row(lease.name, api.worktreesView.current).processes.length === 0;
    }, 'the shell gone', 20_000);
    await s.pool.returnWorktree(lease.name, { force: true });
  });

  it('item 11: grove status\'s table shows the processes inside a worktree, as --json does', async () => {
    const s = await session();
    const lease = await command<Lease>('grove.lease');
    const sleeper = spawn('sleep', ['60'], { cwd: lease.path, stdio: 'ignore' });
    try {
      const json = await eventually(async () => {
        const parsed = JSON.parse((await runCli(['status', '--json'], workspaceRoot())).stdout) as WorktreeStatus[];
        return parsed.find((entry) => entry.name === lease.name && entry.processes.includes(sleeper.pid!));
      }, 'the sleeper in --json');
      const table = (await runCli(['status'], workspaceRoot())).stdout.split('\n');
      assert.match(table[0], /PROCESSES/);
      const line = table.find((text) => text.startsWith(`${lease.name} `))!;
      assert.ok(line.includes(String(sleeper.pid)), `the table line names pid ${sleeper.pid}: ${line} (json: ${json.processes.join(',')})`);
    } finally {
      sleeper.kill();
    }
    await s.pool.returnWorktree(lease.name, { force: true });
  });

  it('item 16: input and picker titles are the command names', async () => {
    const api = await groveApi();
    const ui = api.testing.ui;
    const from = ui.titles.length;
    for (const id of ['grove.scale', 'grove.setBudget', 'grove.destroy', 'grove.openTerminal', 'grove.copyPath', 'grove.addToWorkspace', 'grove.openInNewWindow']) {
      ui.push(undefined);
      await vscode.commands.executeCommand(id);
    }
    const asked = ui.titles.slice(from);
    for (const title of ['Grove: Scale Slots', 'Grove: Set Budget', 'Grove: Destroy Worktree', 'Grove: Open Terminal Here', 'Grove: Copy Worktree Path',
      'Grove: Add Worktree to Workspace', 'Grove: Open Worktree in New Window']) {
      assert.ok(asked.includes(title), `"${title}" among ${JSON.stringify(asked)}`);
    }
    assert.ok(!asked.includes('Grove: Scale') && !asked.includes('Grove: Cancel'));
  });

  it('item 16: a worktree row has a default action (its actions), and an available one has an inline Lease', async () => {
    const api = await groveApi();
    const s = await session();
    const lease = await command<Lease>('grove.lease');
    await s.refreshWorktrees();
    const item = api.worktreesView.getTreeItem(row(lease.name, api.worktreesView.current));
    assert.equal(item.command?.command, 'grove.worktreeActions');
    api.testing.ui.push('$(copy) Copy Path');
    await vscode.commands.executeCommand(item.command!.command, ...(item.command!.arguments ?? []));
    assert.equal(await vscode.env.clipboard.readText(), lease.path);
    const menus = (await groveApi(), vscode.extensions.getExtension('grove-dev.grove')!.packageJSON.contributes.menus['view/item/context']) as { command: string; when: string; group: string }[];
    assert.ok(menus.some((menu) => menu.command === 'grove.lease' && menu.group.startsWith('inline') && /available/.test(menu.when)), 'an inline Lease on available rows');
    await command('grove.return', lease.name);
  });

  it('item 16: Grove\'s terminals find `grove` (a shim on PATH), and the terminal is not named "Grove: wt-1"', async () => {
    const api = await groveApi();
    const dir = await api.testing.shimDir;
    assert.ok(dir, 'the shim was written');
    const mutator = api.testing.environment.get('PATH');
    assert.ok(mutator && mutator.value.startsWith(dir), `PATH is prepended with ${dir}: ${JSON.stringify(mutator)}`);
    const out = await new Promise<string>((resolve, reject) => execFile(path.join(dir, 'grove'), ['status', '--json'], { cwd: workspaceRoot(), env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout))));
    assert.ok(Array.isArray(JSON.parse(out)), 'grove status --json through the shim');
    const s = await session();
    await s.refreshWorktrees();
    const name = await command<string>('grove.openTerminal', api.worktreesView.current[0]);
    assert.ok(!name.includes(api.worktreesView.current[0].name), `the tab adds the folder itself: "${name}"`);
    for (const terminal of vscode.window.terminals.filter((candidate) => candidate.name === name)) terminal.dispose();
  });
});
