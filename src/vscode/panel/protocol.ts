// The message protocol between the panel host (src/vscode/panel/runsPanel.ts) and its page
// (webview/main.ts). Pure types and guards, no `vscode` import: both sides bundle it.
import type { ChainRunSnapshot, StepStatus } from '../../core/engine/chains/types';

export interface SpendPoint {
  at: string;
  costMicros: number;
  /** Spend up to and including this run. */
  totalMicros: number;
  slot: string | null;
  taskId: string | null;
  runId: string;
}

export interface SpendSummary {
  points: SpendPoint[];
  perSlot: { slot: string; micros: number; runs: number }[];
  perTask: { taskId: string; label: string; micros: number; runs: number }[];
  capMicros: number | null;
  spentMicros: number;
  reservedMicros: number;
}

export interface PanelState {
  chains: ChainRunSnapshot[];
  spend: SpendSummary;
  repository: string;
}

export type ToWebview =
  | { type: 'state'; state: PanelState }
  | { type: 'chain'; chain: ChainRunSnapshot };

/** What the page says it drew: the host keeps the last one (the tests read it through the API). */
export interface RenderedSummary {
  chains: { id: string; name: string; status: string; steps: { name: string; status: StepStatus; output: string }[] }[];
  spendPoints: number;
  chartSeries: number;
}

export type FromWebview =
  | { type: 'ready' }
  | { type: 'rendered'; summary: RenderedSummary }
  | { type: 'cancelChain'; chainRunId: string }
  | { type: 'openWorktree'; path: string };

const CHAIN_RUN_ID = /^chain-[a-z0-9]+-[0-9a-f]+$/;

/** The host trusts nothing the page sends: every message is checked before it is acted on. */
export function parseFromWebview(value: unknown): FromWebview | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  switch (message.type) {
    case 'ready':
      return { type: 'ready' };
    case 'rendered':
      return typeof message.summary === 'object' && message.summary !== null ? { type: 'rendered', summary: message.summary as RenderedSummary } : null;
    case 'cancelChain':
      return typeof message.chainRunId === 'string' && CHAIN_RUN_ID.test(message.chainRunId) ? { type: 'cancelChain', chainRunId: message.chainRunId } : null;
    case 'openWorktree':
      return typeof message.path === 'string' && message.path.startsWith('/') ? { type: 'openWorktree', path: message.path } : null;
    default:
      return null;
  }
}

export function parseToWebview(value: unknown): ToWebview | null {
  if (typeof value !== 'object' || value === null) return null;
  const message = value as Record<string, unknown>;
  if (message.type === 'state' && typeof message.state === 'object' && message.state !== null) return message as ToWebview;
  if (message.type === 'chain' && typeof message.chain === 'object' && message.chain !== null) return message as ToWebview;
  return null;
}
