/**
 * Adapter cost per event: each kind's parser plus the cost meter over a 100k-line log built
 * from its recorded/assembled fixture (repeated, fed in 64 KiB chunks as a tail would), against
 * the plain alternative of splitting the same bytes into lines and JSON.parse-ing each.
 * Budget: under 50 µs per event.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { adapterFor, AGENT_KINDS, type AgentKind } from '../src/core/agents/adapters';
import { CostMeter } from '../src/core/agents/meter';
import { loadPriceTable, priceMap } from '../src/core/agents/prices';
import { machineLine, median, type BenchReport } from './run';

export const title = 'Agent adapters (parse + meter per event)';

const LINES = Number(process.env.GROVE_BENCH_ADAPTER_LINES ?? 100_000);
const REPEATS = 5;
const CHUNK = 64 * 1024;
const FIXTURE: Record<AgentKind, string> = { claude: 'claude-cli/success.stream.jsonl', codex: 'codex-cli/success.stream.jsonl', gemini: 'gemini-cli/success.stream.jsonl', opencode: 'opencode-cli/success.stream.jsonl' };
const MODEL: Record<AgentKind, string> = { claude: 'claude-sonnet-4-5', codex: 'gpt-5-codex', gemini: 'gemini-2.5-pro', opencode: 'claude-sonnet-4-5' };

function buildLog(kind: AgentKind): Buffer {
  const lines = readFileSync(path.resolve(__dirname, '../test/fixtures', FIXTURE[kind]), 'utf8').split('\n').filter((l) => l.trim());
  const out: string[] = [];
  for (let i = 0; out.length < LINES; i++) out.push(lines[i % lines.length]);
  return Buffer.from(out.join('\n') + '\n');
}

export async function run(): Promise<BenchReport> {
  const prices = priceMap(await loadPriceTable());
  const rows: string[] = [];
  const data: Record<string, unknown> = { lines: LINES };
  for (const kind of AGENT_KINDS) {
    const log = buildLog(kind);
    const adapterUs: number[] = [];
    const plainUs: number[] = [];
    let events = 0;
    for (let r = 0; r < REPEATS; r++) {
      let t = process.hrtime.bigint();
      const parser = adapterFor(kind).createLog();
      const meter = new CostMeter({ model: MODEL[kind], prices, holdMicros: null });
      events = 0;
      for (let i = 0; i < log.length; i += CHUNK) for (const e of parser.push(log.subarray(i, i + CHUNK))) { meter.add(e); events++; }
      for (const e of parser.end()) { meter.add(e); events++; }
      adapterUs.push(Number(process.hrtime.bigint() - t) / 1000 / LINES);
      t = process.hrtime.bigint();
      let parsed = 0;
      let pending = '';
      for (let i = 0; i < log.length; i += CHUNK) {
        pending += log.subarray(i, i + CHUNK).toString('utf8');
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        for (const line of parts) if (line) { JSON.parse(line); parsed++; }
      }
      plainUs.push(Number(process.hrtime.bigint() - t) / 1000 / Math.max(1, parsed));
    }
    data[kind] = { adapterUsPerLine: adapterUs, plainUsPerLine: plainUs, eventsEmitted: events, bytes: log.length };
    rows.push(`| ${kind} | ${(log.length / 2 ** 20).toFixed(1)} MiB | ${events} | ${median(adapterUs).toFixed(2)} µs | ${median(plainUs).toFixed(2)} µs |`);
  }
  const markdown = [
    `${LINES.toLocaleString('en')} lines per kind, fed in 64 KiB chunks, median of ${REPEATS}; machine: ${machineLine()}.`,
    '',
    '| kind | log | events emitted | adapter + meter per line | plain split + JSON.parse per line |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...rows,
  ].join('\n');
  return { markdown, data };
}
