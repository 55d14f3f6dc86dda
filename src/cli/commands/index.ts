import type { Command } from 'commander';
import { register as budget } from './budget';
import { register as chain } from './chain';
import { register as run } from './run';

/** Each command lives in its own module and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [run, chain, budget];
