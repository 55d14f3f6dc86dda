import type { Command } from 'commander';
import { register as cancel } from './cancel';
import { register as runs } from './runs';

/** Each command lives in its own module and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commandModules: RegisterCommand[] = [runs, cancel];
