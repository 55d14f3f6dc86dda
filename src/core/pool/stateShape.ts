import type { ProcessIdentity } from '../util/liveness';
import type { ClaimRecord, LeaseRecord, PoolStateFile, ReservationRecord, WorktreeRecord } from './state';

/**
 * Checks every field of a parsed state file, so a file of the right syntax but the wrong shape
 * (`"lease": "yes"`, `"claim": 7`, an identity of null) is caught on read instead of failing
 * some command later with "cannot read properties of undefined". Fields that older Grove
 * versions did not write (optional, nullable) may be missing and read as null.
 *
 * Returns the records that are whole and, for each one that is not, what is wrong: the caller
 * keeps the whole ones and recovers the rest from disk. A file that is not a pool state at all
 * (not an object, another version) has nothing to keep.
 */
export type ShapeCheck =
  | { kind: 'ok'; state: PoolStateFile }
  | { kind: 'partly'; state: PoolStateFile; problems: string[] }
  | { kind: 'invalid'; reason: string };

const OPS = new Set(['create', 'lease', 'reserve', 'return', 'destroy']);
type Fields = Record<string, unknown>;

export function checkShape(value: unknown): ShapeCheck {
  if (!isObject(value)) return { kind: 'invalid', reason: 'not a JSON object' };
  if (value.version !== 1) return { kind: 'invalid', reason: `version is ${JSON.stringify(value.version)}, not 1` };
  if (!isObject(value.worktrees)) return { kind: 'invalid', reason: '"worktrees" is not an object' };
  const state: PoolStateFile = { version: 1, worktrees: {} };
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(value.worktrees)) {
    const problem = recordProblem(name, raw);
    if (problem) problems.push(`${name}: ${problem}`);
    else state.worktrees[name] = normalized(raw as Fields);
  }
  return problems.length ? { kind: 'partly', state, problems } : { kind: 'ok', state };
}

function recordProblem(name: string, raw: unknown): string | null {
  if (!isObject(raw)) return 'not an object';
  if (raw.name !== name) return `"name" is ${JSON.stringify(raw.name)}, not its key`;
  for (const key of ['path', 'root', 'createdAt'] as const) if (typeof raw[key] !== 'string') return `"${key}" is not a string`;
  if (!nullableString(raw.head)) return '"head" is not a string or null';
  if (!nullableString(raw.damaged)) return '"damaged" is not a string or null';
  if (raw.incomplete !== undefined && typeof raw.incomplete !== 'boolean') return '"incomplete" is not true or false';
  return nested('lease', raw.lease, leaseProblem) ?? nested('reservation', raw.reservation, reservationProblem) ?? nested('claim', raw.claim, claimProblem);
}

function nested(key: string, value: unknown, check: (value: Fields) => string | null): string | null {
  if (value === undefined || value === null) return null;
  if (!isObject(value)) return `"${key}" is ${JSON.stringify(value)}, not an object or null`;
  const problem = check(value);
  return problem && `"${key}": ${problem}`;
}

function leaseProblem(lease: Fields): string | null {
  return strings(lease, ['leaseId', 'holder', 'leasedAt', 'head'])
    ?? (lease.recovered !== undefined && typeof lease.recovered !== 'boolean' ? '"recovered" is not true or false' : null);
}

function reservationProblem(reservation: Fields): string | null {
  return strings(reservation, ['reservationId', 'owner', 'at', 'head']) ?? identityProblem(reservation.identity);
}

function claimProblem(claim: Fields): string | null {
  if (typeof claim.op !== 'string' || !OPS.has(claim.op)) return `"op" is ${JSON.stringify(claim.op)}, not one of ${[...OPS].join(', ')}`;
  if (claim.holder !== undefined && typeof claim.holder !== 'string') return '"holder" is not a string';
  return strings(claim, ['token', 'at']) ?? identityProblem(claim.identity);
}

function identityProblem(identity: unknown): string | null {
  if (!isObject(identity)) return '"identity" is not an object';
  if (!Number.isSafeInteger(identity.pid) || (identity.pid as number) <= 0) return '"identity.pid" is not a process id';
  if (!nullableString(identity.startTime) || !nullableString(identity.bootId)) return '"identity" start time or boot id is not a string or null';
  return null;
}

function strings(fields: Fields, keys: string[]): string | null {
  const bad = keys.find((key) => typeof fields[key] !== 'string');
  return bad ? `"${bad}" is not a string` : null;
}

function normalized(raw: Fields): WorktreeRecord {
  const record: WorktreeRecord = {
    name: raw.name as string, path: raw.path as string, root: raw.root as string, createdAt: raw.createdAt as string,
    head: (raw.head as string | undefined) ?? null,
    lease: (raw.lease as LeaseRecord | undefined) ?? null,
    reservation: reservation(raw.reservation as ReservationRecord | undefined),
    claim: claim(raw.claim as ClaimRecord | undefined),
    damaged: (raw.damaged as string | undefined) ?? null,
  };
  if (raw.incomplete !== undefined) record.incomplete = raw.incomplete as boolean;
  return record;
}

function reservation(value: ReservationRecord | undefined | null): ReservationRecord | null {
  return value ? { ...value, identity: identity(value.identity) } : null;
}

function claim(value: ClaimRecord | undefined | null): ClaimRecord | null {
  return value ? { ...value, identity: identity(value.identity) } : null;
}

function identity(value: ProcessIdentity): ProcessIdentity {
  return { pid: value.pid, startTime: value.startTime ?? null, bootId: value.bootId ?? null };
}

function nullableString(value: unknown): boolean {
  return value === undefined || value === null || typeof value === 'string';
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
