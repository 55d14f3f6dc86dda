import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli } from '../../helpers/tempRepo';

/** Runs grove from a parent process that sits in `cwd`, as a shell does after `cd "$(grove lease)"`. */
function fromParentInside(cwd: string, args: string[]): Promise<number | null> {
  const script = 'const r = require("child_process").spawnSync(process.execPath, process.argv.slice(1), { stdio: "inherit" }); process.exit(r.status ?? 1);';
  return new Promise((resolve) => {
    const parent = spawn(process.execPath, ['-e', script, CLI_PATH, ...args], { cwd, stdio: 'ignore' });
    parent.on('exit', (code) => resolve(code));
  });
}

describe('grove destroy / return --force refuse while a process is inside (issue 9, 4d and 4e, the CLI)', function () {
  this.timeout(120_000);
  const children: ChildProcess[] = [];
  before(() => {
    if (!existsSync(CLI_PATH)) throw new Error(`${CLI_PATH} is missing: run node esbuild.mjs first`);
  });
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    cleanupTempDirs();
  });

  it('destroy of a busy worktree exits 4, with or without --force, naming the pid; return --force too', async () => {
    const repo = createRepo({ gitignore: 'node_modules/\n' });
    const lease = JSON.parse((await runCli(['lease', '--holder', 'a', '--json'], { cwd: repo })).stdout);
    const shell = spawn('sleep', ['60'], { cwd: lease.path, stdio: 'ignore' });
    children.push(shell);
    await new Promise((resolve) => setTimeout(resolve, 300));
    writeFileSync(path.join(lease.path, 'wip.txt'), 'wip\n');
    const returned = await runCli(['return', 'wt-1', '--force'], { cwd: repo });
    assert.equal(returned.code, 4, returned.stderr);
    assert.match(returned.stderr, new RegExp(`inside \\(pid ${shell.pid}\\)`));
    assert.ok(existsSync(path.join(lease.path, 'wip.txt')));
    for (const args of [['destroy', 'wt-1'], ['destroy', 'wt-1', '--force']]) {
      const result = await runCli(args, { cwd: repo });
      assert.equal(result.code, 4, `${args.join(' ')}: ${result.stderr}`);
    }
    const forced = await runCli(['destroy', 'wt-1', '--force'], { cwd: repo });
    assert.match(forced.stderr, new RegExp(`inside \\(pid ${shell.pid}\\)`));
    assert.ok(existsSync(lease.path));
  });

  it('the shell that runs grove from inside the worktree does not count: destroy --force . goes through', async () => {
    const repo = createRepo({ gitignore: 'node_modules/\n' });
    const lease = JSON.parse((await runCli(['lease', '--holder', 'a', '--json'], { cwd: repo })).stdout);
    writeFileSync(path.join(lease.path, 'wip.txt'), 'wip\n');
    assert.equal(await fromParentInside(lease.path, ['destroy', '--force', '.']), 0);
    assert.ok(!existsSync(lease.path));
  });
});
