import type { Command } from 'commander';
import { register as agents } from './agents';
import { register as budget } from './budget';
import { register as cancel } from './cancel';
import { register as chain } from './chain';
import { register as destroy } from './destroy';
import { register as lease } from './lease';
import { register as prices } from './prices';
import { register as prune } from './prune';
import { register as returnCommand } from './return';
import { register as run } from './run';
import { register as runs } from './runs';
import { register as status } from './status';
import { register as du } from './du';
import { register as trim } from './trim';
import { register as results } from './results';
import { register as result } from './result';
import { register as diff } from './diff';
import { register as continueCommand } from './continue';
import { register as discard } from './discard';
import { register as parked } from './parked';
import { register as landCommand } from './land';

/** Each command lives in its own module and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [status, lease, returnCommand, destroy, prune, run, chain, budget, runs, cancel, trim, du, agents, prices,
  results, result, diff, continueCommand, discard, parked, landCommand];
