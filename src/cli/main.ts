import { Command, CommanderError } from 'commander';
import { EXIT_CODES } from '../core/errors';
import { commandModules } from './commands';
import { note, reportError } from './io';

declare const GROVE_VERSION: string | undefined;

export function buildProgram(): Command {
  const program = new Command('grove')
    .description('A warm pool of git worktrees and parallel coding agents on one repository.')
    .option('--repo <dir>', 'the repository to work on (default: the current folder)')
    .showHelpAfterError('(run grove --help for usage)')
    .exitOverride();
  program.version(typeof GROVE_VERSION === 'string' ? GROVE_VERSION : 'dev');
  for (const register of commandModules) register(program);
  program.commands.forEach((command) => command.exitOverride());
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return process.exitCode === undefined ? EXIT_CODES.ok : Number(process.exitCode);
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version are successes; everything else commander rejects is a usage error.
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT_CODES.ok;
      return EXIT_CODES.usage;
    }
    if (error instanceof Error) return reportError(error);
    note(String(error));
    return EXIT_CODES.internal;
  }
}

if (require.main === module) {
  // `grove prices | head`: the reader left. Later output goes nowhere, but the command still
  // finishes what it started (a lease, a run being recorded) instead of dying with a stack trace.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.exitCode = reportError(error);
    },
  );
}
