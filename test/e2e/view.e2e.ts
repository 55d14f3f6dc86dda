import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, waitFor } from '../../scripts/vscodeServer';
import { openGroveView, openWorkbench, panelFrame, runFromPalette, screenshot, type Workbench } from './workbench';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * One workbench for the whole walk-through (starting code-server is the slow part): the view,
 * a lease from the context menu, a chain on the agent test double watched in the panel, and
 * the spend in the status bar. Each step saves a screenshot under test-results/e2e/.
 */
describe('e2e: Grove in the browser VS Code with the packaged VSIX', () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await openWorkbench({
      env: { GROVE_DOUBLE_DELAY_MS: '2500' },
      prepare: (repo) => {
        // One pooled worktree, available, so the context menu has something to lease.
        const leased = execFileSync(process.execPath, [CLI, 'lease', '--holder', 'setup'], { cwd: repo, encoding: 'utf8' }).trim();
        execFileSync(process.execPath, [CLI, 'return', leased], { cwd: repo });
        mkdirSync(path.join(repo, '.grove', 'chains'), { recursive: true });
        writeFileSync(path.join(repo, '.grove', 'chains', 'review.json'), JSON.stringify({
          name: 'review', description: 'plan, change, check',
          arguments: [{ name: 'area', description: 'what to review', default: 'src' }],
          steps: [
            { name: 'plan', prompt: 'Plan a review of {{args.area}}' },
            { name: 'change', prompt: 'Apply: {{previous_output}}' },
            { name: 'check', prompt: 'Check {{steps.change.output}}' },
          ],
        }));
      },
    });
  });
  after(async () => { await workbench?.close(); });

  it('shows the Grove container with the Slots and Worktrees views and the budget item', async () => {
    const { page } = workbench;
    await openGroveView(page);
    assert.equal(await page.locator('.pane-header', { hasText: 'Slots' }).count(), 1);
    await page.locator('.monaco-list-row', { hasText: 'slot-4' }).waitFor();
    await page.locator('.monaco-list-row', { hasText: 'available' }).first().waitFor();
    const budget = page.locator('#grove-dev\\.grove\\.grove\\.budget, [id="grove-dev.grove.grove.budget"]');
    await budget.waitFor();
    assert.match(await budget.innerText(), /\$0\.00/);
    assert.ok(existsSync(await screenshot(page, '01-grove-view-slots-worktrees-status-bar')));
  });

  it('leases a worktree from the context menu of the Worktrees tree', async () => {
    const { page } = workbench;
    const row = page.locator('.monaco-list-row', { hasText: 'available' }).first();
    await row.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await screenshot(page, '02-worktree-context-menu');
    await menu.locator('.action-item', { hasText: 'Lease Worktree' }).click();
    await page.locator('.monaco-list-row', { hasText: 'leased · vscode' }).waitFor();
    await screenshot(page, '03-worktree-leased');
  });

  it('runs a chain on the agent test double and shows its steps complete in the panel, and the spend in the status bar', async () => {
    const { page } = workbench;
    await runFromPalette(page, 'Grove: Run Chain');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'review' }).first().click();
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-widget', { hasText: 'what to review' }).waitFor();
    await input.press('Enter'); // the argument's default, "src"
    const frame = panelFrame(page);
    await frame.locator('article.chain[data-status="running"]').waitFor({ timeout: 60_000 });
    await frame.locator('li.step[data-status="running"]').first().waitFor();
    await page.locator('.monaco-list-row', { hasText: /busy · (chain|Plan|Apply|Check)/ }).first().waitFor().catch(() => undefined);
    await screenshot(page, '04-chain-running-panel-and-busy-slot');
    await frame.locator('article.chain[data-status="succeeded"]').waitFor({ timeout: 60_000 }).catch(async (error: unknown) => {
      await screenshot(page, 'failure-chain-not-done');
      throw error;
    });
    assert.equal(await frame.locator('article.chain[data-status="succeeded"] li.step[data-status="succeeded"]').count(), 3);
    await frame.locator('svg.chart circle.dot').first().waitFor();
    const budget = page.locator('[id="grove-dev.grove.grove.budget"]');
    await waitFor(async () => !/\$0\.00/.test(await budget.innerText()), 30_000, 'the spend in the status bar');
    assert.match(await budget.innerText(), /\$0\.[1-9]\d|\$[1-9]/);
    await screenshot(page, '05-chain-done-panel-spend-chart-status-bar');
  });

  it('turns the budget item to the warning colour past 80 % of the cap, and to the error colour at 100 %', async () => {
    const { page } = workbench;
    const budget = page.locator('[id="grove-dev.grove.grove.budget"]');
    const spent = Number(/\$(\d+\.\d+)/.exec(await budget.innerText())![1]);
    const setCap = async (usd: string) => {
      await runFromPalette(page, 'Grove: Set Budget');
      const input = page.locator('.quick-input-widget input');
      await page.locator('.quick-input-widget', { hasText: 'Spend cap for the whole pool' }).waitFor();
      await input.fill(usd);
      await input.press('Enter');
    };
    await setCap((spent / 0.9).toFixed(2)); // spent is about 90 % of the cap
    await page.locator('[id="grove-dev.grove.grove.budget"].warning-kind').waitFor();
    await budget.hover();
    await page.locator('.monaco-hover', { hasText: 'Grove spend' }).waitFor();
    await screenshot(page, '06-status-bar-warning-at-90-percent-with-tooltip');
    await setCap(spent.toFixed(2));
    await page.locator('[id="grove-dev.grove.grove.budget"].error-kind').waitFor();
    assert.match(await budget.innerText(), / \/ \$/);
    await screenshot(page, '07-status-bar-error-at-100-percent');
  });
});
