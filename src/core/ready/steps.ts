import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/** How long one setup, refresh or teardown step may take before it is killed and counted failed. */
export const STEP_TIMEOUT_MS = 30 * 60_000;

export interface StepOutcome {
  ok: boolean;
  /** The failing step as typed, and why (exit code, signal, or could not start). */
  failedStep?: string;
  error?: string;
}

/**
 * Runs steps one after another in `cwd`, each an argument array (no shell), with output
 * appended to `logFile`; stops at the first that fails. `progress` hears "npm ci" before each.
 */
export async function runSteps(phase: string, steps: string[][], o: { cwd: string; env: Record<string, string>; logFile: string; progress?: (step: string) => void; timeoutMs?: number }): Promise<StepOutcome> {
  await fs.mkdir(path.dirname(o.logFile), { recursive: true });
  for (const step of steps) {
    const shown = step.join(' ');
    o.progress?.(shown);
    await fs.appendFile(o.logFile, `\n== ${new Date().toISOString()} ${phase}: ${JSON.stringify(step)} in ${o.cwd}\n`);
    const error = await runOne(step, o.cwd, o.env, o.logFile, o.timeoutMs ?? STEP_TIMEOUT_MS);
    await fs.appendFile(o.logFile, `== ${error ?? 'ok'}\n`);
    if (error) return { ok: false, failedStep: shown, error };
  }
  return { ok: true };
}

async function runOne(step: string[], cwd: string, env: Record<string, string>, logFile: string, timeoutMs: number): Promise<string | null> {
  const log = await fs.open(logFile, 'a');
  try {
    return await new Promise<string | null>((resolve) => {
      const child = spawn(step[0], step.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', log.fd, log.fd], detached: true });
      const timer = setTimeout(() => {
        // Its own process group: the step's children (npm's scripts) go with it.
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, timeoutMs);
      child.once('error', (error) => {
        clearTimeout(timer);
        resolve(`could not start ${step[0]}: ${error.message}`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(code === 0 ? null : signal ? `killed by ${signal}` : `exit code ${code}`);
      });
    });
  } finally {
    await log.close();
  }
}
