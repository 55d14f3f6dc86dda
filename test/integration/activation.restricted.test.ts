import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { extension, groveApi, refusedCommand, runCli, workspaceRoot, eventually } from './helpers';

describe('Restricted Mode (untrusted workspace): read-only', () => {
  it('opens the folder untrusted and still activates Grove (limited support)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const api = await groveApi();
    assert.equal(extension().isActive, true);
    assert.equal(api.state, 'ready');
  });

  it('still shows the pool: a worktree leased from the CLI appears in the tree', async () => {
    const api = await groveApi();
    const cli = await runCli(['lease', '--holder', 'cli'], workspaceRoot());
    assert.equal(cli.code, 0, cli.stderr);
    const name = path.basename(cli.stdout.trim());
    const row = await eventually(() => api.worktreesView.current.find((status) => status.name === name && status.holder === 'cli'), `${name} leased to cli in the tree`, 5000);
    assert.equal(row.state, 'leased');
  });

  for (const [id, args] of [['grove.runTask', ['say hello']], ['grove.fanOut', [{ prompt: 'x', count: 2 }]], ['grove.runChain', [{ file: '/nonexistent.json', args: {} }]], ['grove.scale', [2]]] as const) {
    it(`${id} refuses to run an agent`, async () => {
      const error = await refusedCommand(id, ...args);
      assert.match(error.message, /not available in Restricted Mode/);
    });
  }

  for (const id of ['grove.lease', 'grove.prune', 'grove.setBudget'] as const) {
    it(`${id} refuses to change the pool`, async () => {
      const error = await refusedCommand(id, id === 'grove.setBudget' ? '5' : undefined);
      assert.match(error.message, /not available in Restricted Mode/);
    });
  }

  it('started no agent: no run was recorded', async () => {
    const api = await groveApi();
    assert.deepEqual(await api.session!.registry.list(), []);
    assert.equal(existsSync(path.join(api.session!.repo.groveDir, 'spend.jsonl')), false);
  });

  it('ignores the workspace\'s own agent command and hook settings (restricted configurations)', async () => {
    const inspected = vscode.workspace.getConfiguration('grove').inspect('agent.command');
    // The user setting (the test double) is what Grove reads; a workspace value would be ignored in Restricted Mode.
    assert.match(String(inspected?.globalValue), /claude-double/);
    const manifest = extension().packageJSON as { capabilities: { untrustedWorkspaces: { supported: string; restrictedConfigurations: string[] } } };
    assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('grove.agent.command'));
    assert.ok(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('grove.hooks.postCreate'));
  });
});
