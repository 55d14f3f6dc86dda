import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * A test hook for crash tests: with `GROVE_TEST_PAUSE_AT=<point>` and `GROVE_TEST_PAUSE_DIR=<dir>`
 * set, the process writes `<dir>/<point>.<pid>` when it reaches that point and then never goes
 * on, so a test can SIGKILL it exactly there. Without those variables it costs one lookup.
 */
export async function pausePoint(point: string): Promise<void> {
  const dir = process.env.GROVE_TEST_PAUSE_DIR;
  if (!dir || process.env.GROVE_TEST_PAUSE_AT !== point) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${point}.${process.pid}`), String(Date.now()));
  await new Promise<never>(() => setInterval(() => undefined, 60_000));
}
