import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_PATH, cleanupTempDirs, createRepo, runCli } from '../../helpers/tempRepo';

/** The bundled CLI (build first: `node esbuild.mjs`), as a user runs it. */
describe('ready: the CLI (grove lease, status, du, trim, prune)', () => {
  afterEach(cleanupTempDirs);

  it('lease --json carries the port block and env; status --json the readiness; du measures; trim and a bad budget answer clearly', async () => {
    const repo = createRepo({ gitignore: 'dist/\n' });
    const env = { ...process.env, GROVE_POOL_PORT_BASE: '30000', GROVE_POOL_PORT_BLOCK: '5' };
    const leased = await runCli(['lease', '--holder', 'me', '--json'], { cwd: repo, env });
    assert.equal(leased.code, 0, leased.stderr);
    const lease = JSON.parse(leased.stdout) as { name: string; path: string; leaseId: string; ports: { base: number; ports: number[] }; env: Record<string, string> };
    assert.deepEqual(lease.ports, { base: 30005, ports: [30005, 30006, 30007, 30008, 30009] });
    assert.equal(lease.env.GROVE_PORT_4, '30009');
    assert.equal(lease.env.GROVE_DB_SUFFIX, '_wt1');
    mkdirSync(path.join(lease.path, 'dist'));
    writeFileSync(path.join(lease.path, 'dist', 'app.js'), Buffer.alloc(64_000, 1));
    const du = await runCli(['du', '--json'], { cwd: repo, env });
    assert.equal(du.code, 0, du.stderr);
    assert.ok((JSON.parse(du.stdout) as { ignoredBytes: number }[])[0].ignoredBytes >= 64_000);
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: repo, env })).stdout) as { ready: { ports: { base: number }; dependencies: string; disk: unknown } }[];
    assert.equal(status[0].ready.ports.base, 30005);
    assert.equal(status[0].ready.dependencies, 'warm');
    assert.ok(status[0].ready.disk);
    const refused = await runCli(['trim', 'wt-1'], { cwd: repo, env });
    assert.equal(refused.code, 4, 'a lease not yours: refused');
    const trimmed = await runCli(['trim', 'wt-1', '--if-lease-id', lease.leaseId, '--json'], { cwd: repo, env });
    assert.equal(trimmed.code, 0, trimmed.stderr);
    assert.deepEqual((JSON.parse(trimmed.stdout) as { removed: string[] }).removed, ['dist']);
    const bad = await runCli(['prune', '--disk-budget-gb', 'lots'], { cwd: repo, env });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--disk-budget-gb expects a number above 0/);
  });

  it('Ctrl-C during a setup step kills the step (no npm ci left behind) and keeps the worktree for the asker', async () => {
    const marker = `grove-ready-sigint-${process.pid}`;
    const repo = createRepo({ files: { 'README.md': 'x\n', '.grove/worktree.json': JSON.stringify({ setup: [[process.execPath, '-e', 'setInterval(() => {}, 1000)', marker]] }) } });
    const child = spawn(process.execPath, [CLI_PATH, 'lease', '--holder', 'me'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!stderr.includes('setting up wt-1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /killed by SIGINT.*kept leased to me/);
    const left = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker) && !line.includes('ps -eo'));
    for (const line of left) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL'); // never leave one behind, even when failing
    assert.deepEqual(left, [], 'the step is gone');
    const status = JSON.parse((await runCli(['status', '--json'], { cwd: repo })).stdout) as { holder: string }[];
    assert.equal(status[0].holder, 'me');
  });
});
