import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

// Git's own timing of every git process, from its trace2 event stream
// (`trace2.eventTarget` in a global config file named by GIT_CONFIG_GLOBAL,
// a variable Gantry's git runner passes on). It says when each git process
// began and ended, so the time of a promotion can be split into git's part
// and the rest.

export interface GitTrace {
  /** Give git this as GIT_CONFIG_GLOBAL. */
  configFile: string;
  eventFile: string;
  remove(): Promise<void>;
}

export async function createGitTrace(name: string): Promise<GitTrace> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `gantry-bench-trace-${name}-`));
  const configFile = path.join(dir, 'gitconfig');
  const eventFile = path.join(dir, 'events.json');
  await writeFile(configFile, `[trace2]\n\teventTarget = ${eventFile}\n`);
  return { configFile, eventFile, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** One git process started directly by its caller (not by another git). */
export interface GitProcess {
  command: string;
  /** Wall-clock milliseconds (epoch) when the process began (exec), from its start event and t_abs. */
  begin: number;
  /** Wall-clock milliseconds when it exited (NaN if it never said). */
  end: number;
}

interface TraceEvent {
  event: string;
  sid: string;
  time?: string;
  t_abs?: number;
  name?: string;
}

export async function readGitProcesses(eventFile: string): Promise<GitProcess[]> {
  const text = await readFile(eventFile, 'utf8').catch(() => '');
  const processes = new Map<string, GitProcess>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let event: TraceEvent;
    try {
      event = JSON.parse(line) as TraceEvent;
    } catch {
      continue; // a line cut by a process still writing
    }
    if (event.sid.includes('/') || !event.time) continue;
    const at = epochMs(event.time);
    let entry = processes.get(event.sid);
    if (!entry) {
      entry = { command: '?', begin: Number.NaN, end: Number.NaN };
      processes.set(event.sid, entry);
    }
    if (event.event === 'start') entry.begin = at - (event.t_abs ?? 0) * 1000;
    if (event.event === 'cmd_name' && event.name) entry.command = event.name;
    if (event.event === 'atexit') entry.end = at;
  }
  return [...processes.values()].filter((entry) => Number.isFinite(entry.begin)).sort(byBegin);
}

function byBegin(a: GitProcess, b: GitProcess): number {
  return a.begin - b.begin;
}

/** `2026-11-30T15:52:41.202559Z` → epoch milliseconds with the microseconds kept. */
function epochMs(time: string): number {
  const match = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(time);
  if (!match) return Number.NaN;
  return Date.parse(`${match[1]}Z`) + Number(match[2] ?? 0) * 1000;
}

/** How a window of time splits between git processes and what ran around them. */
export interface GitShare {
  /** Window start → the first git process beginning. */
  beforeGit: number;
  /** Time inside git processes (up to the window's end). */
  inGit: number;
  /** Between git processes: the caller's own work, and spawning the next one. */
  betweenGit: number;
  processes: number;
  /** Time inside git processes by command (fetch, checkout, …). */
  byCommand: Map<string, number>;
}

/** The git processes that began within [from, to] (epoch ms), and how the window splits. */
export function gitShare(processes: readonly GitProcess[], from: number, to: number): GitShare {
  const inside = processes.filter((entry) => entry.begin >= from && entry.begin <= to);
  const byCommand = new Map<string, number>();
  if (inside.length === 0) {
    return { beforeGit: to - from, inGit: 0, betweenGit: 0, processes: 0, byCommand };
  }
  let inGit = 0;
  for (const entry of inside) {
    const took = Math.min(Number.isFinite(entry.end) ? entry.end : to, to) - entry.begin;
    inGit += took;
    byCommand.set(entry.command, (byCommand.get(entry.command) ?? 0) + took);
  }
  const beforeGit = inside[0]!.begin - from;
  return { beforeGit, inGit, betweenGit: to - from - beforeGit - inGit, processes: inside.length, byCommand };
}
