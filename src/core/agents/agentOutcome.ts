import { formatUsd } from '../money';
import { adapterFor, type AgentKind, type AgentLog, type Denial } from './adapters';
import { claudeToolPattern } from './adapters/claude';
import type { StoredAgentSpec } from './agentRun';
import type { CostMeter } from './meter';
import type { RunStatus } from './types';

/** Why Grove itself stopped a run (besides cancel and timeout), marked before the group is signalled. */
export interface StopMark {
  reason: 'budget' | 'stalled';
  at: string;
}

export interface AgentOutcomeInput {
  spec: StoredAgentSpec | null | undefined;
  stoppedFor: StopMark | null | undefined;
  log: AgentLog;
  meter: CostMeter;
  exitCode: number | null;
  stderrTail: string[];
  startedAt: string;
}

/** What a blocked run wanted: the tools it was denied (with their inputs) and the questions it asked. */
export interface BlockedOn {
  denials: Denial[];
  questions: string[];
}

export interface AgentOutcomeFields {
  status?: RunStatus;
  blockedOn?: BlockedOn;
  costMicros: number;
  costSource: 'reported' | 'metered';
  error?: string | null;
  subtype?: string | null;
}

/**
 * What an agent kind changes in a run's outcome: the cost (the agent's own figure when it
 * reports one, else what Grove metered), `blocked` for a run that succeeded only by giving up
 * on a denied tool or a question, and `stalled` / budget for runs Grove stopped. Undefined
 * fields leave today's decision as it is.
 */
export function agentOutcome(o: AgentOutcomeInput): AgentOutcomeFields {
  const result = o.log.result;
  const reported = result?.reportedMicros ?? null;
  // Claude keeps today's accounting: its own figure, 0 without a result line.
  const claude = (o.spec?.kind ?? 'claude') === 'claude';
  const fields: AgentOutcomeFields = reported !== null || claude
    ? { costMicros: reported ?? 0, costSource: 'reported' }
    : { costMicros: o.meter.spentMicros, costSource: 'metered' };
  // Grove stopped it because its hold was used up: that is how it ended, whatever it printed
  // before (Codex reports each turn as complete while more may follow).
  if (o.stoppedFor?.reason === 'budget') return budgetOutcome(o, fields);
  if (result && !result.success && o.log.rateLimit) {
    const limit = o.log.rateLimit;
    return { ...fields, subtype: 'rate_limited', error: `rate limited${limit.resetAt ? ` until ${limit.resetAt}` : ''}: ${result.errorText ?? limit.message}` };
  }
  if (result) {
    const asks = o.log.needsInput;
    const denials = withStderrDenials(result.denials, adapterFor(o.spec?.kind).stderrDenials?.(o.stderrTail) ?? []);
    if (result.success && (denials.length > 0 || asks.length > 0)) {
      const blockedOn = { denials, questions: asks.map((a) => a.message) };
      return { ...fields, status: 'blocked', subtype: 'blocked', blockedOn, error: blockedText(o.spec, blockedOn.denials, blockedOn.questions) };
    }
    return fields;
  }
  const words = adapterFor(o.spec?.kind).describeExit(o.exitCode, o.stderrTail, o.log);
  if (o.log.rateLimit) {
    const limit = o.log.rateLimit;
    return { ...fields, status: o.stoppedFor?.reason === 'stalled' ? 'stalled' : undefined, subtype: 'rate_limited', error: `rate limited${limit.resetAt ? ` until ${limit.resetAt}` : ''}: ${limit.message}` };
  }
  if (o.stoppedFor?.reason === 'stalled') {
    const minutes = (o.spec?.stallMs ?? 0) / 60_000;
    return { ...fields, status: 'stalled', subtype: 'stalled', error: `stalled: no progress for ${+minutes.toFixed(2)} min, so its processes were stopped${words ? `; the agent said: ${words}` : ''}` };
  }
  // Other kinds end without a result line and say why on stderr or in an error event.
  if (o.spec && o.spec.kind !== 'claude' && words) return { ...fields, error: `the ${o.spec.kind} agent ${o.exitCode === null ? 'ended' : `exited with code ${o.exitCode}`}: ${words}` };
  return fields;
}

/** The stream's denials, then the stderr ones for tools the stream did not name (one rejection often shows in both). */
function withStderrDenials(stream: Denial[], stderr: Denial[]): Denial[] {
  const named = new Set(stream.map((d) => d.tool));
  return [...stream, ...stderr.filter((d) => !named.has(d.tool))];
}

function budgetOutcome(o: AgentOutcomeInput, fields: AgentOutcomeFields): AgentOutcomeFields {
  const spent = Math.max(fields.costMicros, o.meter.spentMicros);
  return { costMicros: spent, costSource: fields.costSource, status: 'failed', subtype: 'error_max_budget_metered',
    error: `stopped for budget: the run's hold of ${formatUsd(o.spec?.meter.holdMicros ?? 0)} was used up (${formatUsd(spent)} ${fields.costSource} over ${o.meter.events} usage event${o.meter.events === 1 ? '' : 's'}); its processes were stopped` };
}

const BLOCKED_PREFIX = 'blocked: ';

/** What a blocked run's error says after "blocked: " ("wanted Bash(npm test)"), or null for any other error. */
export function blockedReason(error: string | null | undefined): string | null {
  return error?.startsWith(BLOCKED_PREFIX) ? error.slice(BLOCKED_PREFIX.length) : null;
}

/** The denied tools in the kind's own allow-list terms ("Bash(npm test)" for Claude), each once. */
export function wantedTools(kind: AgentKind, denials: Denial[]): string[] {
  return [...new Set(denials.map((d) => kind === 'claude' ? claudeToolPattern(d) : d.tool))];
}

/** "blocked: wanted Bash(npm test)": the denied tools in the kind's own allow-list terms. */
export function blockedText(spec: StoredAgentSpec | null | undefined, denials: Denial[], questions: string[]): string {
  const parts = wantedTools(spec?.kind ?? 'claude', denials).map((w) => `wanted ${w}`);
  for (const q of questions) parts.push(`asked: ${q}`);
  return `${BLOCKED_PREFIX}${parts.join('; ')}`;
}
