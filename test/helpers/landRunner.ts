/**
 * Runs one land in its own process, for the kill tests: `node --import tsx landRunner.ts '<json>'`
 * with { source, options }. Prints the record as JSON, or the refusal's reason, and exits with
 * the GroveError's exit code. (The CLI command comes with the results records; this stands in.)
 */
import { land } from '../../src/core/land';
import { isGroveError } from '../../src/core/errors';

const { source, options } = JSON.parse(process.argv[2]);
land(source, options).then(
  (record) => {
    process.stdout.write(JSON.stringify(record));
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = isGroveError(error) ? error.exitCode : 1;
  },
);
