import type { BudgetStatus } from '../../core/engine/budget';
import type { LedgerEntry } from '../../core/store/spendLedger';
import type { SpendSummary } from './protocol';

/** The panel's spend view from the ledger: a running total per run, and totals per slot and per task. */
export function summarizeSpend(entries: LedgerEntry[], budget: BudgetStatus | null, taskLabels: Map<string, string>, maxPoints = 500): SpendSummary {
  const sorted = [...entries].sort((a, b) => a.at.localeCompare(b.at));
  let total = 0;
  const points = sorted.map((entry) => {
    total += entry.costMicros;
    return { at: entry.at, costMicros: entry.costMicros, totalMicros: total, slot: entry.slot, taskId: entry.taskId, runId: entry.runId };
  });
  const perSlot = new Map<string, { micros: number; runs: number }>();
  const perTask = new Map<string, { micros: number; runs: number }>();
  for (const entry of sorted) {
    add(perSlot, entry.slot ?? '(no slot)', entry.costMicros);
    add(perTask, entry.taskId ?? entry.runId, entry.costMicros);
  }
  return {
    // A long history keeps its shape: the newest points, since the chart is read from the right.
    points: points.slice(-maxPoints),
    perSlot: [...perSlot].map(([slot, value]) => ({ slot, ...value })).sort((a, b) => a.slot.localeCompare(b.slot, undefined, { numeric: true })),
    perTask: [...perTask].map(([taskId, value]) => ({ taskId, label: taskLabels.get(taskId) ?? taskId, ...value }))
      .sort((a, b) => b.micros - a.micros).slice(0, 50),
    capMicros: budget?.capMicros ?? null,
    spentMicros: budget?.spentMicros ?? total,
    reservedMicros: budget?.reservedMicros ?? 0,
  };
}

function add(map: Map<string, { micros: number; runs: number }>, key: string, micros: number): void {
  const entry = map.get(key) ?? { micros: 0, runs: 0 };
  entry.micros += micros;
  entry.runs += 1;
  map.set(key, entry);
}
