// Issue 8, item 6: settings in the browser VS Code (a remote window).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { delay, eventually, extension, groveApi } from './helpers';

const RELOAD = /applies after the window reloads/;

describe('issue 8: settings', () => {
  it('item 6: no grove setting is machine-scoped (greyed out in a remote window\'s User settings)', () => {
    const properties = (extension().packageJSON as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } }).contributes.configuration.properties;
    for (const [id, setting] of Object.entries(properties)) {
      assert.ok(setting.scope, `${id} says where it goes`);
      assert.ok(!['machine', 'machine-overridable'].includes(setting.scope), `${id} is ${setting.scope}`);
    }
  });

  it('item 6: a settings event that changes no value Grove uses asks for no reload; a real change asks once', async () => {
    const api = await groveApi();
    const config = () => vscode.workspace.getConfiguration('grove');
    const reloadAsks = () => api.testing.messages.shown.filter((message) => RELOAD.test(message.text));
    const before = reloadAsks().length;
    try {
      // The value it already has, written where it was not set: the resolved value is the same.
      await config().update('slots', config().get('slots'), vscode.ConfigurationTarget.Workspace);
      await config().update('notifications', 'all', vscode.ConfigurationTarget.Workspace);
      await delay(1500);
      assert.equal(reloadAsks().length, before, `asked: ${reloadAsks().map((m) => m.text).join(' | ')}`);
      api.testing.messages.answerNext(undefined);
      await config().update('agent.model', 'opus', vscode.ConfigurationTarget.Workspace);
      await eventually(() => reloadAsks().length === before + 1, 'one reload question');
      assert.match(reloadAsks().at(-1)!.text, /grove\.agent\.model/);
    } finally {
      for (const key of ['slots', 'notifications', 'agent.model']) await config().update(key, undefined, vscode.ConfigurationTarget.Workspace);
    }
    await delay(500);
    assert.equal(reloadAsks().length, before + 1, 'back to what Grove runs with: no new question');
  });
});
