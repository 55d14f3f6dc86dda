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
export async function runSteps(phase: string, steps: string[][], o: { cwd: string; env: Record<string, string>; logFile: string; progress?: (step: string) => void; timeoutMs?: number; forwardInterrupts?: boolean }): Promise<StepOutcome> {
  await fs.mkdir(path.dirname(o.logFile), { recursive: true });
  for (const step of steps) {
    const shown = step.join(' ');
    o.progress?.(shown);
    await fs.appendFile(o.logFile, `\n== ${new Date().toISOString()} ${phase}: ${JSON.stringify(step)} in ${o.cwd}\n`);
    const error = await runOne(step, o.cwd, o.env, o.logFile, o.timeoutMs ?? STEP_TIMEOUT_MS, o.forwardInterrupts ?? false);
    await fs.appendFile(o.logFile, `== ${error ?? 'ok'}\n`);
    if (error) return { ok: false, failedStep: shown, error };
  }
  return { ok: true };
}

async function runOne(step: string[], cwd: string, env: Record<string, string>, logFile: string, timeoutMs: number, forward: boolean): Promise<string | null> {
  const log = await fs.open(logFile, 'a');
  try {
    return await new Promise<string | null>((resolve) => {
      const child = spawn(step[0], step.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', log.fd, log.fd], detached: true });
      const killGroup = (signal: NodeJS.Signals): void => {
        // Its own process group: the step's children (npm's scripts) go with it.
        try {
          process.kill(-child.pid!, signal);
        } catch {
          /* already gone */
        }
      };
      const timer = setTimeout(() => killGroup('SIGKILL'), timeoutMs);
      const stopForwarding = forward ? forwardInterrupts(killGroup) : () => undefined;
      child.once('error', (error) => {
        clearTimeout(timer);
        stopForwarding();
        resolve(`could not start ${step[0]}: ${error.message}`);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        stopForwarding();
        resolve(code === 0 ? null : signal ? `killed by ${signal}` : `exit code ${code}`);
      });
    });
  } finally {
    await log.close();
  }
}

/**
 * A step runs in its own process group (so a timeout can kill all of it), which also keeps
 * Ctrl-C from reaching it. While it runs, SIGINT and SIGTERM are passed on to its group: an
 * interrupted `grove lease` leaves no `npm ci` behind; the step fails ("killed by SIGINT"), so
 * the lease ends as any failed step does (kept for the asker, not ready), and the process then
 * exits or carries on as its own handlers decide.
 */
function forwardInterrupts(killGroup: (signal: NodeJS.Signals) => void): () => void {
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const handler = (signal: NodeJS.Signals): void => killGroup(signal);
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
