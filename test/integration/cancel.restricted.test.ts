// Issue 8, item 15: Restricted Mode changes nothing, and that includes another window's agent.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually, groveApi, refusedCommand, runCli, workspaceRoot } from './helpers';

describe('Restricted Mode: Cancel Task and Drain', () => {
  it('item 15: cancelling a run from an untrusted window is refused, and the run goes on', async () => {
    const api = await groveApi();
    const s = api.session!;
    const double = String(vscode.workspace.getConfiguration('grove').get('agent.command'));
    const cli = runCli(['run', 'A trusted run'], workspaceRoot(), { GROVE_DOUBLE_HANG: '1', GROVE_AGENT_COMMAND: double });
    const run = await eventually(async () => (await s.registry.list()).find((candidate) => candidate.status === 'active'), 'the CLI run active', 20_000);
    try {
      await eventually(() => api.slotsView.current.find((row) => row.runId === run.id), 'the run on a slot');
      const row = api.slotsView.current.find((candidate) => candidate.runId === run.id)!;
      const error = await refusedCommand('grove.cancel', row);
      assert.match(error.message, /not available in Restricted Mode/);
      assert.equal((await s.registry.get(run.id))?.status, 'active', 'the agent was not killed');
      assert.match((await refusedCommand('grove.drain')).message, /not available in Restricted Mode/);
    } finally {
      assert.equal((await runCli(['cancel', run.id], workspaceRoot())).code, 0);
      await cli;
    }
  });
});
