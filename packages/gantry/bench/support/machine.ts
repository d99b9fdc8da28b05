import { readFileSync } from 'node:fs';
import os from 'node:os';
import { formatBytes } from './report.js';

export interface Machine {
  cpu: string;
  cores: number;
  memory: string;
  node: string;
  os: string;
  load: string;
}

/** What the figures were measured on. */
export function describeMachine(): Machine {
  return {
    cpu: cpuModel(),
    cores: os.availableParallelism(),
    memory: formatBytes(os.totalmem()),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load: loadAverage(),
  };
}

/** The 1, 5 and 15 minute load averages: other work on the machine disturbs the figures. */
export function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

function cpuModel(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const match = /^model name\s*:\s*(.+)$/m.exec(cpuinfo);
    if (match?.[1]) return match[1].trim();
  } catch {
    // Not Linux: fall back to what Node reports.
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

export interface CpuSample {
  busy: number;
  total: number;
}

/** Whole-machine CPU counters from /proc/stat (undefined off Linux). */
export function sampleMachineCpu(): CpuSample | undefined {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
    const fields = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = fields;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    return { busy: total - idle - iowait, total };
  } catch {
    return undefined;
  }
}

/** Share of all cores busy between two samples (NaN when unknown). */
export function machineBusy(before: CpuSample | undefined, after: CpuSample | undefined): number {
  if (!before || !after || after.total === before.total) return Number.NaN;
  return (after.busy - before.busy) / (after.total - before.total);
}
