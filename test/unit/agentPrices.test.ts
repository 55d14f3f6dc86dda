import * as assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { AgentEvent } from '../../src/core/agents/adapters';
import { CostMeter } from '../../src/core/agents/meter';
import { loadPriceTable, priceFor, priceMap } from '../../src/core/agents/prices';
import { markRateLimited } from '../../src/core/agents/rateLimits';
import { isGroveError } from '../../src/core/errors';
import { cleanupTempDirs, createRepo, runCli, tempDir } from '../helpers/tempRepo';

const usage = (inputTokens: number, outputTokens: number, cacheReadTokens = 0, cacheWriteTokens = 0, model: string | null = null): AgentEvent =>
  ({ type: 'usage', model, costMicros: null, usage: { inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens } });

describe('price table', () => {
  afterEach(cleanupTempDirs);

  it('ships a dated table; .grove/prices.json overrides it, settings override both', async () => {
    const repo = createRepo();
    mkdirSync(path.join(repo, '.grove'), { recursive: true });
    writeFileSync(path.join(repo, '.grove', 'prices.json'), JSON.stringify({ models: { 'my-model': { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0.2, cacheWritePerMTok: 0 }, 'gpt-5': { inputPerMTok: 9, outputPerMTok: 9 } } }));
    const table = await loadPriceTable({ repoRoot: repo, settings: { models: { 'gpt-5': { inputPerMTok: 1.5, outputPerMTok: 12 } } } });
    assert.match(table.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(table.models['my-model'], { price: { input: 2_000_000, output: 8_000_000, cacheRead: 200_000, cacheWrite: 0 }, from: 'repository' });
    assert.deepEqual(table.models['gpt-5'].price, { input: 1_500_000, output: 12_000_000, cacheRead: 0, cacheWrite: 0 });
    assert.equal(table.models['gpt-5'].from, 'settings');
    assert.equal(table.models['claude-sonnet-4-5'].from, 'shipped');
  });

  it('refuses a bad override naming the file and the field', async () => {
    const repo = createRepo();
    mkdirSync(path.join(repo, '.grove'), { recursive: true });
    writeFileSync(path.join(repo, '.grove', 'prices.json'), JSON.stringify({ models: { x: { inputPerMTok: -1, outputPerMTok: 1 } } }));
    await assert.rejects(loadPriceTable({ repoRoot: repo }), (e: unknown) => isGroveError(e) && /prices\.json: models\.x\.inputPerMTok: expected US dollars/.test(e.message));
    await assert.rejects(loadPriceTable({ settings: { models: { y: { inputPerMTok: 'cheap' } } } }), /grove\.agent\.prices: models\.y\.inputPerMTok/);
  });

  it('finds a model by provider prefix and date suffix; unknown is null', async () => {
    const prices = priceMap(await loadPriceTable());
    assert.equal(priceFor(prices, 'openai/gpt-5')!.model, 'gpt-5');
    assert.equal(priceFor(prices, 'claude-sonnet-4-5-20250929')!.model, 'claude-sonnet-4-5');
    assert.equal(priceFor(prices, 'auto'), null);
  });
});

describe('cost meter', () => {
  const prices = { m: { input: 1_250_000, output: 10_000_000, cacheRead: 125_000, cacheWrite: 0 } };

  it('is exact integer math, rounded up once: a million one-token events are exactly $1.25 of input', () => {
    const meter = new CostMeter({ model: 'm', prices, holdMicros: null });
    for (let i = 0; i < 1_000_000; i++) meter.add(usage(1, 0));
    assert.equal(meter.spentMicros, 1_250_000);
    const one = new CostMeter({ model: 'm', prices, holdMicros: null });
    one.add(usage(1, 0));
    // 1.25 µ$ rounds up to 2: a cap is never under-counted.
    assert.equal(one.spentMicros, 2);
  });

  it('prices each kind of token and says once when the hold is used up', () => {
    const meter = new CostMeter({ model: 'm', prices, holdMicros: 20_000 });
    // 315 in, 122 out, 24448 cached: 393.75 + 1220 + 3056 = 4669.75 -> 4670 µ$
    assert.equal(meter.add(usage(315, 122, 24448)), false);
    assert.equal(meter.spentMicros, 4670);
    const hits = [1, 2, 3, 4].map(() => meter.add(usage(315, 122, 24448)));
    // 4 events: 18679 µ$ (under 20000); the 5th: 23349, used up.
    assert.deepEqual(hits, [false, false, false, true]);
    assert.equal(meter.exhausted, true);
  });

  it('takes a dollar figure the agent reported as it is, and counts unpriced usage', () => {
    const meter = new CostMeter({ model: 'unknown', prices, holdMicros: null });
    meter.add({ type: 'usage', model: null, costMicros: 12_300, usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 } });
    meter.add(usage(100, 100));
    assert.equal(meter.spentMicros, 12_300);
    assert.equal(meter.unpriced, 1);
  });
});

describe('grove prices / grove agents', () => {
  afterEach(cleanupTempDirs);

  it('grove prices --json shows the table in use with where each price came from', async () => {
    const repo = createRepo();
    mkdirSync(path.join(repo, '.grove'), { recursive: true });
    writeFileSync(path.join(repo, '.grove', 'prices.json'), JSON.stringify({ models: { 'my-model': { inputPerMTok: 2, outputPerMTok: 8 } } }));
    const out = await runCli(['prices', '--json'], { cwd: repo });
    assert.equal(out.code, 0, out.stderr);
    const table = JSON.parse(out.stdout) as { date: string; models: Record<string, { inputPerMTok: number; from: string }> };
    assert.deepEqual(table.models['my-model'], { inputPerMTok: 2, outputPerMTok: 8, cacheReadPerMTok: 0, cacheWritePerMTok: 0, from: 'repository' });
    assert.equal(table.models['gpt-5'].inputPerMTok, 1.25);
  });

  it('grove agents --json lists every kind: command, found or not, version, reported or metered', async () => {
    const bin = tempDir('grove-agents-bin-');
    const fake = path.join(bin, 'codex');
    writeFileSync(fake, '#!/bin/sh\necho "codex-cli 9.9.9"\n');
    chmodSync(fake, 0o755);
    const out = await runCli(['agents', '--json'], { cwd: bin, env: { PATH: `${bin}:/usr/bin:/bin`, GROVE_GEMINI_COMMAND: '/nonexistent/gemini' } });
    assert.equal(out.code, 0, out.stderr);
    const kinds = JSON.parse(out.stdout) as Array<{ kind: string; command: string; found: boolean; version: string | null; cost: string }>;
    assert.deepEqual(kinds.map((k) => k.kind), ['claude', 'codex', 'gemini', 'opencode']);
    const codex = kinds.find((k) => k.kind === 'codex')!;
    assert.deepEqual([codex.found, codex.version, codex.cost], [true, 'codex-cli 9.9.9', 'metered']);
    const gemini = kinds.find((k) => k.kind === 'gemini')!;
    assert.deepEqual([gemini.command, gemini.found, gemini.version], ['/nonexistent/gemini', false, null]);
    assert.equal(kinds.find((k) => k.kind === 'opencode')!.cost, 'reported');
  });

  it('grove agents --json shows a kind paused by a rate limit until its reset', async () => {
    const repo = createRepo();
    const until = new Date(Date.now() + 3_600_000).toISOString();
    await markRateLimited(path.join(repo, '.git', 'grove'), 'codex', { until, message: '429', runId: 'r' });
    const out = await runCli(['agents', '--json'], { cwd: repo });
    assert.equal(out.code, 0, out.stderr);
    const kinds = JSON.parse(out.stdout) as Array<{ kind: string; pausedUntil: string | null }>;
    assert.deepEqual(kinds.map((k) => [k.kind, k.pausedUntil]), [['claude', null], ['codex', until], ['gemini', null], ['opencode', null]]);
  });
});
