import type { Command } from 'commander';
import type { WorktreeStatus } from '../../core/pool/pool';
import { note, printJson, printLine } from '../io';
import { poolFor, wantsJson, withPoolOptions } from '../pool';

export function register(program: Command): void {
  withPoolOptions(program.command('status')
    .description('Show every worktree of the pool: state, holder, lease id, HEAD, branch, dirty, processes inside'))
    .action(async (_options: unknown, command: Command) => {
      const pool = await poolFor(command);
      const worktrees = await pool.status();
      if (wantsJson(command)) {
        printJson(worktrees);
        return;
      }
      if (worktrees.length === 0) {
        note(`grove: the pool is empty (root ${pool.root}); grove lease makes the first worktree`);
        return;
      }
      for (const line of table(worktrees)) printLine(line);
    });
}

function table(worktrees: WorktreeStatus[]): string[] {
  const rows = [['NAME', 'STATE', 'HOLDER', 'HEAD', 'BRANCH', 'DIRTY', 'PROCESSES', 'PORTS', 'DEPS', 'PATH', 'NOTE']];
  for (const w of worktrees) {
    rows.push([w.name, w.state, w.holder ?? '-', w.head?.slice(0, 12) ?? '-', w.branch?.replace(/^refs\/heads\//, '') ?? '-',
      w.dirty ? 'yes' : 'no', w.processes.length ? w.processes.join(',') : '-', portRange(w), w.ready?.dependencies ?? '-', w.path, w.reason ?? (w.reservedBy ? `reserved by ${w.reservedBy}` : '')]);
  }
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]))).join('  ').trimEnd());
}

/** "20030-20039", or "-" for a worktree without a block. */
function portRange(w: WorktreeStatus): string {
  const ports = w.ready?.ports?.ports;
  return ports?.length ? `${ports[0]}-${ports[ports.length - 1]}` : '-';
}
