export {
  WorktreePool, DEFAULT_MAX,
  type PoolOptions, type Lease, type ReturnOutcome, type DestroyOutcome, type PruneOutcome,
  type WorktreeState, type WorktreeStatus, type Reservation, type ReserveOptions,
} from './pool';
export { RECOVERED_HOLDER } from './state';
export { validateName, validateHolder } from './names';
