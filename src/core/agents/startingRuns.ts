import type { Logger } from '../logger';
import { liveness } from '../util/liveness';
import { findRunProcesses } from './agentFinder';
import { killGroup } from './processGroup';
import type { RunEntry, RunFiles } from './runFiles';

/**
 * What a `starting` entry means to whoever looks. Its host writes it, spawns the agent, then
 * writes the agent's pid; a host that died in between leaves it `starting`, with or without an
 * agent. While the host lives the run is its own ('starting'); once it is provably dead the
 * agent is looked for by its run id: found, the run is adopted ('adopt', with the agent's
 * identity); not found, none runs and none ever will ('dead': finish it from its log, which
 * releases its hold). Anything ambiguous is 'unknown': nothing is decided, the hold stays.
 */
export type StartingVerdict =
  | { state: 'starting' | 'unknown' | 'dead' }
  | { state: 'adopt'; pid: number; startTime: string };

export async function judgeStarting(entry: RunEntry, files: RunFiles, o: { killGraceMs: number; logger: Logger; lookOnly?: boolean }): Promise<StartingVerdict> {
  if (!entry.host) return { state: 'unknown' };
  const host = await liveness(entry.host);
  if (host === 'alive') return { state: 'starting' };
  if (host === 'unknown') return { state: 'unknown' };
  const found = await findRunProcesses(entry.id, files.log);
  if (!found) return { state: 'unknown' };
  if (found.leader) return { state: 'adopt', pid: found.leader.pid, startTime: found.leader.startTime };
  // A fork between its fork and its exec holds the log but has no run id yet: look again later.
  if (found.logHolders.length > 0) return { state: 'unknown' };
  // Looking only (for a budget hold): the leftovers hold no money; the next recorder kills them.
  for (const pgid of o.lookOnly ? [] : found.orphanGroups) {
    // The agent is gone but left processes of its own (they carry its run id): done means none runs.
    o.logger.info(`run ${entry.id}: its agent is gone; killing process group ${pgid} it left behind`);
    await killGroup(pgid, o.killGraceMs).catch((error: Error) => o.logger.warn(`run ${entry.id}: could not kill group ${pgid}: ${error.message}`));
  }
  return { state: 'dead' };
}
