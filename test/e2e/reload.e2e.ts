import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { ROOT, waitFor } from '../../scripts/vscodeServer';
import { activityBarGrove, openGroveView, widenSidebar, openWorkbench, panelFrame, runFromPalette, screenshot, type Workbench } from './workbench';

/**
 * "Developer: Reload Window" in the browser VS Code is a page reload: the window and its
 * extension host are replaced. The agent run is detached, so it keeps going; the new window
 * shows it on its slot, restores the panel, and the run's cost lands in the status bar.
 */
describe('e2e: an agent run survives a window reload', () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await openWorkbench({
      env: { GROVE_DOUBLE_DELAY_MS: '15000' },
      // A task from the command line first: its spend is on slot-1 in the ledger, which every window reads.
      prepare: (repo) => {
        execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', 'Warm up'], {
          cwd: repo, stdio: 'ignore',
          env: { ...process.env, GROVE_DOUBLE_DELAY_MS: '0', GROVE_AGENT_COMMAND: path.join(ROOT, 'test', 'fixtures', 'claude-double', 'claude') },
        });
      },
    });
  });
  after(async () => { await workbench?.close(); });

  it('shows the run still running after the reload, restores the panel, and lands its result', async () => {
    const { page } = workbench;
    await openGroveView(page);
    await runFromPalette(page, 'Grove: Show Panel');
    await panelFrame(page).locator('h2', { hasText: 'Spend over time' }).waitFor();
    await runFromPalette(page, 'Grove: Run Task');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'What should the agent do?' }).waitFor();
    await input.fill('Refactor the parser into small functions');
    await input.press('Enter');
    await page.locator('.monaco-list-row', { hasText: 'busy · Refactor the parser' }).waitFor();
    await screenshot(page, '08-task-running-before-reload');

    // The real command, so the workbench saves its editors (the panel among them) as it would on a desktop reload.
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runFromPalette(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await activityBarGrove(page).waitFor();
    await openGroveView(page);
    // The reloaded window shows the run's prompt (from its prompt file) and each slot's spend (from the ledger).
    const attached = page.locator('.monaco-list-row', { hasText: 'running · Refactor the parser into small functions' });
    await attached.waitFor({ timeout: 30_000 });
    assert.match(await attached.innerText(), /\$0\.24.*started by this window, before a reload/, 'slot-1 shows what it spent before the reload, and whose the run is');
    await widenSidebar(page);
    await panelFrame(page).locator('h2', { hasText: 'Spend over time' }).waitFor({ timeout: 30_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'failure-panel-not-restored');
      throw error;
    });
    await screenshot(page, '09-after-reload-run-still-running-panel-restored');

    const budget = page.locator('[id="grove-dev.grove.grove.budget"]');
    await waitFor(async () => /\$0\.48/.test(await budget.innerText().catch(() => '')), 60_000, 'the run\'s cost in the status bar');
    await attached.waitFor({ state: 'detached', timeout: 30_000 });
    assert.match(await budget.innerText(), /\$0\.48/);
    // Its end is told by the reloaded window, by its prompt; the slot's spend includes it.
    await page.locator('.notification-toast', { hasText: '"Refactor the parser into small functions" done on slot-1' }).waitFor({ timeout: 30_000 });
    await page.locator('.monaco-list-row', { hasText: /slot-1.*\$0\.48/ }).waitFor();
    await screenshot(page, '10-after-reload-result-landed');
  });
});
