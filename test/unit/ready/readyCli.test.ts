import { strict as assert } from 'node:assert';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cleanupTempDirs, createRepo, runCli } from '../../helpers/tempRepo';

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
});
