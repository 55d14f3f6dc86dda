import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import { resetClock } from '../../src/core/agents/rateLimitNotice';
import { markRateLimited, rateLimitsFile } from '../../src/core/agents/rateLimits';
import type { GroveApi } from '../../src/vscode/api';
import { eventually, groveApi, session } from './helpers';

function limitItem(api: GroveApi, kind: string): vscode.TreeItem | undefined {
  const row = api.slotsView.rateLimits.find((candidate) => candidate.rateLimit.kind === kind);
  return row && api.slotsView.getTreeItem(row);
}

describe('slots view and status bar: rate-limited agent kinds', () => {
  // Another process (a CLI run that hit the limit) writes the mark; the editor only watches.
  after(async () => {
    const s = await session();
    await fs.rm(rateLimitsFile(s.repo.groveDir), { force: true });
  });

  it('shows a paused kind above the slots and in the status bar tooltip, with its reset time', async () => {
    const api = await groveApi();
    const s = await session();
    const until = new Date(Date.now() + 12 * 60_000 + 30_000);
    await markRateLimited(s.repo.groveDir, 'gemini', { until: until.toISOString(), message: 'quota exhausted (RESOURCE_EXHAUSTED)', runId: 'run-test-gemini' });
    const clock = resetClock(until, new Date());

    const item = await eventually(() => limitItem(api, 'gemini'), 'the gemini rate-limit row');
    assert.equal(item.label, 'gemini rate limited');
    assert.equal(item.description, `until ${clock} (in 13 min)`);
    const icon = item.iconPath as vscode.ThemeIcon;
    assert.equal(icon.id, 'watch');
    // ThemeColor keeps its id in a field vscode.d.ts does not declare.
    assert.equal((icon.color as unknown as { id: string } | undefined)?.id, 'list.warningForeground');
    assert.match(String(item.tooltip), /The agent said: quota exhausted \(RESOURCE_EXHAUSTED\)/);
    assert.match(String(item.tooltip), /Run: run-test-gemini/);
    // It is the first row of the view, above the slots, which are still all there.
    const top = api.slotsView.getChildren()[0];
    assert.ok(top && 'rateLimit' in top && top.rateLimit.kind === 'gemini', 'the rate-limit row is at the top');
    assert.equal(api.slotsView.getChildren().length, api.slotsView.current.length + 1);

    const tooltip = await eventually(() => s.statusBar.current?.tooltip.includes('gemini rate limited') && s.statusBar.current.tooltip, 'the status bar line');
    assert.ok(tooltip.includes(`gemini rate limited until ${clock} (quota exhausted (RESOURCE_EXHAUSTED))`), tooltip);
  });

  it('drops a kind by itself when its reset passes, and the rest when the file goes', async () => {
    const api = await groveApi();
    const s = await session();
    await markRateLimited(s.repo.groveDir, 'codex', { until: new Date(Date.now() + 3_000).toISOString(), message: 'exceeded retry limit, last status: 429', runId: 'run-test-codex' });
    const item = await eventually(() => limitItem(api, 'codex'), 'the codex rate-limit row');
    assert.match(String(item.description), /\(in under a minute\)$/);
    assert.match(s.statusBar.current!.tooltip, /codex rate limited until (\d{4}-\d\d-\d\d )?\d\d:\d\d \(exceeded retry limit, last status: 429\)/);

    // No file change: the timer to the reset redraws the view.
    await eventually(() => !limitItem(api, 'codex'), 'the codex row gone after its reset', 8_000);
    assert.ok(!s.statusBar.current!.tooltip.includes('codex'), s.statusBar.current!.tooltip);
    assert.ok(limitItem(api, 'gemini'), 'gemini is still paused');

    await fs.rm(rateLimitsFile(s.repo.groveDir));
    await eventually(() => api.slotsView.rateLimits.length === 0, 'every rate-limit row gone with the file');
    assert.ok(!s.statusBar.current!.tooltip.includes('rate limited'), s.statusBar.current!.tooltip);
  });
});
