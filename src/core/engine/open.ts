import { RunRegistry } from '../agents/runRegistry';
import type { MicroPrice } from '../agents/prices';
import type { RepositoryLocation } from '../git/repository';
import { silentLogger, type Logger } from '../logger';
import { WorktreePool } from '../pool/pool';
import type { ReadyOptions } from '../ready/prepare';
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
  /** The price table metering uses (default: the shipped one). */
  prices?: Record<string, MicroPrice>;
  logger?: Logger;
  /** The pool's ports and setup/refresh steps (src/core/ready). */
  ready?: ReadyOptions;
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
  const pool = new WorktreePool({ repo: o.repo, root: o.root, max: o.max, logger, now: o.now, ready: o.ready });
  const worktrees = new PoolWorktrees(pool);
  const registry = new RunRegistry({ groveDir: o.repo.groveDir, logger, now: o.now, agentCommand: o.agentCommand, workKeeper: worktrees, prices: o.prices });
  const engine = new Engine({ ...o, groveDir: o.repo.groveDir, worktrees, agents: new RegistryLauncher(registry), logger });
  const chains = new ChainRunner({ engine, worktrees, groveDir: o.repo.groveDir, now: o.now });
  const results = openResults({ repo: o.repo, pool, registry, engine, logger, now: o.now });
  return { engine, chains, pool, registry, results, budget: () => engine.budget, close: () => engine.close() };
}

/**
 * The run registry alone (for commands that look at runs without running any), wired to the
 * pool so that recording a run whose engine died also keeps the work it left.
 */
export function openRunRegistry(o: { repo: RepositoryLocation; root?: string; max?: number; logger?: Logger }): RunRegistry {
  const logger = o.logger ?? silentLogger;
  const pool = new WorktreePool({ repo: o.repo, root: o.root, max: o.max, logger });
  return new RunRegistry({ groveDir: o.repo.groveDir, logger, workKeeper: new PoolWorktrees(pool) });
}
