/**
 * Results (issue 10), the API landing (issue 11) builds on:
 *   openResults({ repo, pool, registry, engine? })  -> { store, recorder, service }
 *   service.find(ref)       a result by result id, task id (any run's), chain run id or worktree name/path
 *   service.worktreeOf(r)   its worktree { name, path, leaseId }, or a GroveError saying it was given back,
 *                           discarded (with the parked ref) or removed by hand
 *   record.baseCommit, record.prompt, record.finalMessage, record.runs[].sessionId, record.changes,
 *   record.worktree.{path, leaseId, holder}, record.review ('awaiting' | 'kept' | 'discarded' | 'landed')
 *   service.landSource(r)   the record as src/core/land's LandSource
 *   store.update(id, change) the one way to change a record (under that record's lock)
 */
import type { RunRegistry } from '../agents/runRegistry';
import { runFiles } from '../agents/runFiles';
import type { Engine } from '../engine/engine';
import type { RepositoryLocation } from '../git/repository';
import type { Logger } from '../logger';
import type { WorktreePool } from '../pool/pool';
import { ResultRecorder, type RecorderSources } from './recorder';
import { ResultsService } from './service';
import { ResultStore } from './store';
import { readTranscript } from './transcript';

export { ResultStore, resultsDir, unknownResult, RESULT_RETENTION_MS } from './store';
export { ResultRecorder } from './recorder';
export { ResultsService, reviewPrompt, type ContinueOptions } from './service';
export { blockedOf, allowingPrompt, allowingSettings, kindOf, type Blocked } from './allowing';
export { computeChanges, unifiedDiff, fileAtCommit, untrackedFiles } from './changes';
export { listParked, resolveParked, PARKED_PREFIX, type ParkedEntry } from './parked';
export { recordOrphans, ORPHAN_GRACE_MS } from './orphans';
export { readTranscript, parseTranscript, transcriptMarkdown, type Transcript, type TranscriptEntry } from './transcript';
export * from './types';
export { landResult, describeLanding, type LandResultOptions, type LandResultOutcome, type LandResultDeps } from './landResult';

export interface Results {
  store: ResultStore;
  recorder: ResultRecorder | null;
  service: ResultsService;
}

/** The run registry and pool as the recorder's sources. */
export function recorderSources(pool: WorktreePool, registry: RunRegistry, groveDir: string): RecorderSources {
  return {
    leaseOf: (name) => pool.leaseOf(name),
    async runDetails(runId) {
      const run = await registry.get(runId);
      if (!run) return null;
      const transcript = await readTranscript(runFiles(groveDir, runId).log).catch(() => null);
      return { numTurns: run.numTurns, durationMs: run.durationMs, model: transcript?.model ?? null, agentKind: run.agentKind, blockedOn: run.blockedOn };
    },
  };
}

/**
 * Results for one repository: the store, and (with an engine) the recorder that writes a result
 * whenever a task, chain or fan-out variant ends. The CLI and the editor both call this, so each
 * sees what the other recorded.
 */
export function openResults(o: { repo: RepositoryLocation; pool: WorktreePool; registry: RunRegistry; engine?: Engine; logger?: Logger; now?: () => Date }): Results {
  const store = new ResultStore(o.repo.groveDir, o.now);
  const recorder = o.engine
    ? new ResultRecorder({ events: o.engine.events, store, sources: recorderSources(o.pool, o.registry, o.repo.groveDir), logger: o.logger, now: o.now })
    : null;
  const service = new ResultsService({ store, repoDir: o.repo.mainWorktree, pool: o.pool, engine: o.engine, recorder: recorder ?? undefined, registry: o.registry });
  return { store, recorder, service };
}

/** The run log of a result's run, for transcripts. */
export function runLogOf(groveDir: string, runId: string): string {
  return runFiles(groveDir, runId).log;
}
