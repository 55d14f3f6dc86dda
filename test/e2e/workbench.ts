// The e2e fixture: the packaged VSIX installed into code-server, a workspace repository,
// and a headless Debian Chromium on the workbench. Screenshots go to test-results/e2e/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import {
  ROOT, codeServerEntry, createWorkspaceRepo, launchChromium, makeTempDir, startCodeServer,
  workbenchUrl, writeUserSettings, type CodeServer,
} from '../../scripts/vscodeServer';

export const SCREENSHOTS = path.join(ROOT, 'test-results', 'e2e');

export interface Workbench {
  page: Page;
  repo: string;
  server: CodeServer;
  browser: Browser;
  close(): Promise<void>;
}

/** Packages the extension once per test process (`npm run package`) and returns the VSIX. */
let packaged: string | undefined;
export function packageVsix(): string {
  if (packaged) return packaged;
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  execFileSync('npm', ['run', '--silent', 'package'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  packaged = path.join(ROOT, `grove-${version}.vsix`);
  return packaged;
}

export interface WorkbenchOptions {
  settings?: Record<string, unknown>;
  files?: Record<string, string>;
  /** Run before the workbench opens, with the repository path (e.g. lease from the CLI). */
  prepare?: (repo: string) => void;
  /** Environment of code-server, its extension host and so the agents (e.g. the test double's knobs). */
  env?: NodeJS.ProcessEnv;
}

export async function openWorkbench(options: WorkbenchOptions = {}): Promise<Workbench> {
  const vsix = packageVsix();
  const scratch = makeTempDir('grove-e2e-');
  const repo = createWorkspaceRepo(scratch, options.files);
  options.prepare?.(repo);
  const userDataDir = path.join(scratch, 'user-data');
  const extensionsDir = path.join(scratch, 'extensions');
  writeUserSettings(userDataDir, {
    'grove.agent.command': path.join(ROOT, 'test', 'fixtures', 'claude-double', 'claude'),
    'workbench.colorTheme': 'Default Dark Modern',
    ...options.settings,
  });
  execFileSync(process.execPath, [codeServerEntry(), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix],
    { stdio: 'ignore' });
  const server = await startCodeServer({ folder: repo, userDataDir, extensionsDir, disableWorkspaceTrust: true, env: options.env });
  const browser = await launchChromium();
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
  page.setDefaultTimeout(30_000);
  await page.goto(workbenchUrl(server, repo));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return {
    page, repo, server, browser,
    async close() {
      await browser.close().catch(() => undefined);
      await server.stop();
      if (process.env.GROVE_E2E_KEEP) console.log(`kept ${scratch}`);
      else rmSync(scratch, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs a command from the command palette by its title. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await input.press('Enter');
}

/** The Grove panel's page: the webview iframe, then its active frame. */
export function panelFrame(page: Page) {
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}

/** Grove's item in the activity bar (the panel's editor tab is also a tab named Grove). */
export function activityBarGrove(page: Page) {
  return page.getByRole('tablist', { name: 'Active View Switcher' }).getByRole('tab', { name: /^Grove/ });
}

/**
 * Opens the Grove container from the activity bar. Its item toggles (a click on the open
 * container closes it), and after a reload the sidebar may come back open a moment later:
 * so wait a little for it, click only when it is closed, and click again if that closed it.
 */
export async function openGroveView(page: Page): Promise<void> {
  const header = page.locator('.pane-header', { hasText: 'Worktrees' });
  for (let attempt = 0; attempt < 3; attempt++) {
    if (await header.waitFor({ timeout: attempt === 0 ? 3000 : 5000 }).then(() => true, () => false)) return;
    await activityBarGrove(page).click();
  }
  await header.waitFor();
}

/** Drags the sidebar's edge to the right, so a screenshot shows whole tree rows. */
export async function widenSidebar(page: Page, by = 260): Promise<void> {
  const sidebar = await page.locator('.part.sidebar').boundingBox();
  if (!sidebar) return;
  const x = sidebar.x + sidebar.width;
  const y = sidebar.y + sidebar.height / 2;
  await page.mouse.move(x - 1, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 8 });
  await page.mouse.up();
  await page.mouse.move(x + by + 300, y + 200); // off the sash, so it is not drawn highlighted
}

/** Runs a row's context-menu action until `opened` shows: a click sometimes lands while the menu is still settling. */
export async function menuAction(page: Page, row: string, action: string, opened: Locator): Promise<void> {
  for (let attempt = 0; attempt < 3 && !(await opened.isVisible()); attempt++) {
    await page.locator('.monaco-list-row', { hasText: row }).first().click({ button: 'right' });
    const menu = page.locator('.context-view .monaco-menu');
    await menu.waitFor();
    await page.waitForTimeout(300);
    await menu.locator('.action-item', { hasText: action }).first().click();
    await opened.waitFor({ timeout: 8_000 }).catch(() => page.keyboard.press('Escape'));
  }
  await opened.waitFor();
}

/** Opens the Grove container with the Results view expanded and the sidebar widened, so whole rows (cost, changes) show. */
export async function openResultsView(page: Page, widen = 300): Promise<void> {
  await openGroveView(page);
  const header = page.locator('.pane-header', { hasText: 'Results' });
  await header.waitFor();
  await widenSidebar(page, widen);
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
}

/** The mocha hooks every e2e file wants: a screenshot of a failed test (failure-<prefix>-<title>), and the workbench closed at the end. */
export function workbenchHooks(prefix: string, current: () => Workbench | undefined): void {
  afterEach(async function () {
    const workbench = current();
    if (this.currentTest?.state === 'failed' && workbench) await screenshot(workbench.page, `failure-${prefix}-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`);
  });
  after(async () => { await current()?.close(); });
}
