import { promises as fs } from 'node:fs';
import * as net from 'node:net';
import { GroveError } from '../errors';
import { procPids } from '../util/procfs';

/**
 * Each pool worktree owns a block of ports for its whole life, so the dev servers of parallel
 * agents never fight: wt-N gets [base + size × N, base + size × N + size). The stride is the
 * block size, so two worktrees' blocks can never overlap, whatever the settings.
 */
export const DEFAULT_PORT_BASE = 20000;
export const DEFAULT_PORT_BLOCK = 10;
const HIGHEST_PORT = 65535;

export interface PortSettings {
  base?: number;
  size?: number;
}

export interface PortBlock {
  base: number;
  ports: number[];
}

export function checkPortSettings(settings: PortSettings = {}): Required<PortSettings> {
  const base = settings.base ?? DEFAULT_PORT_BASE;
  const size = settings.size ?? DEFAULT_PORT_BLOCK;
  if (!Number.isSafeInteger(base) || base < 1024 || base > HIGHEST_PORT) {
    throw new GroveError('usage', `the port base must be a whole number from 1024 to ${HIGHEST_PORT}, got ${base}`, 'Change grove.pool.portBase (or --port-base / GROVE_POOL_PORT_BASE).');
  }
  if (!Number.isSafeInteger(size) || size < 1 || size > 100) {
    throw new GroveError('usage', `the ports per worktree must be a whole number from 1 to 100, got ${size}`, 'Change grove.pool.portsPerWorktree (or --port-block / GROVE_POOL_PORT_BLOCK).');
  }
  return { base, size };
}

/** The block of a pool worktree (`wt-3`), or null for a name without a number (adopted by hand). */
export function portBlock(name: string, settings: PortSettings = {}): PortBlock | null {
  const { base, size } = checkPortSettings(settings);
  const match = /^wt-(\d+)$/.exec(name);
  if (!match) return null;
  const first = base + size * Number(match[1]);
  if (first + size - 1 > HIGHEST_PORT) return null;
  return { base: first, ports: Array.from({ length: size }, (_, index) => first + index) };
}

/**
 * What every process Grove starts in a worktree is told about it: agent runs, hooks, setup and
 * refresh steps, terminals. GROVE_SLOT only while a task runs there.
 */
export function worktreeEnv(name: string, block: PortBlock | null, slot?: string): Record<string, string> {
  const env: Record<string, string> = { GROVE_WORKTREE: name, GROVE_DB_SUFFIX: `_${name.replace(/[^A-Za-z0-9]/g, '')}` };
  if (block) {
    env.GROVE_PORT_BASE = String(block.base);
    block.ports.forEach((port, index) => (env[`GROVE_PORT_${index}`] = String(port)));
  }
  if (slot) env.GROVE_SLOT = slot;
  return env;
}

export interface PortHolder {
  port: number;
  host: '127.0.0.1' | '::1';
  /** The process listening, when /proc tells (Linux, same user); empty when it cannot be told. */
  pids: number[];
}

/**
 * The ports of a block something already listens on, tried by binding each on IPv4 and IPv6
 * loopback (a server on either one breaks a dev server that wants the port). A host without
 * IPv6 counts as free there. All binds run at once: the whole check costs about a millisecond.
 */
export async function busyPorts(block: PortBlock): Promise<PortHolder[]> {
  const hosts = ['127.0.0.1', '::1'] as const;
  const tries = block.ports.flatMap((port) => hosts.map(async (host) => ((await canBind(port, host)) ? null : { port, host, pids: [] as number[] })));
  const busy = (await Promise.all(tries)).filter((entry): entry is PortHolder => entry !== null);
  if (busy.length === 0) return busy;
  const owners = await listenersByPort(new Set(busy.map((entry) => entry.port)));
  for (const entry of busy) entry.pids = owners.get(entry.port) ?? [];
  return busy;
}

function canBind(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code !== 'EADDRINUSE' && error.code !== 'EACCES'));
    server.listen({ port, host, exclusive: true, ipv6Only: host === '::1' }, () => server.close(() => resolve(true)));
  });
}

/** Listening sockets on these ports, from /proc/net/tcp{,6}, and the pids whose fds hold them. */
async function listenersByPort(ports: Set<number>): Promise<Map<number, number[]>> {
  const inodes = new Map<string, number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await fs.readFile(file, 'utf8').catch(() => '');
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue; // 0A: LISTEN
      const port = parseInt(fields[1].split(':').pop() ?? '', 16);
      if (ports.has(port)) inodes.set(fields[9], port);
    }
  }
  const found = new Map<number, number[]>();
  if (inodes.size === 0) return found;
  for (const pid of (await procPids()) ?? []) {
    const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
    for (const fd of fds) {
      const target = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const port = inode === undefined ? undefined : inodes.get(inode);
      if (port !== undefined && !(found.get(port) ?? []).includes(pid)) found.set(port, [...(found.get(port) ?? []), pid]);
    }
  }
  return found;
}

/** One line for a lease's warnings: which ports are taken and by whom. */
export function describeBusy(name: string, busy: PortHolder[]): string | null {
  if (busy.length === 0) return null;
  const byPort = new Map<number, PortHolder[]>();
  for (const entry of busy) byPort.set(entry.port, [...(byPort.get(entry.port) ?? []), entry]);
  const parts = [...byPort].map(([port, entries]) => {
    const pids = [...new Set(entries.flatMap((entry) => entry.pids))];
    return `${port} (${entries.map((entry) => (entry.host === '::1' ? 'IPv6' : 'IPv4')).join('+')}${pids.length ? `, pid ${pids.join(', ')}` : ''})`;
  });
  return `${name}: port(s) ${parts.join('; ')} of its block are held by a process outside Grove; a dev server there will not get them`;
}
