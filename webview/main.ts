// The Grove panel's page: chain progress and spend over time. Built with the DOM only (no
// innerHTML with data: everything from the workspace is text), styled by media/panel.css
// with the theme's colours, and stateless apart from setState so a reload restores it.
import type { ChainRunSnapshot, StepProgress } from '../src/core/engine/chains/types';
import { formatUsd as usd } from '../src/core/money';
import { parseToWebview, type FromWebview, type PanelState, type RenderedSummary, type SpendSummary } from '../src/vscode/panel/protocol';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
let state: PanelState | undefined = vscode.getState();
const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...children: (Node | string | null)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
  for (const child of children) if (child !== null) node.append(child);
  return node;
}

function svg(tag: string, attrs: Record<string, string | number> = {}): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  return node;
}

function elapsed(step: { startedAt: string | null; endedAt: string | null }): string {
  if (!step.startedAt) return '';
  const end = step.endedAt ? Date.parse(step.endedAt) : Date.now();
  const seconds = Math.max(0, (end - Date.parse(step.startedAt)) / 1000);
  return seconds < 60 ? `${seconds.toFixed(1)} s` : `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

const STATUS_ICON: Record<string, string> = {
  pending: '○', running: '◐', succeeded: '✓', failed: '✗', skipped: '–', cancelled: '⊘', interrupted: '!',
};

function stepRow(step: StepProgress): HTMLElement {
  const output = step.output.length > 4000 ? `…${step.output.slice(-4000)}` : step.output;
  const row = el('li', { class: `step status-${step.status}`, 'data-step': step.name, 'data-status': step.status },
    el('span', { class: 'icon', 'aria-hidden': 'true' }, STATUS_ICON[step.status] ?? '?'),
    el('span', { class: 'name' }, step.name),
    el('span', { class: 'status' }, step.status + (step.retriesUsed ? ` (retries ${step.retriesUsed})` : '') + (step.recovered ? ' (recovered)' : '')),
    el('span', { class: 'time' }, elapsed(step)),
    el('span', { class: 'cost' }, usd(step.costMicros)),
  );
  if (output || step.error) {
    const details = el('details', step.status === 'running' ? { open: '' } : {},
      el('summary', {}, step.status === 'running' ? 'live output' : 'output'),
      el('pre', { class: 'output' }, output || ''),
      step.error ? el('p', { class: 'error' }, step.error) : null);
    row.append(details);
  }
  return row;
}

function chainCard(chain: ChainRunSnapshot): HTMLElement {
  const done = chain.steps.filter((step) => step.status === 'succeeded').length;
  const header = el('header', {},
    el('span', { class: `badge status-${chain.status}` }, chain.status),
    el('h3', {}, chain.name),
    el('span', { class: 'muted' }, `${done}/${chain.steps.length} steps · ${usd(chain.costMicros)} · ${new Date(chain.startedAt).toLocaleTimeString()}`),
  );
  if (chain.status === 'running') {
    const cancel = el('button', { type: 'button', class: 'secondary', 'aria-label': `Cancel chain ${chain.name}` }, 'Cancel');
    cancel.addEventListener('click', () => vscode.postMessage({ type: 'cancelChain', chainRunId: chain.id }));
    header.append(cancel);
  }
  if (chain.worktree) {
    const open = el('button', { type: 'button', class: 'secondary' }, `Open ${chain.worktree.name}`);
    const target = chain.worktree.path;
    open.addEventListener('click', () => vscode.postMessage({ type: 'openWorktree', path: target }));
    header.append(open);
  }
  return el('article', { class: 'chain', 'data-chain': chain.id, 'data-status': chain.status },
    header,
    el('ol', { class: 'steps' }, ...chain.steps.map(stepRow)),
    chain.error ? el('p', { class: 'error' }, chain.error) : null);
}

/** Spend over time: the running total as a step line, each run as a dot, the cap as a dashed line. */
function spendChart(spend: SpendSummary): SVGElement {
  const width = 640;
  const height = 200;
  const pad = { left: 56, right: 12, top: 12, bottom: 28 };
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'chart', role: 'img', 'aria-label': `Spend over time: ${usd(spend.spentMicros)} in ${spend.points.length} runs` });
  const points = spend.points;
  const times = points.map((point) => Date.parse(point.at));
  const t0 = times.length ? Math.min(...times) : Date.now() - 60_000;
  const t1 = times.length ? Math.max(...times, t0 + 1000) : Date.now();
  const top = Math.max(spend.capMicros ?? 0, points.at(-1)?.totalMicros ?? 0, 10_000); // at least $0.01 tall
  const x = (t: number) => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (micros: number) => height - pad.bottom - (micros / top) * (height - pad.top - pad.bottom);
  chart.append(svg('line', { x1: pad.left, y1: y(0), x2: width - pad.right, y2: y(0), class: 'axis' }));
  chart.append(svg('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: y(0), class: 'axis' }));
  for (const fraction of [0, 0.5, 1]) {
    const label = svg('text', { x: pad.left - 6, y: y(top * fraction) + 4, class: 'tick', 'text-anchor': 'end' });
    label.textContent = usd(top * fraction);
    chart.append(label);
  }
  if (spend.capMicros) {
    chart.append(svg('line', { x1: pad.left, y1: y(spend.capMicros), x2: width - pad.right, y2: y(spend.capMicros), class: 'cap' }));
  }
  if (points.length > 0) {
    let d = `M ${x(t0)} ${y(0)}`;
    for (const [index, point] of points.entries()) d += ` H ${x(times[index])} V ${y(point.totalMicros)}`;
    d += ` H ${width - pad.right}`;
    chart.append(svg('path', { d, class: 'series' }));
    for (const [index, point] of points.entries()) {
      const dot = svg('circle', { cx: x(times[index]), cy: y(point.totalMicros), r: 3, class: 'dot' });
      const title = svg('title');
      title.textContent = `${new Date(point.at).toLocaleString()}: ${usd(point.costMicros)} (${point.slot ?? 'no slot'}), total ${usd(point.totalMicros)}`;
      dot.append(title);
      chart.append(dot);
    }
  }
  for (const [t, anchor] of [[t0, 'start'], [t1, 'end']] as const) {
    const label = svg('text', { x: x(t), y: height - 8, class: 'tick', 'text-anchor': anchor });
    label.textContent = new Date(t).toLocaleTimeString();
    chart.append(label);
  }
  return chart;
}

function bars(rows: { label: string; micros: number; runs: number }[], max: number): HTMLElement {
  return el('table', { class: 'bars' }, ...rows.map((row) => {
    const bar = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'bar', 'aria-hidden': 'true' });
    bar.append(svg('rect', { x: 0, y: 0, width: 100, height: 10, class: 'track' }));
    bar.append(svg('rect', { x: 0, y: 0, width: Math.max(1, (row.micros / Math.max(max, 1)) * 100), height: 10, class: 'fill' }));
    const cell = el('td', {});
    cell.append(bar);
    return el('tr', {}, el('th', { scope: 'row' }, row.label), cell, el('td', { class: 'cost' }, `${usd(row.micros)} · ${row.runs} run${row.runs === 1 ? '' : 's'}`));
  }));
}

function render(): void {
  const app = document.getElementById('app');
  if (!app || !state) return;
  const spend = state.spend;
  const running = state.chains.filter((chain) => chain.status === 'running');
  const recent = state.chains.filter((chain) => chain.status !== 'running');
  const capText = spend.capMicros ? ` of ${usd(spend.capMicros)} cap` : ' (no cap)';
  const perSlotMax = Math.max(0, ...spend.perSlot.map((row) => row.micros));
  const perTaskMax = Math.max(0, ...spend.perTask.map((row) => row.micros));
  app.replaceChildren(
    el('section', { class: 'chains' },
      el('h2', {}, 'Chains'),
      running.length + recent.length === 0 ? el('p', { class: 'muted' }, 'No chain has run on this pool yet. Run one with "Grove: Run Chain".') : null,
      ...running.map(chainCard),
      ...recent.map(chainCard)),
    el('section', { class: 'spend' },
      el('h2', {}, 'Spend over time'),
      el('p', { class: 'summary' }, `Spent ${usd(spend.spentMicros)}${capText}; reserved by running tasks ${usd(spend.reservedMicros)}.`),
      spendChart(spend),
      el('div', { class: 'columns' },
        el('div', {}, el('h3', {}, 'Per slot'), spend.perSlot.length ? bars(spend.perSlot.map((row) => ({ label: row.slot, micros: row.micros, runs: row.runs })), perSlotMax) : el('p', { class: 'muted' }, 'No spend yet.')),
        el('div', {}, el('h3', {}, 'Per task'), spend.perTask.length ? bars(spend.perTask.map((row) => ({ label: row.label, micros: row.micros, runs: row.runs })), perTaskMax) : el('p', { class: 'muted' }, 'No spend yet.')))),
  );
  const summary: RenderedSummary = {
    chains: state.chains.map((chain) => ({ id: chain.id, name: chain.name, status: chain.status, steps: chain.steps.map((step) => ({ name: step.name, status: step.status, output: step.output.slice(-200) })) })),
    spendPoints: spend.points.length,
    chartSeries: document.querySelectorAll('svg.chart path.series').length,
  };
  vscode.postMessage({ type: 'rendered', summary });
}

window.addEventListener('message', (event: MessageEvent) => {
  const message = parseToWebview(event.data);
  if (!message) return;
  if (message.type === 'state') state = message.state;
  if (message.type === 'chain' && state) {
    const index = state.chains.findIndex((chain) => chain.id === message.chain.id);
    // Messages can cross: a chain that has ended never goes back to running.
    const ended = index >= 0 && state.chains[index].status !== 'running';
    if (index >= 0 && !(ended && message.chain.status === 'running')) state.chains[index] = message.chain;
    else if (index < 0) state.chains.unshift(message.chain);
  }
  if (state) vscode.setState(state);
  render();
});

// Draw what was there before a reload at once, then ask the host for the current state.
render();
vscode.postMessage({ type: 'ready' });
