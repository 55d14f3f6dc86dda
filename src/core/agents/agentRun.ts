import { GroveError } from '../errors';
import { formatUsd, usdToMicros } from '../money';
import { adapterFor, isProgress, type AgentEvent, type AgentKind, type AgentLog } from './adapters';
import { budgetMicros, type AgentFlags } from './agentArgs';
import { CostMeter, type MeterSpec } from './meter';
import { loadPriceTable, PRICE_FILE, PRICE_SETTING, priceFor, priceMap, type MicroPrice } from './prices';
import type { StreamEvent } from './streamParser';

/** The default stall limit: a run with no progress event for this long is stopped as stalled. */
export const DEFAULT_STALL_MS = 5 * 60_000;

/** What a run's entry keeps about its agent kind, so any process that finishes it reads it alike. */
export interface StoredAgentSpec {
  kind: AgentKind;
  meter: MeterSpec;
  /** Null: no stall limit. */
  stallMs: number | null;
}

export interface AgentStartInput {
  prompt: string;
  agentKind?: AgentKind;
  flags?: AgentFlags;
  prices?: Record<string, MicroPrice>;
  /** Default 5 minutes; 0 turns stall detection off. */
  stallMs?: number;
  /** Where GROVE_<KIND>_MODEL is read: a kind's own model wins over the shared --model. */
  env?: NodeJS.ProcessEnv;
}

let shippedPrices: Record<string, MicroPrice> | undefined;

/**
 * Before anything is reserved or started: the kind's argv, and its meter. A metered kind
 * (Codex, Gemini) under a hold must have a priced model, or it is refused here, naming where to
 * add a price; with no hold it is metered for the ledger only.
 */
export async function prepareAgentRun(o: AgentStartInput): Promise<{ args: string[]; prompt: string; spec: StoredAgentSpec }> {
  const kind = o.agentKind ?? 'claude';
  const adapter = adapterFor(kind);
  const kindModel = o.env?.[`GROVE_${kind.toUpperCase()}_MODEL`]?.trim();
  // One --model cannot name a model of every vendor: a kind's own (fan-out across kinds) wins.
  const flags: AgentFlags = kindModel ? { ...o.flags, model: kindModel } : o.flags ?? {};
  const { args } = adapter.buildArgs({ flags });
  shippedPrices ??= priceMap(await loadPriceTable());
  const prices = o.prices ?? shippedPrices;
  const holdMicros = flags.maxBudgetUsd === undefined ? null : budgetMicros(flags.maxBudgetUsd);
  const model = flags.model ?? null;
  if (adapter.cost === 'metered' && holdMicros !== null && !priceFor(prices, model)) {
    throw new GroveError('usage',
      `${kind}: ${model ? `no price is known for the model "${model}"` : 'no model is set'}, so its spend cannot be metered against the cap`,
      `Set a priced model (grove prices lists them) with --model or grove.agent.model, or add its price in the ${PRICE_SETTING} setting or ${PRICE_FILE}; or run without a cap.`);
  }
  if (o.stallMs !== undefined && (!Number.isFinite(o.stallMs) || o.stallMs < 0)) {
    throw new GroveError('usage', `the stall limit must be 0 or more minutes, got ${o.stallMs / 60_000}`);
  }
  const stallMs = o.stallMs === undefined ? DEFAULT_STALL_MS : o.stallMs === 0 ? null : o.stallMs;
  // A CLI with a cap of its own (Claude's --max-budget-usd) keeps it: Grove meters it for the
  // record but does not stop it on an estimate.
  return { args, prompt: promptFor(kind, o.prompt, flags), spec: { kind, meter: { model, prices, holdMicros: adapter.ownCap ? null : holdMicros }, stallMs } };
}

/**
 * Claude takes the slot's identity and context as --append-system-prompt; the other CLIs have no
 * such flag, so the same text goes ahead of the prompt on stdin, marked off from it.
 */
function promptFor(kind: AgentKind, prompt: string, flags: AgentFlags): string {
  if (kind === 'claude' || !flags.appendSystemPrompt?.trim()) return prompt;
  return `${flags.appendSystemPrompt.trim()}\n\n---\n\n${prompt}`;
}

export interface RunWatchHooks {
  /** The hold is used up: stop the run for budget. */
  onBudget(spentMicros: number): void;
  /** No progress event for the stall limit. */
  onStall(): void;
  /** The agent said it is rate limited (Claude's rejected rate_limit_event, a 429). */
  onRateLimit?(event: Extract<AgentEvent, { type: 'rateLimit' }>): void;
}

/**
 * One live run's stream, as LiveRun sees it: the kind's adapter turns bytes into events, the
 * meter prices usage against the hold, and the stall clock restarts on every progress event.
 * It hands LiveRun the three events it always understood (init, text, result).
 */
export class RunWatch {
  readonly log: AgentLog;
  readonly meter: CostMeter;
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Tools started and not yet ended: a long test run prints nothing, and is not a stall (the task timeout bounds it). */
  private readonly openTools = new Set<string>();
  private anonymousTools = 0;

  constructor(readonly spec: StoredAgentSpec | null, private readonly hooks: RunWatchHooks, private readonly onEvent?: (event: AgentEvent) => void) {
    this.log = adapterFor(spec?.kind).createLog();
    this.meter = new CostMeter(spec?.meter ?? { model: null, prices: {}, holdMicros: null });
    this.armStall();
  }

  get result() {
    return this.log.result;
  }

  push(chunk: Buffer | string): StreamEvent[] {
    return this.take(this.log.push(chunk));
  }

  end(): StreamEvent[] {
    return this.take(this.log.end());
  }

  close(): void {
    this.closed = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private take(events: AgentEvent[]): StreamEvent[] {
    const legacy: StreamEvent[] = [];
    let progressed = false;
    for (const event of events) {
      if (isProgress(event)) progressed = true;
      if (this.meter.add(event)) this.hooks.onBudget(this.meter.spentMicros);
      if (event.type === 'rateLimit') this.hooks.onRateLimit?.(event);
      this.trackTool(event);
      if (event.type === 'session') legacy.push({ type: 'init', sessionId: event.sessionId });
      else if (event.type === 'text') legacy.push({ type: 'text', text: event.text });
      else if (event.type === 'result') legacy.push({ type: 'result', result: event.result });
      this.onEvent?.(event);
    }
    if (progressed) this.armStall();
    return legacy;
  }

  private trackTool(event: AgentEvent): void {
    if (event.type === 'toolStart') {
      if (event.id) this.openTools.add(event.id);
      else this.anonymousTools++;
    } else if (event.type === 'toolEnd') {
      if (event.id && this.openTools.has(event.id)) this.openTools.delete(event.id);
      else if (this.anonymousTools > 0) this.anonymousTools--;
    } else if (event.type === 'result') {
      this.openTools.clear();
      this.anonymousTools = 0;
    }
  }

  private armStall(): void {
    if (this.closed || !this.spec?.stallMs) return;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = setTimeout(() => {
      if (this.closed) return;
      if (this.openTools.size > 0 || this.anonymousTools > 0) this.armStall();
      else this.hooks.onStall();
    }, this.spec.stallMs);
    this.stallTimer.unref();
  }
}

/** The whole log of a finished run, parsed by its kind's adapter and metered like it was live. */
export function parseAgentLog(text: string | Buffer, spec: StoredAgentSpec | null | undefined): { log: AgentLog; meter: CostMeter } {
  const log = adapterFor(spec?.kind).createLog();
  const meter = new CostMeter(spec?.meter ?? { model: null, prices: {}, holdMicros: null });
  for (const event of log.push(text)) meter.add(event);
  for (const event of log.end()) meter.add(event);
  return { log, meter };
}

export function describeHold(spec: StoredAgentSpec | null | undefined): string {
  const hold = spec?.meter.holdMicros;
  return hold === null || hold === undefined ? 'no hold' : formatUsd(hold);
}

export { usdToMicros };
