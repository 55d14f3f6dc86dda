import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { eventually, extension, workspaceRoot } from './helpers';
import type { GroveApi } from '../../src/vscode/api';

describe('activation', () => {
  it('activates on the git workspace and writes to the "Grove" log channel', async () => {
    const api = await extension().activate() as GroveApi;
    assert.equal(extension().isActive, true);
    assert.equal(vscode.workspace.isTrusted, true);
    const logFile = vscode.Uri.joinPath(api.logUri, 'Grove.log').fsPath;
    const text = await eventually(async () => {
      const content = await fs.readFile(logFile, 'utf8').catch(() => '');
      return content.includes(workspaceRoot()) && content;
    }, `the Grove log at ${logFile} to name the workspace`);
    assert.match(text, /pool state for .* is kept in .*grove/);
  });
});
