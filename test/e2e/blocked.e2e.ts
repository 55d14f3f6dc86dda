import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../scripts/vscodeServer';
import { workingAgent } from '../helpers/resultsAgent';
import { menuAction, openResultsView, openWorkbench, screenshot, workbenchHooks, type Workbench } from './workbench';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const TITLE = 'Run the test suite';

/**
 * A blocked run in the browser VS Code (issue 12, item 4): the CLI leaves a result whose Claude
 * run was denied Bash(npm test); the Results row says the agent needs you, and Re-run Allowing…
 * (a multi-pick of what it was denied) continues it allowed. Screenshots under test-results/e2e/.
 */
describe('e2e: the agent needs you: a blocked run and Re-run Allowing…, a rate-limited kind', () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await openWorkbench({
      files: { 'README.md': '# demo\n' },
      prepare: (repo) => {
        const env = { ...process.env, GROVE_AGENT_COMMAND: workingAgent() };
        // Exits non-zero: the task did not get done, it is blocked.
        const run = spawnSync(process.execPath, [CLI, 'run', `${TITLE}\n[add:tested.txt] [scenario:permission-denied]`], { cwd: repo, env, encoding: 'utf8' });
        assert.match(run.stderr, /blocked: wanted Bash\(npm test\)/, run.stderr);
      },
    });
  });
  workbenchHooks('blocked', () => workbench);

  it('the Results row says the agent needs you, and what it wanted', async () => {
    const { page } = workbench;
    await openResultsView(page, 320);
    const row = resultRow(workbench);
    await row.waitFor();
    assert.match(await row.innerText(), /needs you: Bash\(npm test\)/);
    assert.ok(await row.locator('.custom-view-tree-node-item-icon.codicon-shield').count() === 1, 'the row\'s icon is the shield');
    assert.equal(await row.locator('.actions .action-label[aria-label="Re-run Allowing…"]').count(), 1, 'Re-run Allowing… is inline on the row');
    assert.ok(existsSync(await screenshot(page, '40-blocked-result')));
  });

  it('Re-run Allowing… offers the denied tool ticked; OK re-runs the session allowed, and the row is no longer blocked', async () => {
    const { page } = workbench;
    const pick = page.locator('.quick-input-widget', { hasText: `Re-run "${TITLE}" allowing` });
    await menuAction(page, TITLE, 'Re-run Allowing…', pick);
    const option = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Bash(npm test)' });
    await option.waitFor();
    assert.equal(await option.getAttribute('aria-checked'), 'true', 'ticked to start with');
    assert.ok(existsSync(await screenshot(page, '41-rerun-allowing-pick')));
    await page.locator('.quick-input-widget input').press('Enter');
    await page.locator('.notifications-toasts', { hasText: `follow-up on "${TITLE}" done` }).waitFor({ timeout: 60_000 });
    const row = resultRow(workbench);
    await row.filter({ hasNotText: 'needs you' }).waitFor({ timeout: 30_000 });
    assert.equal(await row.locator('.custom-view-tree-node-item-icon.codicon-pass').count(), 1);
    await page.mouse.move(1000, 760);
    assert.ok(existsSync(await screenshot(page, '42-rerun-allowing-done')));
  });

  it('a rate-limited kind shows above the slots with its reset time, and goes when the mark is gone', async () => {
    const { page } = workbench;
    const file = path.join(workbench.repo, '.git', 'grove', 'rate-limits.json');
    const until = new Date(Date.now() + 15 * 60_000 + 30_000).toISOString();
    writeFileSync(file, JSON.stringify({ codex: { until, message: 'You have hit your usage limit (HTTP 429)', runId: 'run-e2e' } }));
    const row = page.locator('.monaco-list-row', { hasText: 'codex rate limited' });
    await row.waitFor({ timeout: 30_000 });
    assert.match(await row.innerText(), /until (\d{4}-\d\d-\d\d )?\d{1,2}:\d{2} \(in 1[56] min\)/);
    await page.mouse.move(1000, 760);
    assert.ok(existsSync(await screenshot(page, '43-rate-limited-kind')));
    rmSync(file);
    await row.waitFor({ state: 'detached', timeout: 30_000 });
  });
});

/** The result's row in the Results tree (the slot row and the toasts name the task too). */
function resultRow(workbench: Workbench) {
  return workbench.page.getByRole('treeitem', { name: new RegExp(`^${TITLE} (needs you|\\$)`) });
}
