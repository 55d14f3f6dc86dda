import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { locateRepository } from '../../src/core/git/repository';
import { openEngine, type OpenedEngine, type OpenEngineOptions } from '../../src/core/engine/open';
import { cleanupTempDirs, createRepo, tempDir } from './tempRepo';
import { DOUBLE, doubleRecords } from './claudeDouble';

export { DOUBLE, type DoubleRecord } from './claudeDouble';
/** What each run of the double recorded (GROVE_DOUBLE_RECORD_DIR). */
export const readRecords = doubleRecords;

/** A flag's value, given as `--flag=value` (how the runner passes them) or `--flag value`. */
export function flagValue(argv: string[], flag: string): string | undefined {
  const attached = argv.find((arg) => arg.startsWith(`${flag}=`));
  if (attached) return attached.slice(flag.length + 1);
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

/**
 * An agent command that runs the double with a scenario picked by markers in the prompt, so one
 * chain can have a failing step and a succeeding recovery: `[scenario:NAME]` sets
 * GROVE_DOUBLE_SCENARIO, `[hang]` GROVE_DOUBLE_HANG=1, `[write:FILE]` GROVE_DOUBLE_WRITE_FILE.
 */
export function promptSteeredDouble(): string {
  const dir = tempDir('grove-agent-');
  const file = path.join(dir, 'agent');
  writeFileSync(file, `#!/usr/bin/env node
const fs = require('fs');
const { spawnSync } = require('child_process');
const input = fs.readFileSync(0, 'utf8');
const env = { ...process.env };
const scenario = input.match(/\\[scenario:([a-z-]+)\\]/);
if (scenario) env.GROVE_DOUBLE_SCENARIO = scenario[1];
if (input.includes('[hang]')) env.GROVE_DOUBLE_HANG = '1';
const write = input.match(/\\[write:([\\w.-]+)\\]/);
if (write) env.GROVE_DOUBLE_WRITE_FILE = write[1];
const result = spawnSync(${JSON.stringify(DOUBLE)}, process.argv.slice(2), { input, stdio: ['pipe', 'inherit', 'inherit'], env });
process.exit(result.status === null ? 1 : result.status);
`);
  chmodSync(file, 0o755);
  return file;
}

export interface Harness {
  repo: string;
  groveDir: string;
  recordDir: string;
  opened: OpenedEngine;
}

export async function harness(options: Partial<OpenEngineOptions> & { env?: Record<string, string>; agentCommand?: string } = {}): Promise<Harness> {
  const repo = createRepo();
  const location = await locateRepository(repo);
  const recordDir = path.join(tempDir('grove-records-'), 'records');
  mkdirSync(recordDir);
  const { env, ...rest } = options;
  const opened = openEngine({
    repo: location,
    agentCommand: options.agentCommand ?? DOUBLE,
    slotPollMs: 50,
    ...rest,
    settings: { ...rest.settings, env: { GROVE_DOUBLE_RECORD_DIR: recordDir, ...env, ...rest.settings?.env } },
  });
  const made = { repo, groveDir: location.groveDir, recordDir, opened };
  openHarnesses.push(made);
  return made;
}

const openHarnesses: Harness[] = [];

/** For `afterEach`: closes every engine `harness()` opened and removes the temp folders. */
export function closeHarnesses(): void {
  for (const open of openHarnesses.splice(0)) open.opened.close();
  cleanupTempDirs();
}

/** Whether a pid is gone, waiting a little: a killed process's children die a moment after it. */
export async function goneSoon(pid: number, withinMs = 3_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs one task on the harness's engine and returns it with the result the recorder made of it. */
export async function runRecorded(h: Harness, prompt: string): Promise<{ task: import('../../src/core/engine/types').TaskResult; record: import('../../src/core/results').ResultRecord }> {
  const task = await h.opened.engine.run({ prompt });
  await h.opened.results.recorder!.flush();
  return { task, record: await h.opened.results.service.find(task.id) };
}
