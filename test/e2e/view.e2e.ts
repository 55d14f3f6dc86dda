import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { openGroveView, openWorkbench, screenshot, type Workbench } from './workbench';

describe('e2e: the Grove view', () => {
  let workbench: Workbench;
  before(async () => { workbench = await openWorkbench(); });
  after(async () => { await workbench?.close(); });

  it('shows the Grove container in the activity bar with the Slots and Worktrees views', async () => {
    const { page } = workbench;
    await openGroveView(page);
    assert.equal(await page.locator('.pane-header', { hasText: 'Slots' }).count(), 1);
    assert.equal(await page.locator('.pane-header', { hasText: 'Worktrees' }).count(), 1);
    const file = await screenshot(page, '01-grove-view');
    assert.ok(existsSync(file));
  });
});
