import * as path from 'node:path';
import { GroveError } from '../errors';
import { readJson, writeJsonAtomic } from '../store/atomicJson';
import { withLock } from '../store/lock';
import { isObject } from '../util/objects';
import { isAgentKind, type AgentKind } from './adapters';
import { MAX_RATE_LIMIT_WAIT_MS } from './rateLimitNotice';

/** A kind's rate limit as the last run that hit it said: when it resets and in what words. */
export interface RateLimitMark {
  until: string;
  message: string;
  runId: string;
}

/** When an agent gives no reset time (a bare 429), wait this long before trying that kind again. */
export const DEFAULT_RATE_LIMIT_MS = 60_000;

export function rateLimitsFile(groveDir: string): string {
  return path.join(groveDir, 'rate-limits.json');
}

/** Records a kind's rate limit under the pool lock; a later reset time wins over an earlier one. */
export async function markRateLimited(groveDir: string, kind: AgentKind, mark: RateLimitMark): Promise<void> {
  await withLock(groveDir, async (lock) => {
    const all = await readRateLimits(groveDir);
    const known = all[kind];
    if (known && Date.parse(known.until) >= Date.parse(mark.until)) return;
    all[kind] = mark;
    lock.assertHeld();
    await writeJsonAtomic(rateLimitsFile(groveDir), all);
  });
}

export async function readRateLimits(groveDir: string): Promise<Partial<Record<AgentKind, RateLimitMark>>> {
  const read = await readJson<unknown>(rateLimitsFile(groveDir));
  if (read.kind !== 'ok' || !isObject(read.value)) return {};
  const out: Partial<Record<AgentKind, RateLimitMark>> = {};
  for (const [kind, mark] of Object.entries(read.value)) {
    if (isAgentKind(kind) && isObject(mark) && typeof mark.until === 'string' && typeof mark.message === 'string') {
      out[kind] = { until: mark.until, message: mark.message, runId: String(mark.runId ?? '') };
    }
  }
  return out;
}

/** The kinds paused now (their reset time is still ahead). */
export async function pausedKinds(groveDir: string, now = new Date()): Promise<Partial<Record<AgentKind, RateLimitMark>>> {
  const all = await readRateLimits(groveDir);
  return Object.fromEntries(Object.entries(all).filter(([, mark]) => Date.parse(mark.until) > now.getTime()));
}

// Kept in the pure notice module so the editor's first draw can word the rule without loading the lock.
export { MAX_RATE_LIMIT_WAIT_MS } from './rateLimitNotice';

/**
 * Before a run of `kind` starts: if the kind is rate limited, wait for a reset that is near, or
 * refuse with when it resets (nothing started, nothing spent) instead of failing run after run.
 */
export async function waitOutRateLimit(groveDir: string, kind: AgentKind, o: { now?: () => Date; maxWaitMs?: number } = {}): Promise<void> {
  const now = o.now ?? (() => new Date());
  const mark = (await pausedKinds(groveDir, now()))[kind];
  if (!mark) return;
  const waitMs = Date.parse(mark.until) - now().getTime();
  if (waitMs > (o.maxWaitMs ?? MAX_RATE_LIMIT_WAIT_MS)) {
    throw new GroveError('unavailable', `${kind} is rate limited until ${mark.until} (${mark.message})`,
      `Try again after the reset, or run it with another --agent-kind (grove agents lists them).`);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, waitMs)));
}
