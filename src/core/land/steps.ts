import { appendFileSync } from 'node:fs';

/**
 * A test hook for the kill tests: with GROVE_LAND_TEST_STEPS=<file>, every step boundary of a land
 * is appended to that file and, with GROVE_LAND_TEST_PAUSE_MS, the land sleeps there, so a test
 * can SIGKILL the process exactly between two steps. Off (one env read) otherwise.
 */
export async function landStep(name: string): Promise<void> {
  const file = process.env.GROVE_LAND_TEST_STEPS;
  if (!file) return;
  appendFileSync(file, `${name}\n`);
  const pause = Number(process.env.GROVE_LAND_TEST_PAUSE_MS ?? 0);
  if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
}
