import { RunRegistry } from '../agents/runRegistry';
import type { RepositoryLocation } from '../git/repository';
import { silentLogger, type Logger } from '../logger';
import { WorktreePool } from '../pool/pool';
import { openResults, type Results } from '../results';
import type { Budget } from './budget';
import { ChainRunner } from './chains/runner';
import { Engine, type EngineOptions } from './engine';
import { PoolWorktrees } from './poolWorktrees';
import { RegistryLauncher } from './registryLauncher';

export interface OpenEngineOptions extends Omit<EngineOptions, 'groveDir' | 'worktrees' | 'agents'> {
  repo: RepositoryLocation;
  /** Pool root (default: the pool's own, `<repo>.grove`). */
  root?: string;
  /** Pool maximum (default: the pool's, 8). */
  max?: number;
  /** The agent CLI (default `claude`). */
  agentCommand?: string;
  logger?: Logger;
}

export interface OpenedEngine {
  engine: Engine;
  chains: ChainRunner;
  pool: WorktreePool;
  registry: RunRegistry;
  /** Results: recorded as tasks, chains and fan-outs end (src/core/results). */
  results: Results;
  budget(): Budget;
  /** Stops watching adopted runs and timers so the process can exit; agents keep running detached. */
  close(): void;
}

/** The engine wired to the real pool and run registry of one repository: what the CLI and the editor use. */
export function openEngine(o: OpenEngineOptions): OpenedEngine {
  const logger = o.logger ?? silentLogger;
  const pool = new WorktreePool({ repo: o.repo, root: o.root, max: o.max, logger, now: o.now });
  const registry = new RunRegistry({ groveDir: o.repo.groveDir, logger, now: o.now, agentCommand: o.agentCommand });
  const worktrees = new PoolWorktrees(pool);
  const engine = new Engine({ ...o, groveDir: o.repo.groveDir, worktrees, agents: new RegistryLauncher(registry), logger });
  const chains = new ChainRunner({ engine, worktrees, groveDir: o.repo.groveDir, now: o.now });
  const results = openResults({ repo: o.repo, pool, registry, engine, logger, now: o.now });
  return { engine, chains, pool, registry, results, budget: () => engine.budget, close: () => engine.close() };
}
