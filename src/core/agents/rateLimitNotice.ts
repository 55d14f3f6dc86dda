import type { AgentKind } from './agentKind';
import type { RateLimitMark } from './rateLimits';

/** A paused kind as the editor words it: "claude rate limited until 14:05 (in 12 min)". */
export interface RateLimitNotice {
  kind: AgentKind;
  until: Date;
  /** The agent's own words about the limit. */
  message: string;
  runId: string;
  /** "14:05", or "2026-03-02 14:05" when the reset is not today. */
  clock: string;
  /** "in 12 min", "in 1 h 5 min", "in under a minute". */
  remaining: string;
}

const MINUTE = 60_000;

/** A start waits out a reset this close; a later one is refused at once rather than failed by the agent. */
export const MAX_RATE_LIMIT_WAIT_MS = 2 * MINUTE;

/** The kinds whose reset is still ahead of `now`, soonest reset first. */
export function rateLimitNotices(marks: Partial<Record<AgentKind, RateLimitMark>>, now: Date): RateLimitNotice[] {
  const notices: RateLimitNotice[] = [];
  for (const [kind, mark] of Object.entries(marks) as [AgentKind, RateLimitMark][]) {
    const until = new Date(mark.until);
    if (!(until.getTime() > now.getTime())) continue; // past, or not a date: nothing is paused
    notices.push({ kind, until, message: mark.message, runId: mark.runId, clock: resetClock(until, now), remaining: timeLeft(until.getTime() - now.getTime()) });
  }
  return notices.sort((a, b) => a.until.getTime() - b.until.getTime());
}

/** What the pause means for the queue (the slots row's tooltip). */
export function pauseRule(kind: AgentKind): string {
  return `A ${kind} task waits for a reset ${MAX_RATE_LIMIT_WAIT_MS / MINUTE} min away or less and is refused before a later one; other kinds keep running.`;
}

/** "until 14:05 (in 12 min)": the slots row's description. */
export function untilText(notice: Pick<RateLimitNotice, 'clock' | 'remaining'>): string {
  return `until ${notice.clock} (${notice.remaining})`;
}

/**
 * The reset's local wall-clock minute, rounded up: a reset at 14:05:30 reads "14:06" so the
 * row never promises the kind back before it is. The date is added when the reset is not today.
 */
export function resetClock(until: Date, now: Date): string {
  const shown = new Date(Math.ceil(until.getTime() / MINUTE) * MINUTE);
  const hhmm = `${pad(shown.getHours())}:${pad(shown.getMinutes())}`;
  const sameDay = shown.getFullYear() === now.getFullYear() && shown.getMonth() === now.getMonth() && shown.getDate() === now.getDate();
  return sameDay ? hhmm : `${shown.getFullYear()}-${pad(shown.getMonth() + 1)}-${pad(shown.getDate())} ${hhmm}`;
}

/** Whole minutes left, rounded up (it agrees with the rounded-up clock). */
export function timeLeft(ms: number): string {
  if (ms < MINUTE) return 'in under a minute';
  const minutes = Math.ceil(ms / MINUTE);
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return `in ${hours} h${rest ? ` ${rest} min` : ''}`;
}

/**
 * Milliseconds until what the notices say next changes: a countdown ticks down a minute, or
 * the soonest reset passes and its notice goes. Null when nothing is paused (no timer at all).
 */
export function nextChangeMs(notices: readonly Pick<RateLimitNotice, 'until'>[], now: Date): number | null {
  let next: number | null = null;
  for (const notice of notices) {
    const left = notice.until.getTime() - now.getTime();
    if (left <= 0) return 0;
    // The rounded-up count of minutes drops when `left` crosses a whole minute; under a minute that is the reset itself.
    const change = left % MINUTE || MINUTE;
    next = next === null ? change : Math.min(next, change);
  }
  return next;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
