/**
 * `npm run bench [-- name...]`: runs every bench/*.bench.ts (or the named ones) one after
 * another, prints each one's markdown report and keeps the raw numbers in bench/results/.
 * Each bench module exports `title` and `run(): Promise<BenchReport>`.
 */
import { promises as fs, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BenchReport {
  /** Markdown: what was measured, on what (repo size), and the side-by-side numbers. */
  markdown: string;
  /** Raw numbers, kept as JSON for comparison between runs. */
  data: Record<string, unknown>;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.release()}`;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname).filter((file) => file.endsWith('.bench.ts')).sort();
  const chosen = wanted.length ? files.filter((file) => wanted.some((name) => file.startsWith(name))) : files;
  if (chosen.length === 0) throw new Error(`no benchmark matches ${wanted.join(', ')}; have: ${files.join(', ')}`);
  await fs.mkdir(path.join(__dirname, 'results'), { recursive: true });
  console.log(`Machine: ${machineLine()}\n`);
  for (const file of chosen) {
    const module = (await import(path.join(__dirname, file))) as { title: string; run(): Promise<BenchReport> };
    console.error(`running ${file}...`);
    const report = await module.run();
    console.log(`## ${module.title}\n\n${report.markdown}\n`);
    await fs.writeFile(path.join(__dirname, 'results', file.replace(/\.ts$/, '.json')),
      JSON.stringify({ machine: machineLine(), at: new Date().toISOString(), ...report.data }, null, 2));
  }
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
