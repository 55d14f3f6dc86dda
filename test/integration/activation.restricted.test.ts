import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension } from './helpers';

describe('Restricted Mode', () => {
  it('opens the folder untrusted and still activates Grove (limited support)', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    await extension().activate();
    assert.equal(extension().isActive, true);
  });
});
