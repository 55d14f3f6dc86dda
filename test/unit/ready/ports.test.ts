import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { busyPorts, portBlock, worktreeEnv } from '../../../src/core/ready/ports';
import { createPool } from '../../helpers/pool';
import { cleanupTempDirs, tempDir } from '../../helpers/tempRepo';
import { closeHarnesses, DOUBLE, harness } from '../../helpers/engineHarness';
import type { Logger } from '../../../src/core/logger';

/** A real process listening on `port` at `host`; resolves once it listens. */
function listener(port: number, host: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen({ port: ${port}, host: '${host}', ipv6Only: ${host === '::1'} }, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`listener on ${host}:${port} exited ${code}`)));
  });
}

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const ignore = (): void => undefined;
  return { warnings, trace: ignore, debug: ignore, info: ignore, warn: (message: string) => warnings.push(message), error: ignore };
}

describe('ready: a port block per worktree', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    closeHarnesses();
    cleanupTempDirs();
  });

  it('gives wt-N base + 10 × N onward, 10 ports, disjoint from every other worktree, for any settings', () => {
    assert.deepEqual(portBlock('wt-3'), { base: 20030, ports: [20030, 20031, 20032, 20033, 20034, 20035, 20036, 20037, 20038, 20039] });
    for (const settings of [{}, { base: 30000, size: 4 }, { base: 1024, size: 25 }]) {
      const seen = new Set<number>();
      for (let n = 1; n <= 200; n++) {
        const block = portBlock(`wt-${n}`, settings);
        if (!block) continue;
        for (const port of block.ports) {
          assert.ok(!seen.has(port), `port ${port} in two blocks (settings ${JSON.stringify(settings)})`);
          seen.add(port);
        }
      }
    }
    assert.equal(portBlock('scratch'), null, 'a name without a number has no block');
    assert.equal(portBlock('wt-9999'), null, 'a block past 65535 is none, not a wrapped one');
    assert.throws(() => portBlock('wt-1', { base: 80 }), /port base/);
  });

  it('names the environment: GROVE_WORKTREE, GROVE_PORT_BASE, GROVE_PORT_0..9, GROVE_DB_SUFFIX, GROVE_SLOT', () => {
    const env = worktreeEnv('wt-3', portBlock('wt-3'), 'slot-2');
    assert.equal(env.GROVE_WORKTREE, 'wt-3');
    assert.equal(env.GROVE_PORT_BASE, '20030');
    assert.equal(env.GROVE_PORT_0, '20030');
    assert.equal(env.GROVE_PORT_9, '20039');
    assert.equal(env.GROVE_PORT_10, undefined);
    assert.equal(env.GROVE_DB_SUFFIX, '_wt3');
    assert.equal(env.GROVE_SLOT, 'slot-2');
    assert.equal(worktreeEnv('wt-3', null).GROVE_SLOT, undefined);
  });

  it('sees real processes holding ports of a block on IPv4 and on IPv6 loopback, with their pids', async () => {
    const block = portBlock('wt-1', { base: 41000 + (process.pid % 500) * 10 })!;
    assert.deepEqual(await busyPorts(block), [], 'nothing listens yet');
    children.push(await listener(block.ports[2], '127.0.0.1'));
    let ipv6 = true;
    try {
      children.push(await listener(block.ports[5], '::1'));
    } catch {
      ipv6 = false; // no IPv6 loopback on this machine
    }
    const busy = await busyPorts(block);
    const v4 = busy.find((entry) => entry.port === block.ports[2] && entry.host === '127.0.0.1');
    assert.ok(v4, `port ${block.ports[2]} seen taken on IPv4: ${JSON.stringify(busy)}`);
    assert.deepEqual(v4.pids, [children[0].pid]);
    if (ipv6) {
      const v6 = busy.find((entry) => entry.port === block.ports[5] && entry.host === '::1');
      assert.ok(v6, `port ${block.ports[5]} seen taken on IPv6: ${JSON.stringify(busy)}`);
      assert.deepEqual(v6.pids, [children[1].pid]);
    }
    assert.ok(busy.every((entry) => entry.port === block.ports[2] || entry.port === block.ports[5]), 'no other port reported');
  });

  it('a lease returns the block and env, keeps it across reuse, and warns when an outside process holds one of its ports', async () => {
    const base = 42000 + (process.pid % 500) * 10;
    const logger = capturingLogger();
    const fixture = await createPool({ pool: { logger, ready: { ports: { base, size: 10 } } } });
    const first = await fixture.pool.lease({ holder: 'a' });
    assert.equal(first.name, 'wt-1');
    assert.deepEqual(first.ports?.ports[0], base + 10);
    assert.equal(first.env?.GROVE_PORT_BASE, String(base + 10));
    assert.deepEqual(first.warnings, []);
    await fixture.pool.returnWorktree('wt-1');
    children.push(await listener(base + 13, '127.0.0.1'));
    const again = await fixture.pool.lease({ holder: 'b' });
    assert.equal(again.name, 'wt-1');
    assert.equal(again.ports?.base, base + 10, 'the same block across reuse');
    assert.equal(again.warnings?.length, 1);
    assert.match(again.warnings![0], new RegExp(`${base + 13} \\(IPv4, pid ${children[0].pid}\\)`));
    assert.ok(logger.warnings.some((line) => line.includes(String(base + 13))), 'the warning is logged too');
    const status = await fixture.pool.status();
    assert.equal(status[0].ready?.ports?.base, base + 10, 'grove status shows the block');
  });

  it('every agent run gets the worktree\'s identity and ports, and GROVE_SLOT', async () => {
    const dir = tempDir('grove-envagent-');
    const out = path.join(dir, 'env.json');
    const agent = path.join(dir, 'agent');
    writeFileSync(agent, `#!/usr/bin/env node
const fs = require('fs');
const grove = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('GROVE_') && !k.startsWith('GROVE_DOUBLE')));
fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify(grove));
const r = require('child_process').spawnSync(${JSON.stringify(DOUBLE)}, process.argv.slice(2), { input: fs.readFileSync(0), stdio: ['pipe', 'inherit', 'inherit'] });
process.exit(r.status ?? 1);
`);
    chmodSync(agent, 0o755);
    const made = await harness({ agentCommand: agent, slots: 1 });
    const result = await made.opened.engine.run({ prompt: 'hello' });
    assert.equal(result.status, 'succeeded', result.error ?? '');
    const env = JSON.parse(readFileSync(out, 'utf8')) as Record<string, string>;
    assert.equal(env.GROVE_WORKTREE, 'wt-1');
    assert.equal(env.GROVE_PORT_BASE, '20010');
    assert.equal(env.GROVE_PORT_9, '20019');
    assert.equal(env.GROVE_DB_SUFFIX, '_wt1');
    assert.equal(env.GROVE_SLOT, 'slot-1');
  });
});
