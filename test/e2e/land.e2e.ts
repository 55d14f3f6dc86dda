import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../scripts/vscodeServer';
import { workingAgent } from '../helpers/resultsAgent';
import { openResultsView, openWorkbench, screenshot, workbenchHooks, type Workbench } from './workbench';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * Landing a fan-out's winner from the browser VS Code (issue 11): the CLI leaves a fan-out of
 * two; Keep This One on variant #1 offers Land…, which squashes it into main; the result moves to
 * the Landed group and every worktree is available again. Screenshots under test-results/e2e/.
 */
describe('e2e: land a fan-out\'s winner from the editor', () => {
  let workbench: Workbench;
  before(async () => {
    workbench = await openWorkbench({
      files: { 'README.md': '# demo\n' },
      prepare: (repo) => {
        const env = { ...process.env, GROVE_AGENT_COMMAND: workingAgent() };
        execFileSync(process.execPath, [CLI, 'run', '--fan-out', '2', 'Write the approach [add:approach.md]'], { cwd: repo, env, stdio: 'ignore' });
      },
    });
  });
  workbenchHooks('land', () => workbench);

  it('Keep This One, then Land… squashes the winner into main: it shows under Landed', async () => {
    const { page } = workbench;
    // A wider sidebar, so the Landed row's "squash into main at …" shows in the screenshot.
    await openResultsView(page, 350);
    const variant = page.locator('.monaco-list-row', { hasText: '#1 Write the approach' });
    await variant.waitFor();
    await variant.click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await page.waitForTimeout(300);
    await menu.locator('.action-item', { hasText: 'Keep This One' }).first().click();
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Keep This One' }).click();
    await page.locator('.notifications-toasts .monaco-button', { hasText: 'Land…' }).click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Squash into a branch' }).click();
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'main' }).first().click();
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    assert.equal(await input.inputValue(), 'Write the approach [add:approach.md]', 'the subject is pre-filled with the draft (the prompt\'s first line)');
    await input.press('Enter');
    await page.locator('.notifications-toasts', { hasText: /landed "Write the approach[^"]*": squash into main/ }).waitFor({ timeout: 60_000 });
    await page.locator('.monaco-list-row', { hasText: 'Landed (1)' }).waitFor();
    await page.getByRole('treeitem', { name: /squash into main at [0-9a-f]{12}/ }).waitFor();
    // The pool view and the progress toast catch up a moment later: shoot the settled window.
    await page.locator('.pane-header', { hasText: '2/2 available' }).waitFor({ timeout: 30_000 });
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'Grove: landing "' }).waitFor({ state: 'hidden', timeout: 30_000 });
    await page.mouse.move(1000, 760); // no tooltip over the view
    assert.ok(existsSync(await screenshot(page, '30-landed-group')));
    assert.match(execFileSync('git', ['log', '-1', '--format=%s'], { cwd: workbench.repo, encoding: 'utf8' }), /^Write the approach/);
  });

  it('the pool\'s worktrees are available again, the winner\'s too', async () => {
    const { page } = workbench;
    const header = page.locator('.pane-header', { hasText: 'Worktrees' });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    await page.locator('.monaco-list-row', { hasText: 'available' }).nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.monaco-list-row', { hasText: 'leased' }).count(), 0);
    assert.ok(existsSync(await screenshot(page, '31-pool-worktree-available-again')));
  });
});
