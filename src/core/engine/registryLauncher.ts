import type { RunRegistry } from '../agents/runRegistry';
import type { RunHandle, RunRecord } from '../agents/types';
import type { AgentLauncher, AgentLaunch, AgentOutcome, AgentRun, AgentRunEvent } from './ports';

/** The engine's agent launcher on the real run registry (src/core/agents). */
export class RegistryLauncher implements AgentLauncher {
  /** Runs of dead hosts that reconcile re-attached here: let go of them on close, they run on detached. */
  private readonly adopted: RunHandle[] = [];

  constructor(private readonly registry: RunRegistry) {}

  async start(o: AgentLaunch): Promise<AgentRun> {
    const handle = await this.registry.start({
      runId: o.runId, cwd: o.cwd, prompt: o.prompt, flags: o.flags, taskId: o.taskId, slot: o.slot, worktree: o.worktree,
      timeoutMs: o.timeoutMs, agentCommand: o.agentCommand, env: o.env, keepWork: o.keepWork,
    });
    return {
      id: handle.id,
      onEvent(listener: (event: AgentRunEvent) => void) {
        handle.on('event', (event) => {
          if (event.type === 'init') listener({ type: 'session', sessionId: event.sessionId });
          else if (event.type === 'text') listener({ type: 'text', text: event.text });
        });
      },
      done: handle.done.then(outcomeOf),
      cancel: () => handle.cancel(),
    };
  }

  async sessionWorktree(sessionId: string): Promise<string | null> {
    // The earliest run of the session is where it started; later runs resumed it there too.
    const runs = await this.registry.list();
    return runs.find((run) => run.sessionId === sessionId && run.worktree)?.worktree ?? null;
  }

  async runState(runId: string): Promise<'active' | 'terminal' | 'missing'> {
    // A starting run may already have an agent that spends: its hold stands until it is recorded,
    // unless its host died before any agent existed.
    const state = await this.registry.mayStillSpend(runId).catch(() => 'unrecorded' as const);
    return state === 'yes' ? 'active' : state === 'no' ? 'terminal' : 'missing';
  }

  async workKept(runId: string): Promise<void> {
    await this.registry.markWorkKept(runId);
  }

  async reconcile(): Promise<void> {
    const { attached } = await this.registry.reconcile();
    this.adopted.push(...attached);
  }

  close(): void {
    for (const handle of this.adopted.splice(0)) handle.detach();
  }
}

function outcomeOf(record: RunRecord): AgentOutcome {
  return {
    status: record.status === 'active' || record.status === 'starting' ? 'abandoned' : record.status,
    costMicros: record.costMicros,
    sessionId: record.sessionId,
    resultText: record.resultText,
    error: record.error,
  };
}
