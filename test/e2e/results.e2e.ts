import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { ROOT } from '../../scripts/vscodeServer';
import { workingAgent } from '../helpers/resultsAgent';
import { menuAction, openGroveView, openResultsView, openWorkbench, runFromPalette, screenshot, workbenchHooks, type Workbench } from './workbench';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * Results in the browser VS Code: the CLI leaves two results (a task and a fan-out of two)
 * before the window opens, and the editor shows them, reviews them in the multi-file diff,
 * takes a pending review comment, and compares the fan-out. Screenshots under test-results/e2e/.
 */
describe('e2e: results and review in the browser VS Code', () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await openWorkbench({
      files: { 'README.md': '# demo\n', 'src/app.ts': 'export const one = 1;\nexport const two = 2;\n' },
      prepare: (repo) => {
        const env = { ...process.env, GROVE_AGENT_COMMAND: workingAgent() };
        execFileSync(process.execPath, [CLI, 'run', 'Add a changelog and touch the app\n[add:CHANGELOG.md] [edit:src/app.ts] [edit:README.md]'], { cwd: repo, env, stdio: 'ignore' });
        execFileSync(process.execPath, [CLI, 'run', '--fan-out', '2', 'Try an approach [add:approach.md]'], { cwd: repo, env, stdio: 'ignore' });
      },
    });
  });
  workbenchHooks('results', () => workbench);

  it('shows the Results view: the fan-out group and the task with cost and +/− lines, and the badge', async () => {
    const { page } = workbench;
    // A wider sidebar, so each row's cost and change figures show.
    await openResultsView(page, 300);
    const row = page.locator('.monaco-list-row', { hasText: 'Add a changelog and touch the app' });
    await row.waitFor();
    assert.match(await row.innerText(), /\+4 −0 in 3 files/);
    await page.locator('.monaco-list-row', { hasText: 'fan-out ×2: Try an approach' }).waitFor();
    assert.ok(existsSync(await screenshot(page, '20-results-view')));
  });

  it('Review Changes opens the multi-file diff editor with every changed file, the untracked one too', async () => {
    const { page } = workbench;
    await menuAction(page, 'Add a changelog and touch the app', 'Review Changes', page.locator('.tab', { hasText: 'Review: Add a changelog' }));
    const editor = page.locator('.multiDiffEditor, .multi-diff-editor, [class*="multiDiff"]').first();
    await editor.waitFor();
    await page.locator('text=CHANGELOG.md').first().waitFor();
    assert.ok(existsSync(await screenshot(page, '21-review-changes-multi-diff')));
  });

  it('a review comment on a changed line stays pending on the result', async () => {
    const { page } = workbench;
    await page.keyboard.press('Escape');
    // The file row under the result opens that file's diff, the worktree side editable.
    const result = page.locator('.monaco-list-row', { hasText: 'Add a changelog and touch the app' });
    await expandRow(result);
    await openFileRow(page, 'app.ts', page.locator('.tab', { hasText: 'src/app.ts (Add a changelog' }));
    const modified = page.locator('.editor.modified .view-lines').first();
    await modified.click();
    await page.keyboard.press('Control+End');
    await page.keyboard.press('ArrowUp');
    // The command shows once the editor knows the cursor is in a commenting range: give it a moment, retry.
    page.setDefaultTimeout(5_000);
    for (let attempt = 0; ; attempt++) {
      await page.waitForTimeout(1000);
      const shown = await runFromPalette(page, 'Comments: Add Comment on Current Selection').then(() => true, () => false);
      if (shown) break;
      await page.keyboard.press('Escape');
      if (attempt === 4) throw new Error('Add Comment on Current Selection never became available');
      await modified.click();
      await page.keyboard.press('Control+End');
      await page.keyboard.press('ArrowUp');
    }
    page.setDefaultTimeout(30_000);
    const box = page.locator('.review-widget .comment-form textarea, .review-widget textarea').first();
    await box.waitFor();
    await box.fill('Explain why this line is needed');
    await page.locator('.review-widget .monaco-button', { hasText: 'Add Review Comment' }).first().click();
    await page.locator('.review-widget', { hasText: 'pending' }).first().waitFor();
    assert.ok(existsSync(await screenshot(page, '22-pending-review-comment')));
    await page.locator('.monaco-list-row', { hasText: /1 pending comment/ }).waitFor();
  });

  it('the pending comment survives a window reload', async () => {
    const { page } = workbench;
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runFromPalette(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await openGroveView(page);
    await page.locator('.monaco-list-row', { hasText: /1 pending comment/ }).waitFor({ timeout: 60_000 });
    const result = page.locator('.monaco-list-row', { hasText: 'Add a changelog and touch the app' });
    await expandRow(result);
    await openFileRow(page, 'app.ts', page.locator('.tab', { hasText: 'src/app.ts (Add a changelog' }));
    await page.locator('.review-widget', { hasText: 'Explain why this line is needed' }).first().waitFor();
    assert.ok(existsSync(await screenshot(page, '22b-pending-comment-after-reload')));
  });

  it('Compare Fan-Out shows the variants side by side', async () => {
    const { page } = workbench;
    await menuAction(page, 'fan-out ×2: Try an approach', 'Compare Fan-Out', page.locator('.tab', { hasText: /Preview|\.md/ }).first());
    await page.waitForTimeout(1500);
    await page.mouse.move(1000, 760); // no tooltip over the view
    assert.ok(existsSync(await screenshot(page, '23-fan-out-compare')));
  });
});

/**
 * Opens a file row's diff, clicking again while the tree re-renders under the click (a results
 * refresh replaces the rows; one full CI run lost the click that way and waited 30 s for the tab).
 */
async function openFileRow(page: Page, file: string, opened: Locator): Promise<void> {
  for (let attempt = 0; attempt < 4 && !(await opened.isVisible()); attempt++) {
    await page.locator('.monaco-list-row', { hasText: file }).first().click();
    await opened.waitFor({ timeout: 8_000 }).catch(() => undefined);
  }
  await opened.waitFor();
}

/** Expands a tree row, clicking its twistie again while a busy workbench drops the click (seen in full e2e runs). */
async function expandRow(row: import('playwright-core').Locator): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    await row.waitFor();
    if ((await row.getAttribute('aria-expanded')) === 'true') return;
    await row.locator('.monaco-tl-twistie').click();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the row ${await row.innerText()} does not expand`);
}
