/**
 * A Grove host in its own process, for tests that kill it or race it:
 *   node --import tsx test/helpers/agentHost.ts start <groveDir> <cwd> <agent> [slot]
 *     starts one run, prints {"id","pid"} on a line, then waits for it and prints the record.
 *   node --import tsx test/helpers/agentHost.ts race <groveDir> <cwd> <agent> <rounds>
 *     tries to start a run in slot-0..slot-(rounds-1), printing {"round","won","id"|"error"} per round.
 */
import { RunRegistry } from '../../src/core/agents';
import { isGroveError } from '../../src/core/errors';

async function main(): Promise<void> {
  const [mode, groveDir, cwd, agentCommand, extra] = process.argv.slice(2);
  const registry = new RunRegistry({ groveDir });
  if (mode === 'start') {
    const run = await registry.start({ cwd, prompt: 'from the host', agentCommand, slot: extra });
    process.stdout.write(JSON.stringify({ id: run.id, pid: run.snapshot().pid }) + '\n');
    process.stdout.write(JSON.stringify(await run.done) + '\n');
    return;
  }
  if (mode === 'race') {
    for (let round = 0; round < Number(extra); round++) {
      try {
        const run = await registry.start({ cwd, prompt: `round ${round}`, agentCommand, slot: `slot-${round}` });
        run.detach();
        process.stdout.write(JSON.stringify({ round, won: true, id: run.id }) + '\n');
      } catch (error) {
        process.stdout.write(JSON.stringify({ round, won: false, unavailable: isGroveError(error, 'unavailable'), error: (error as Error).message }) + '\n');
      }
    }
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

main().catch((error) => {
  process.stderr.write(String(error?.stack ?? error) + '\n');
  process.exitCode = 1;
});
