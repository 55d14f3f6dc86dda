import type { Logger } from '../logger';
import type { Liveness, ProcessIdentity } from '../util/liveness';
import { exists } from './paths';
import type { PoolStateFile } from './state';

export type LivenessCheck = (identity: ProcessIdentity) => Promise<Liveness>;

/**
 * Run at the start of every locked operation: clears what provably dead processes left
 * behind. Reservations and claims of dead owners go; an owner whose liveness is unknown keeps
 * its hold (never reap on unknown); leases are never touched. The caller sees what changed by
 * comparing the state before and after.
 */
export async function heal(state: PoolStateFile, isAlive: LivenessCheck, logger: Logger): Promise<void> {
  for (const record of Object.values(state.worktrees)) {
    if (record.reservation && (await isAlive(record.reservation.identity)) === 'dead') {
      logger.info(`heal: ${record.name}: reservation by ${record.reservation.owner} (pid ${record.reservation.identity.pid}) ended with its process`);
      record.reservation = null;
    }
    const claim = record.claim;
    if (!claim || (await isAlive(claim.identity)) !== 'dead') continue;
    record.claim = null;
    const onDisk = await exists(record.path);
    if (claim.op === 'create') {
      if (!onDisk) {
        // The creator died before git made the folder: nothing to account for.
        logger.info(`heal: ${record.name}: creation by pid ${claim.identity.pid} never started; entry dropped`);
        delete state.worktrees[record.name];
      } else {
        logger.warn(`heal: ${record.name}: creation by pid ${claim.identity.pid} was interrupted; kept as damaged`);
        record.damaged = 'creation was interrupted';
        record.incomplete = true;
      }
    } else if (claim.op === 'destroy' && !onDisk) {
      logger.info(`heal: ${record.name}: destroy by pid ${claim.identity.pid} had removed the folder; entry dropped`);
      delete state.worktrees[record.name];
    } else {
      logger.info(`heal: ${record.name}: ${claim.op} by pid ${claim.identity.pid} did not finish; claim cleared`);
    }
  }
}
