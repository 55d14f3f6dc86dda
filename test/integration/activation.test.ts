import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/vscode/activate';
import { eventually, extension, groveApi, workspaceRoot } from './helpers';

describe('activation', () => {
  it('activates on the git workspace and writes to the "Grove" log channel', async () => {
    const api = await groveApi();
    assert.equal(extension().isActive, true);
    assert.equal(api.state, 'ready');
    assert.equal(vscode.workspace.isTrusted, true);
    const logFile = vscode.Uri.joinPath(api.logUri, 'Grove.log').fsPath;
    const text = await eventually(async () => {
      const content = await fs.readFile(logFile, 'utf8').catch(() => '');
      return content.includes(workspaceRoot()) && content;
    }, `the Grove log at ${logFile} to name the workspace`);
    assert.match(text, /pool state for .* is kept in .*grove/);
    assert.match(text, /workspace trusted: agents may run/);
  });

  it('registers every command of package.json, and nothing else under grove.', async () => {
    const registered = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('grove.'));
    const contributed = (extension().packageJSON as { contributes: { commands: { command: string }[] } }).contributes.commands.map((c) => c.command);
    assert.deepEqual([...contributed].sort(), [...COMMAND_IDS].sort());
    for (const id of contributed) assert.ok(registered.includes(id), `${id} is registered`);
  });

  it('draws the trees: four idle slots and an empty pool, and the budget item', async () => {
    const api = await groveApi();
    assert.ok(api.activationMs !== null && api.activationMs > 0, 'activation time to first render was measured');
    assert.deepEqual(api.slotsView.current.map((row) => `${row.name}:${row.state}`), ['slot-1:idle', 'slot-2:idle', 'slot-3:idle', 'slot-4:idle']);
    assert.equal(api.worktreesView.hasLoaded, true);
    const state = await eventually(() => api.session!.statusBar.current, 'the budget item');
    assert.equal(state.text, '$(pulse) $0.00');
    console.log(`      activation to first tree render: ${api.activationMs!.toFixed(1)} ms`);
  });
});
