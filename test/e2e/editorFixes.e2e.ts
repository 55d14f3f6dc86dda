import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, waitFor } from '../../scripts/vscodeServer';
import { openGroveView, openWorkbench, runFromPalette, screenshot, widenSidebar, type Workbench } from './workbench';

const CLI = path.join(ROOT, 'dist', 'cli.js');

/**
 * Issue 8 in the browser VS Code: the fixed states, each with a screenshot under
 * test-results/e2e/ (issue8-*.png). One workbench for the walk-through.
 */
describe('e2e: issue 8, what a new user hit', () => {
  let workbench: Workbench;
  const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { cwd: workbench.repo, encoding: 'utf8' }).trim();
  const row = (text: string | RegExp) => workbench.page.locator('.monaco-list-row', { hasText: text });

  /** A context menu's item. A click while the menu is still settling can be lost: then the keyboard picks it. */
  async function clickMenuItem(page: Workbench['page'], text: string): Promise<void> {
    const menu = page.locator('.context-view .monaco-menu');
    const item = menu.locator('.action-item', { hasText: text });
    await item.waitFor();
    await page.waitForTimeout(300);
    await item.click();
    await page.waitForTimeout(500);
    if (await menu.isVisible()) {
      await item.hover();
      await page.keyboard.press('Enter');
    }
  }

  before(async () => {
    workbench = await openWorkbench({ settings: { 'grove.pool.holder': 'vscode' } });
  });
  after(async () => { await workbench?.close(); });

  it('item 16: the empty-pool welcome shows no literal backticks', async () => {
    const { page } = workbench;
    await openGroveView(page);
    await widenSidebar(page);
    const welcome = page.locator('.welcome-view-content', { hasText: 'The pool is empty' });
    await welcome.waitFor();
    assert.doesNotMatch(await welcome.innerText(), /`/);
    await screenshot(page, 'issue8-01-empty-pool-welcome');
  });

  it('item 2 and 16: one window leases two worktrees (the inline Lease on an available row, then the view\'s +), each its own lease', async () => {
    const { page } = workbench;
    // An available worktree, made from the terminal.
    cli('return', cli('lease', '--holder', 'setup'));
    const available = row('available').first();
    await available.waitFor();
    await available.hover();
    await available.locator('.action-label[aria-label="Lease Worktree"]').click();
    await row(/leased · vscode:[0-9a-f]+-1/).waitFor();
    await page.locator('.pane-header', { hasText: 'Worktrees' }).hover();
    await page.locator('.pane-header', { hasText: 'Worktrees' }).locator('.action-label[aria-label="Lease Worktree"]').click();
    await row(/leased · vscode:[0-9a-f]+-2/).waitFor();
    assert.equal(await row(/leased · vscode:/).count(), 2);
    await screenshot(page, 'issue8-02-two-leases-one-window');
  });

  it('item 3: Return on a worktree leased to cli-user asks first, naming the holder and since when', async () => {
    const { page } = workbench;
    const name = path.basename(cli('lease', '--holder', 'cli-user'));
    const target = row(`leased · cli-user`);
    await target.waitFor();
    await target.click({ button: 'right' });
    await clickMenuItem(page, 'Return Worktree');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), new RegExp(`${name} is leased to cli-user since .*ago`));
    await screenshot(page, 'issue8-03-return-confirmation-leased-to-cli-user');
    await dialog.locator('.monaco-button', { hasText: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.match(cli('status'), new RegExp(`${name}\\s+leased\\s+cli-user`));
  });

  it('item 8: writing a file in a leased worktree shows the dirty mark without a refresh', async () => {
    const { page } = workbench;
    const status = JSON.parse(cli('status', '--json')) as { name: string; path: string; holder: string | null }[];
    const mine = status.find((entry) => entry.holder?.startsWith('vscode:'))!;
    writeFileSync(path.join(mine.path, 'notes.txt'), 'written in the worktree\n');
    await page.locator('.monaco-list-row', { hasText: '● dirty' }).first().waitFor({ timeout: 20_000 });
    assert.match(await page.locator('.monaco-list-row', { hasText: '● dirty' }).first().innerText(), new RegExp(mine.name));
    await screenshot(page, 'issue8-04-dirty-mark-after-a-file-is-written');
  });

  it('item 16: Open Terminal Here names the tab once, and `grove` runs in it', async () => {
    const { page } = workbench;
    const status = JSON.parse(cli('status', '--json')) as { name: string; path: string; holder: string | null }[];
    const mine = status.filter((entry) => entry.holder?.startsWith('vscode:'))[1];
    // A click on the row offers its actions (item 16): the terminal is one of them.
    await row(mine.name).first().click();
    await page.locator('.quick-input-widget', { hasText: 'Open Terminal Here' }).waitFor();
    await screenshot(page, 'issue8-05a-row-click-offers-its-actions');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Open Terminal Here' }).click();
    const terminal = page.locator('.xterm').first();
    await terminal.waitFor().catch(async (error: unknown) => {
      await screenshot(page, 'failure-issue8-terminal');
      throw error;
    });
    await page.waitForTimeout(2000);
    const out = path.join(mine.path, 'grove-status.json');
    await terminal.click();
    await page.keyboard.type(`grove status --json > ${out}\n`);
    await waitFor(() => existsSync(out) && readFileSync(out, 'utf8').includes('"leaseId"'), 30_000, 'grove status written from the terminal');
    const tabs = await page.locator('.terminal-tabs-entry, .pane-header .title, .single-terminal-tab').allInnerTexts().catch(() => [] as string[]);
    assert.ok(!tabs.some((text) => text.includes(`${mine.name} - ${mine.name}`)), `tabs: ${JSON.stringify(tabs)}`);
    await screenshot(page, 'issue8-05b-grove-on-path-in-a-grove-terminal');
  });

  it('item 6: grove.agent.command in User settings is not greyed out', async () => {
    const { page } = workbench;
    await page.keyboard.press('Escape');
    await page.locator('.monaco-workbench .part.editor').click({ position: { x: 20, y: 20 } });
    await runFromPalette(page, 'Preferences: Open User Settings');
    const search = page.locator('.settings-editor .search-container').first();
    await search.waitFor();
    await search.click();
    await page.keyboard.type('grove.agent.command');
    const setting = page.locator('.settings-editor .setting-item-contents', { hasText: 'agent CLI to run' }).first();
    await setting.waitFor();
    await page.waitForTimeout(1000);
    assert.doesNotMatch(await setting.innerText(), /cannot be applied|applied when you open a local window/i);
    await screenshot(page, 'issue8-06-agent-command-in-user-settings');
  });
});
