import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../../errors';
import { readJson, writeJsonAtomic } from '../../store/atomicJson';
import { liveness } from '../../util/liveness';
import type { ChainRunSnapshot } from './types';

/**
 * Chain runs live in `<groveDir>/chains/<chain-run-id>.json`, rewritten atomically at each
 * step change, so the panel shows them after a window reload and `grove` after a restart.
 * Only its own process writes a run's file, so no lock is needed.
 */
const RUN_ID = /^chain-[a-z0-9]+-[0-9a-f]+$/;
const OUTPUT_KEPT = 64 * 1024;

export function chainRunsDir(groveDir: string): string {
  return path.join(groveDir, 'chains');
}

export class ChainRunFile {
  private writing: Promise<void> = Promise.resolve();
  readonly file: string;

  constructor(groveDir: string, id: string) {
    this.file = path.join(chainRunsDir(groveDir), `${id}.json`);
  }

  /** Queues a write of the snapshot; writes never overlap and the last one wins. */
  save(snapshot: ChainRunSnapshot): Promise<void> {
    const copy = trimmed(snapshot);
    this.writing = this.writing.then(async () => {
      await fs.mkdir(path.dirname(this.file), { recursive: true });
      await writeJsonAtomic(this.file, copy);
    });
    return this.writing;
  }
}

function trimmed(snapshot: ChainRunSnapshot): ChainRunSnapshot {
  return {
    ...snapshot,
    steps: snapshot.steps.map((step) => ({ ...step, output: step.output.length > OUTPUT_KEPT ? step.output.slice(-OUTPUT_KEPT) : step.output })),
  };
}

/** A persisted chain run; one left `running` by a process that is gone reads as `interrupted`. */
export async function readChainRun(groveDir: string, id: string): Promise<ChainRunSnapshot | undefined> {
  if (!RUN_ID.test(id)) throw new GroveError('usage', `"${id}" is not a chain run id`, 'Chain run ids look like chain-lz2k8f-1a2b3c4d.');
  const read = await readJson<ChainRunSnapshot>(path.join(chainRunsDir(groveDir), `${id}.json`));
  if (read.kind !== 'ok') return undefined;
  return settleInterrupted(read.value);
}

export async function listChainRuns(groveDir: string): Promise<ChainRunSnapshot[]> {
  let names: string[];
  try {
    names = await fs.readdir(chainRunsDir(groveDir));
  } catch {
    return [];
  }
  const read = await Promise.all(names.filter((entry) => entry.endsWith('.json'))
    .map((name) => readChainRun(groveDir, name.slice(0, -'.json'.length)).catch(() => undefined)));
  const runs = read.filter((run): run is ChainRunSnapshot => run !== undefined);
  return runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}

async function settleInterrupted(run: ChainRunSnapshot): Promise<ChainRunSnapshot> {
  if (run.status !== 'running' || (await liveness(run.owner)) !== 'dead') return run;
  return {
    ...run,
    status: 'interrupted',
    steps: run.steps.map((step) => (step.status === 'running' ? { ...step, status: 'cancelled', error: step.error ?? 'the process running the chain ended' } : step)),
  };
}
