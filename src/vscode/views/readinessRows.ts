import type { WorktreeReadiness } from '../../core/ready/status';

/** The Worktrees tooltip's lines about readiness: ports, dependencies warm or stale, size. */
export function readinessRows(ready: WorktreeReadiness | undefined): string[] {
  if (!ready) return [];
  const rows: string[] = [];
  if (ready.ports) rows.push(`Ports: ${ready.ports.ports[0]}–${ready.ports.ports[ready.ports.ports.length - 1]} (GROVE_PORT_0…)`);
  const dependencies = { warm: 'warm (match the base)', stale: 'stale (the next lease refreshes them)', unknown: 'not made ready by Grove yet' }[ready.dependencies];
  rows.push(`Dependencies: ${dependencies}${ready.configSource ? ` · from ${ready.configSource}` : ''}`);
  if (ready.failed) rows.push(`Last ${ready.failed.step ? `step "${ready.failed.step}"` : 'setup'} failed: ${ready.failed.error} (log: \`${ready.log}\`)`);
  if (ready.disk) rows.push(`Size: ${gb(ready.disk.checkoutBytes)} checkout + ${gb(ready.disk.ignoredBytes)} ignored`);
  return rows;
}

/** " · 3.1 GB" for the Worktrees view's title: the pool's measured total (cached sizes), or nothing before a measurement. */
export function poolDiskTotal(statuses: { ready?: WorktreeReadiness }[]): string {
  const measured = statuses.map((status) => status.ready?.disk).filter((disk) => disk);
  if (measured.length === 0) return '';
  return ` · ${gb(measured.reduce((sum, disk) => sum + disk!.checkoutBytes + disk!.ignoredBytes, 0))}`;
}

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}
