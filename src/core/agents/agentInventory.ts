import { execFile } from 'node:child_process';
import { adapterFor, AGENT_KINDS, commandForKind, type AgentKind } from './adapters';
import { resolveAgentCommand } from './agentCommand';

export interface AgentKindInfo {
  kind: AgentKind;
  command: string;
  path: string | null;
  found: boolean;
  version: string | null;
  /** `reported`: the agent prices its own runs; `metered`: Grove prices its tokens. */
  cost: 'reported' | 'metered';
  ownCap: boolean;
}

const VERSION_TIMEOUT_MS = 15_000;

/** Every kind with its command, where it is, and what `--version` says (run with an argument array). */
export async function agentInventory(o: { cwd: string; env: NodeJS.ProcessEnv; overrides?: Partial<Record<AgentKind, string>>; claudeCommand?: string }): Promise<AgentKindInfo[]> {
  return Promise.all(AGENT_KINDS.map(async (kind) => {
    const adapter = adapterFor(kind);
    const command = commandForKind(kind, { overrides: o.overrides, env: o.env, claudeCommand: o.claudeCommand });
    const found = await resolveAgentCommand(command, { cwd: o.cwd, pathVariable: o.env.PATH }).catch(() => null);
    return { kind, command, path: found, found: found !== null, version: found ? await versionOf(found, o.cwd, o.env) : null, cost: adapter.cost, ownCap: adapter.ownCap };
  }));
}

function versionOf(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(file, ['--version'], { cwd, env, timeout: VERSION_TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      const line = String(stdout).split('\n').map((l) => l.trim()).find(Boolean);
      resolve(error && !line ? null : line ?? null);
    });
  });
}
