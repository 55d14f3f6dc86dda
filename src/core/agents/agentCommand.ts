import { promises as fs, constants } from 'node:fs';
import * as path from 'node:path';
import { GroveError } from '../errors';

export const DEFAULT_AGENT_COMMAND = 'claude';

/** Which agent CLI to run: the CLI's `--agent`, else `GROVE_AGENT_COMMAND`, else the setting, else `claude`. */
export function agentCommandFrom(o: { option?: string; env?: NodeJS.ProcessEnv; setting?: string }): string {
  const pick = [o.option, o.env?.GROVE_AGENT_COMMAND, o.setting].find((value) => value !== undefined && value.trim() !== '');
  return pick?.trim() ?? DEFAULT_AGENT_COMMAND;
}

/**
 * The executable the command names, found the way a shell would (a name with a slash is a path,
 * relative to `cwd`; anything else is looked up on PATH), so a missing agent is a clear refusal
 * before anything is reserved or started, not an ENOENT from deep inside spawn.
 */
export async function resolveAgentCommand(command: string, o: { cwd: string; pathVariable: string | undefined }): Promise<string> {
  if (!command || command.includes('\0')) throw new GroveError('usage', `"${command}" is not a command`);
  const candidates = command.includes('/') || command.includes(path.sep)
    ? [path.resolve(o.cwd, command)]
    : (o.pathVariable ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(path.resolve(o.cwd, dir), command));
  for (const candidate of candidates) {
    if (await isExecutableFile(candidate)) return candidate;
  }
  // Bad input (exit 2), not "nothing available": the caller named something that cannot run.
  const where = candidates.length === 1 && command.includes('/') ? `at ${candidates[0]} (or it is not executable, or it is a folder)` : 'on PATH';
  throw new GroveError('usage', `the agent command "${command}" was not found ${where}`,
    'Install Claude Code (npm install -g @anthropic-ai/claude-code), or name another agent with --agent CMD, GROVE_AGENT_COMMAND or the grove.agent.command setting.');
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
