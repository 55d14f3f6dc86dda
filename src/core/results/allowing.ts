import { adapterFor, type AgentKind, type Denial } from '../agents/adapters';
import { wantedTools, type BlockedOn } from '../agents/agentOutcome';
import type { AgentSettings } from '../engine/settings';
import type { ResultRecord, ResultRun } from './types';

/** A result whose newest run ended blocked: what it wanted, in its own CLI's terms. */
export interface Blocked extends BlockedOn {
  kind: AgentKind;
  /** The denied tools as the kind names them in its allow list ("Bash(npm test)"). */
  wanted: string[];
}

/** The newest run decides: a blocked run followed by one that got through is not blocked any more. */
export function blockedOf(record: ResultRecord): Blocked | null {
  const last = record.runs.at(-1);
  if (!last?.blockedOn) return null;
  const { denials, questions } = last.blockedOn;
  if (denials.length === 0 && questions.length === 0) return null;
  const kind = kindOf(last);
  return { kind, denials, questions, wanted: wantedTools(kind, denials) };
}

/** The CLI a result's session belongs to: a follow-up must resume it with the same one. */
export function kindOf(run: ResultRun | undefined): AgentKind {
  return run?.agentKind ?? 'claude';
}

/** The task settings that let a follow-up use what was denied: the kind's own flags (allowedTools, or a wider sandbox). */
export function allowingSettings(kind: AgentKind, denials: Denial[]): AgentSettings {
  const flags = adapterFor(kind).allowFlags(denials);
  const settings: AgentSettings = {};
  if (flags.allowedTools?.length) settings.allowedTools = flags.allowedTools;
  if (flags.permissionMode) settings.permissionMode = flags.permissionMode;
  return settings;
}

/** What the agent reads when it is re-run allowing what it wanted, with a person's answers to its questions. */
export function allowingPrompt(blocked: Pick<Blocked, 'wanted' | 'questions'>, answer?: string): string {
  const parts: string[] = [];
  if (blocked.wanted.length) parts.push(`You were not allowed to use ${blocked.wanted.join(', ')} before. It is allowed now.`);
  if (blocked.questions.length) {
    parts.push(`You asked: ${blocked.questions.map((question) => `"${question}"`).join('; ')}.`);
    if (answer?.trim()) parts.push(`The answer: ${answer.trim()}`);
  } else if (answer?.trim()) parts.push(answer.trim());
  parts.push('Carry on with the task from where you stopped, then say briefly what you did.');
  return parts.join('\n\n');
}
