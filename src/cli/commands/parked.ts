import type { Command } from 'commander';
import { note, printJson, printLine } from '../io';
import { wantsJson, withPoolOptions } from '../pool';
import { resultsFor } from './results';

export function register(program: Command): void {
  const parked = withPoolOptions(program.command('parked')
    .description('list parked work (refs/grove/parked/…): what discard, return --force and destroy --force kept'))
    .action(async (_options: unknown, command: Command) => {
      const entries = await (await resultsFor(command)).parked();
      if (wantsJson(command)) {
        printJson({ parked: entries });
        return;
      }
      if (entries.length === 0) note('grove: nothing is parked');
      for (const entry of entries) printLine(`${entry.ref}  ${entry.parkedAt}  ${entry.files?.length ?? 0} file(s)  ${entry.subject}`);
    });
  withPoolOptions(parked.command('restore')
    .description('put parked work into a freshly leased worktree (the ref stays until dropped)')
    .argument('<ref>', 'the parked ref (refs/grove/parked/… or the part after it)')
    .option('--holder <holder>', 'who the new lease is for', process.env.GROVE_HOLDER || 'grove:restored'))
    .action(async (ref: string, options: { holder: string }, command: Command) => {
      const restored = await (await resultsFor(command)).restoreParked(ref, options.holder);
      if (wantsJson(command)) printJson(restored);
      else printLine(restored.path);
      note(`grove: restored ${restored.ref} into ${restored.path} (leased to ${options.holder}, lease ${restored.leaseId}); drop the ref with grove parked drop ${restored.ref}`);
    });
  withPoolOptions(parked.command('drop')
    .description('delete a parked ref (its commits become unreachable: git gc may remove them)')
    .argument('<ref>', 'the parked ref'))
    .action(async (ref: string, _options: unknown, command: Command) => {
      const dropped = await (await resultsFor(command)).dropParked(ref);
      if (wantsJson(command)) printJson(dropped);
      note(`grove: dropped ${dropped.ref} (was ${dropped.commit}; git branch rescued ${dropped.commit} brings it back until gc)`);
    });
}
