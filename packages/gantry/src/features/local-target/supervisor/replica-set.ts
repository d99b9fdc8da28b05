import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { pino } from 'pino';
import type { Logger } from '../../../platform/logging/logger.js';
import { backoffDelay } from '../../../shared/backoff.js';
import { errorMessage } from '../../../shared/errors.js';
import { isSecretName, REDACTED, redactText } from '../../../shared/redact.js';
import { sleep } from '../../../shared/sleep.js';
import { allocatePort } from './free-port.js';
import { checkHttpHealth, checkTcp, formatMs, REPLICA_HOST, type HealthResult } from './health-check.js';
import { LogFiles, readLastLines, replicaLogPath, type LogLimits } from './log-files.js';
import { bootId, checkProcessIdentity, readProcessStat, signalGroup } from './process-identity.js';

// The processes of one version of a service in a `local` stage. Each replica
// runs in its own process group (detached), so a Ctrl-C in Gantry's terminal
// does not reach it before Gantry drains it, and Gantry's own death leaves it
// serving: a restarted Gantry re-adopts it from a snapshot. Its stdout and
// stderr go straight into its log file, never through Gantry.
//
// Secrets: spec.env holds resolved secrets. Its values are given to the
// process and nowhere else: never logged, never in an error message, and
// scrubbed from the process's own output when that is quoted in an error.

export interface HealthCheckSpec {
  /** Path of an HTTP GET on the replica, e.g. /healthz; 2xx and 3xx pass. */
  path: string;
  intervalMs: number;
  timeoutMs: number;
  /** Passes in a row before a replica counts as healthy. */
  healthyAfter: number;
}

export interface ReplicaSetSpec {
  service: string;
  stage: string;
  version: string;
  /** An opaque label for logs: blue, green, stable, canary, … */
  role: string;
  command: string;
  args: readonly string[];
  cwd?: string;
  /** Already resolved, secrets included: the values are never logged. */
  env: Record<string, string>;
  replicas: number;
  /** Without one, a replica is healthy once its port accepts TCP connections. */
  healthCheck?: HealthCheckSpec;
  /** How long a replica may take to exit after SIGTERM before it is killed. */
  drainTimeoutMs: number;
  /** e.g. <dataDir>/logs/<service>/<stage>/<version> */
  logDir: string;
  /** How long a replica may take to become healthy (default 60 s). */
  startTimeoutMs?: number;
}

export type ReplicaStatus =
  'starting' | 'healthy' | 'unhealthy' | 'crashed' | 'crash-loop' | 'stopping' | 'stopped';

export interface ReplicaState {
  index: number;
  pid?: number;
  port: number;
  status: ReplicaStatus;
  restarts: number;
  lastError?: string;
  /** When the current process started (ISO 8601). */
  startedAt?: string;
}

/** One replica as recorded for re-adoption. */
export interface AdoptableReplica {
  index: number;
  pid: number;
  port: number;
  /** The kernel's start time of the process (/proc/<pid>/stat), which tells a reused pid apart. */
  processStartTime: string;
  startedAt: string;
  restarts: number;
}

/** What a restarted Gantry needs to find a replica set's processes again; plain JSON. */
export interface AdoptableReplicaSet {
  service: string;
  stage: string;
  version: string;
  role: string;
  /** The machine's boot id: after a reboot no recorded process can still be running. */
  bootId?: string;
  replicas: AdoptableReplica[];
}

export interface ReplicaSetOptions {
  logger?: Logger;
  portAllocator?: () => Promise<number>;
  /** Delay before restarting a crashed replica: doubles from initialMs to maxMs, jittered (default 1 s → 30 s). */
  restartBackoff?: { initialMs: number; maxMs: number };
  /** This many crashes of one replica within windowMs is a crash loop (default 5 in 2 min). */
  crashLoop?: { crashes: number; windowMs: number };
  /** Bounds of the replica log files (default: cut at 5 MiB down to the last 1 MiB). */
  logLimits?: Partial<LogLimits>;
  /** Failed health checks in a row before a healthy replica counts as unhealthy (default 3). */
  unhealthyAfter?: number;
}

export type ReplicaStartFailure =
  'not-found' | 'not-executable' | 'spawn-failed' | 'exited' | 'unhealthy' | 'timeout' | 'aborted';

/** A replica set could not be started; the message says why in words, with the replica's last log lines. */
export class ReplicaStartError extends Error {
  constructor(
    message: string,
    readonly reason: ReplicaStartFailure,
    readonly replica?: number,
  ) {
    super(message);
    this.name = 'ReplicaStartError';
  }
}

// Gantry's own environment (database URLs, tokens) is not the service's business:
// a replica gets these basics and what its spec sets.
const INHERITED_ENV = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
];

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 30_000 };
const DEFAULT_CRASH_LOOP = { crashes: 5, windowMs: 120_000 };
const DEFAULT_UNHEALTHY_AFTER = 3;
// Without a health check: how often the port is tried while starting, and how long a connection may take.
const TCP_PROBE_INTERVAL_MS = 200;
const TCP_PROBE_TIMEOUT_MS = 2_000;
// Adopted replicas are not our children: their exit is noticed by polling.
const ADOPTED_POLL_MS = 1_000;
const EXIT_POLL_MS = 50;
// After SIGKILL a process is gone within moments unless stuck in the kernel.
const KILL_WAIT_MS = 10_000;
// An exit within this long of spawning is reported as "right after starting".
const EARLY_EXIT_MS = 5_000;
const LOG_LINES_IN_ERRORS = 12;
const LOG_LINE_MAX = 300;

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** False for adopted processes: only our children report how they ended. */
  known: boolean;
}

interface RunningProcess {
  pid: number;
  startTime?: string;
  spawnedAt: number;
  /** Size of the log when the process started: its own output follows. */
  logOffset: number;
  /** Absent for adopted processes. */
  child?: ChildProcess;
  exit?: ExitInfo;
  exited: Promise<ExitInfo>;
  resolveExit: (exit: ExitInfo) => void;
  stopRequested: boolean;
}

interface Slot {
  index: number;
  port: number;
  status: ReplicaStatus;
  restarts: number;
  lastError?: string;
  startedAt?: string;
  process?: RunningProcess;
  /** Times of recent crashes, for backoff and crash-loop detection. */
  crashes: number[];
  restartTimer?: NodeJS.Timeout;
  monitor?: AbortController;
}

type Phase = 'new' | 'starting' | 'running' | 'stopping' | 'stopped' | 'detached';

type HealthOutcome =
  | { kind: 'healthy' }
  | { kind: 'exited'; exit: ExitInfo }
  | { kind: 'timeout'; last?: HealthResult }
  | { kind: 'aborted' };

export class ReplicaSet {
  private readonly logger: Logger;
  private readonly allocatePort: () => Promise<number>;
  private readonly backoff: { initialMs: number; maxMs: number };
  private readonly crashLoop: { crashes: number; windowMs: number };
  private readonly unhealthyAfter: number;
  private readonly logFiles: LogFiles;
  private readonly slots: Slot[];
  private readonly listeners = new Set<(states: ReplicaState[]) => void>();
  private readonly scrub: (text: string) => string;
  private phase: Phase = 'new';
  private startAbort: AbortController | undefined;
  private stopping: Promise<void> | undefined;
  private boot: string | undefined;
  private lastEmitted = '';

  constructor(
    private readonly spec: ReplicaSetSpec,
    options: ReplicaSetOptions = {},
  ) {
    if (!Number.isInteger(spec.replicas) || spec.replicas < 0) {
      throw new Error(`replicas must be a whole number of at least 0, got ${spec.replicas}`);
    }
    // Node would quote the offending value in its error; this names the variable only.
    for (const [name, value] of Object.entries(spec.env)) {
      if (value.includes('\0')) {
        throw new Error(`env ${name} contains a NUL character, which no process can receive`);
      }
    }
    if (spec.args.some((arg) => arg.includes('\0'))) {
      throw new Error('an argument contains a NUL character, which no process can receive');
    }
    if (spec.healthCheck && !spec.healthCheck.path.startsWith('/')) {
      throw new Error(`the health check path must start with "/", got "${spec.healthCheck.path}"`);
    }
    this.logger = (options.logger ?? pino({ enabled: false })).child({
      service: spec.service,
      stage: spec.stage,
      version: spec.version,
      role: spec.role,
    });
    this.allocatePort = options.portAllocator ?? allocatePort;
    this.backoff = options.restartBackoff ?? DEFAULT_BACKOFF;
    this.crashLoop = options.crashLoop ?? DEFAULT_CRASH_LOOP;
    this.unhealthyAfter = options.unhealthyAfter ?? DEFAULT_UNHEALTHY_AFTER;
    this.logFiles = new LogFiles(spec.logDir, options.logLimits, this.logger);
    this.slots = Array.from({ length: spec.replicas }, (_, index) => ({
      index,
      port: 0,
      status: 'stopped',
      restarts: 0,
      crashes: [],
    }));
    this.scrub = envScrubber(spec.env);
  }

  /**
   * Starts every replica and resolves once each is healthy. On any failure the
   * replicas already started are stopped and the promise rejects with a
   * ReplicaStartError that says why.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.phase !== 'new') {
      throw new Error('a replica set is started once; create a new one to start again');
    }
    this.phase = 'starting';
    this.startAbort = new AbortController();
    const aborted = signal ? AbortSignal.any([this.startAbort.signal, signal]) : this.startAbort.signal;
    this.boot = await bootId();
    await mkdir(this.spec.logDir, { recursive: true });
    this.logFiles.start();

    const outcomes = await Promise.allSettled(
      this.slots.map(async (slot) => {
        try {
          await this.startSlot(slot, aborted);
        } catch (error) {
          if (!(error instanceof ReplicaStartError && error.reason === 'aborted')) {
            slot.lastError = errorMessage(error);
          }
          // One failed replica fails the set: the others stop waiting.
          this.startAbort?.abort();
          throw error;
        }
      }),
    );
    const errors = outcomes.flatMap((outcome): unknown[] =>
      outcome.status === 'rejected' ? [outcome.reason] : [],
    );
    if (errors.length === 0 && this.phase === 'starting') {
      this.phase = 'running';
      for (const slot of this.slots) {
        const running = slot.process;
        if (!running) continue;
        // Healthy, then exited while the other replicas were still starting: a crash like any later one.
        if (running.exit) this.onExit(slot, running, running.exit);
        else void this.monitor(slot, running, true);
      }
      this.logger.info({ replicas: this.endpoints() }, 'replica set started');
      return;
    }
    // The first real cause, not the "stopped waiting" of the replicas it cut short.
    const failure: unknown =
      errors.find((error) => !(error instanceof ReplicaStartError && error.reason === 'aborted')) ??
      errors[0] ??
      new ReplicaStartError('the replica set was stopped while it was starting', 'aborted');
    // stop() or detach() may have run meanwhile (the compiler cannot see that).
    if ((this.phase as Phase) !== 'detached') await this.stop();
    throw failure;
  }

  /** Where the healthy replicas answer. */
  endpoints(): { host: string; port: number }[] {
    return this.slots
      .filter((slot) => slot.status === 'healthy')
      .map((slot) => ({ host: REPLICA_HOST, port: slot.port }));
  }

  state(): ReplicaState[] {
    return this.slots.map((slot) => {
      const alive = slot.process && !slot.process.exit ? slot.process : undefined;
      return {
        index: slot.index,
        ...(alive ? { pid: alive.pid } : {}),
        port: slot.port,
        status: slot.status,
        restarts: slot.restarts,
        ...(slot.lastError !== undefined ? { lastError: slot.lastError } : {}),
        ...(slot.startedAt !== undefined ? { startedAt: slot.startedAt } : {}),
      };
    });
  }

  /**
   * Called whenever a replica's status, process or port changes; returns an
   * unsubscribe function. A restart changes pid and port: record snapshot()
   * again then, so a restarted Gantry finds the new process.
   */
  onChange(listener: (states: ReplicaState[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * SIGTERM to every replica's process group, SIGKILL to those still running
   * after drainTimeoutMs; resolves when all have exited. Safe to call again.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /**
   * Stops supervising without stopping the processes: for a Gantry shutdown
   * that leaves the replicas serving, to be re-adopted from snapshot() by the
   * next Gantry. stop() still stops them afterwards.
   */
  detach(): void {
    if (this.phase === 'stopping' || this.phase === 'stopped') return;
    this.phase = 'detached';
    this.startAbort?.abort();
    void this.logFiles.stop();
    for (const slot of this.slots) {
      clearTimeout(slot.restartTimer);
      slot.monitor?.abort();
      slot.process?.child?.unref();
    }
    this.listeners.clear();
  }

  /** The live replicas, for durable storage: a restarted Gantry passes it to adopt(). */
  snapshot(): AdoptableReplicaSet {
    const replicas: AdoptableReplica[] = [];
    for (const slot of this.slots) {
      const running = slot.process;
      // Without its kernel start time a process could not be told from a pid reuse: not recorded.
      if (!running || running.exit || running.startTime === undefined || slot.startedAt === undefined) {
        continue;
      }
      replicas.push({
        index: slot.index,
        pid: running.pid,
        port: slot.port,
        processStartTime: running.startTime,
        startedAt: slot.startedAt,
        restarts: slot.restarts,
      });
    }
    const { service, stage, version, role } = this.spec;
    return { service, stage, version, role, ...(this.boot ? { bootId: this.boot } : {}), replicas };
  }

  /**
   * After a Gantry restart: takes over the recorded replicas that still run
   * (same pid, same kernel start time, health check passing) and starts the
   * missing ones anew. Recorded processes that are ours but fail their health
   * check are stopped. Undefined when no replica could be adopted: the caller
   * starts a new set.
   */
  static async adopt(
    snapshot: AdoptableReplicaSet,
    spec: ReplicaSetSpec,
    options: ReplicaSetOptions = {},
  ): Promise<ReplicaSet | undefined> {
    const set = new ReplicaSet(spec, options);
    return (await set.adoptFrom(snapshot)) ? set : undefined;
  }

  private async adoptFrom(snapshot: AdoptableReplicaSet): Promise<boolean> {
    if (!isSnapshot(snapshot)) {
      this.logger.warn('the recorded replicas are not a replica set snapshot; nothing to adopt');
      return false;
    }
    const { service, stage, version } = this.spec;
    if (snapshot.service !== service || snapshot.stage !== stage || snapshot.version !== version) {
      this.logger.warn(
        { recorded: { service: snapshot.service, stage: snapshot.stage, version: snapshot.version } },
        'the recorded replicas belong to another service, stage or version; nothing to adopt',
      );
      return false;
    }
    this.boot = await bootId();
    if (snapshot.bootId && this.boot && snapshot.bootId !== this.boot) {
      this.logger.info('the machine rebooted since the replicas were recorded; nothing to adopt');
      return false;
    }

    await mkdir(this.spec.logDir, { recursive: true });

    const adopted: { slot: Slot; running: RunningProcess }[] = [];
    const unwanted: RunningProcess[] = [];
    const seen = new Set<number>();
    for (const recorded of snapshot.replicas) {
      const identity = await checkProcessIdentity(recorded.pid, recorded.processStartTime);
      const log = { replica: recorded.index, pid: recorded.pid };
      if (identity !== 'same') {
        this.logger.info(
          log,
          identity === 'gone'
            ? 'a recorded replica is no longer running'
            : 'the pid of a recorded replica now belongs to another process; leaving it alone',
        );
        continue;
      }
      const running = adoptedProcess(recorded);
      const slot = this.slots[recorded.index];
      if (!slot || seen.has(recorded.index)) {
        unwanted.push(running);
        continue;
      }
      const health = await this.probe(recorded.port);
      if (!health.ok) {
        this.logger.warn(
          { ...log, health: this.scrub(health.reason) },
          'a recorded replica is unhealthy; stopping it',
        );
        unwanted.push(running);
        continue;
      }
      seen.add(recorded.index);
      adopted.push({ slot, running });
      slot.port = recorded.port;
      slot.status = 'healthy';
      slot.restarts = recorded.restarts;
      slot.startedAt = recorded.startedAt;
      slot.process = running;
      void running.exited.then((exit) => this.onExit(slot, running, exit));
    }
    // Ours, but not wanted any more (scaled down) or sick: they would hold their ports forever.
    await Promise.all(unwanted.map((running) => this.terminate(running)));
    if (adopted.length === 0) {
      this.phase = 'stopped';
      return false;
    }

    this.phase = 'running';
    this.logFiles.start();
    for (const { slot, running } of adopted) void this.monitor(slot, running, true);
    for (const slot of this.slots) {
      if (slot.process) continue;
      slot.restarts += snapshot.replicas.find((recorded) => recorded.index === slot.index)?.restarts ?? 0;
      void this.relaunch(
        slot,
        `--- gantry: replica ${slot.index} started again (it was gone when Gantry restarted) ---`,
      );
    }
    this.logger.info(
      {
        adopted: adopted.map(({ slot, running }) => ({
          replica: slot.index,
          pid: running.pid,
          port: slot.port,
        })),
      },
      'adopted running replicas',
    );
    this.emitChange();
    return true;
  }

  private async startSlot(slot: Slot, signal: AbortSignal): Promise<void> {
    if (this.phase !== 'starting' || signal.aborted) {
      throw new ReplicaStartError(
        `replica ${slot.index} was stopped before it started`,
        'aborted',
        slot.index,
      );
    }
    slot.status = 'starting';
    this.emitChange();
    const running = await this.launch(
      slot,
      `--- gantry: replica ${slot.index} started (version ${this.spec.version}) ---`,
    );
    const deadline = running.spawnedAt + (this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const outcome = await this.waitHealthy(slot, running, signal, deadline);
    switch (outcome.kind) {
      case 'healthy':
        slot.status = 'healthy';
        this.logger.info({ replica: slot.index, pid: running.pid, port: slot.port }, 'replica is healthy');
        this.emitChange();
        return;
      case 'aborted':
        throw new ReplicaStartError(
          `replica ${slot.index} was stopped before it became healthy`,
          'aborted',
          slot.index,
        );
      case 'exited':
        throw await this.exitedWhileStarting(slot, running, outcome.exit);
      case 'timeout':
        throw await this.neverHealthy(slot, running, outcome.last);
    }
  }

  /** Spawns the replica's process with a fresh port; rejects with a ReplicaStartError when it cannot run. */
  private async launch(slot: Slot, marker: string): Promise<RunningProcess> {
    const { command, args, cwd } = this.spec;
    let port: number;
    try {
      port = await this.allocatePort();
    } catch (error) {
      throw new ReplicaStartError(
        `could not find a free port: ${errorMessage(error)}`,
        'spawn-failed',
        slot.index,
      );
    }
    if (cwd !== undefined) await assertDirectory(cwd, slot.index);
    await mkdir(this.spec.logDir, { recursive: true });
    // From here on all is synchronous up to recording the process, so stop()
    // either sees it or has already said not to start it.
    if (this.phase !== 'starting' && this.phase !== 'running') {
      throw new ReplicaStartError(
        `replica ${slot.index} was stopped before it started`,
        'aborted',
        slot.index,
      );
    }
    // Services do print secrets now and then: the log is for Gantry's user only.
    const fd = openSync(replicaLogPath(this.spec.logDir, slot.index), 'a', 0o600);
    let child: ChildProcess;
    let logOffset: number;
    try {
      writeSync(fd, `${marker}\n`);
      logOffset = fstatSync(fd).size;
      child = spawn(command, args, {
        ...(cwd !== undefined ? { cwd } : {}),
        env: { ...inheritedEnv(), ...this.spec.env, PORT: String(port) },
        detached: true,
        shell: false,
        stdio: ['ignore', fd, fd],
        windowsHide: true,
      });
    } catch (error) {
      throw this.spawnFailure(error, slot.index);
    } finally {
      // The child has its own copy of the descriptor.
      closeSync(fd);
    }
    const pid = child.pid;
    if (pid === undefined) {
      // Not found or not executable: reported by an 'error' event, on the next tick.
      const error = await new Promise<unknown>((resolve) => child.once('error', resolve));
      throw this.spawnFailure(error, slot.index);
    }
    child.on('error', (error) =>
      this.logger.warn({ replica: slot.index, pid, error: error.message }, 'replica process error'),
    );
    let resolveExit!: (exit: ExitInfo) => void;
    const running: RunningProcess = {
      pid,
      spawnedAt: Date.now(),
      logOffset,
      child,
      exited: new Promise((resolve) => (resolveExit = resolve)),
      resolveExit: (exit) => {
        if (running.exit) return;
        running.exit = exit;
        resolveExit(exit);
      },
      stopRequested: false,
    };
    child.once('exit', (code, signal) => running.resolveExit({ code, signal, known: true }));
    void running.exited.then((exit) => this.onExit(slot, running, exit));
    slot.process = running;
    slot.port = port;
    slot.startedAt = new Date(running.spawnedAt).toISOString();
    running.startTime = (await readProcessStat(pid))?.startTime;
    this.logger.info({ replica: slot.index, pid, port }, 'replica process started');
    this.emitChange();
    return running;
  }

  private spawnFailure(error: unknown, replica: number): ReplicaStartError {
    const { command } = this.spec;
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') {
      const hint = command.includes('/')
        ? 'no such file, or the interpreter on its #! line is missing'
        : 'is it installed and on PATH?';
      return new ReplicaStartError(`command "${command}" not found (${hint})`, 'not-found', replica);
    }
    if (code === 'EACCES') {
      return new ReplicaStartError(
        `command "${command}" is not executable (permission denied: is it a file with its execute bit set?)`,
        'not-executable',
        replica,
      );
    }
    return new ReplicaStartError(
      `could not start command "${command}": ${this.scrub(errorMessage(error))}`,
      'spawn-failed',
      replica,
    );
  }

  /** Checks until `healthyAfter` passes in a row, the process exits, the deadline passes or `signal` aborts. */
  private async waitHealthy(
    slot: Slot,
    running: RunningProcess,
    signal: AbortSignal,
    deadline: number,
  ): Promise<HealthOutcome> {
    const healthyAfter = this.spec.healthCheck?.healthyAfter ?? 1;
    const interval = this.spec.healthCheck?.intervalMs ?? TCP_PROBE_INTERVAL_MS;
    let passes = 0;
    let last: HealthResult | undefined;
    for (;;) {
      if (running.exit) return { kind: 'exited', exit: running.exit };
      if (signal.aborted) return { kind: 'aborted' };
      const result = await this.probe(slot.port);
      // An answer on the port after the process exited came from someone else.
      if (running.exit) return { kind: 'exited', exit: running.exit };
      if (result.ok) {
        passes++;
        if (passes >= healthyAfter) return { kind: 'healthy' };
      } else {
        passes = 0;
        last = result;
      }
      if (Date.now() >= deadline) return last ? { kind: 'timeout', last } : { kind: 'timeout' };
      await Promise.race([
        sleep(Math.min(interval, Math.max(0, deadline - Date.now())), signal),
        running.exited,
      ]);
    }
  }

  private probe(port: number): Promise<HealthResult> {
    const check = this.spec.healthCheck;
    return check ? checkHttpHealth(port, check.path, check.timeoutMs) : checkTcp(port, TCP_PROBE_TIMEOUT_MS);
  }

  private async exitedWhileStarting(
    slot: Slot,
    running: RunningProcess,
    exit: ExitInfo,
  ): Promise<ReplicaStartError> {
    const after = Date.now() - running.spawnedAt;
    const when =
      after < EARLY_EXIT_MS
        ? 'right after starting'
        : `${formatMs(after)} after starting, before it became healthy`;
    return new ReplicaStartError(
      `replica ${slot.index} ${describeExit(exit)} ${when}${await this.logExcerpt(slot, running)}`,
      'exited',
      slot.index,
    );
  }

  private async neverHealthy(
    slot: Slot,
    running: RunningProcess,
    last?: HealthResult,
  ): Promise<ReplicaStartError> {
    const within = formatMs(this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    const lastCheck = last && !last.ok ? ` (last health check: ${this.scrub(last.reason)})` : '';
    const excerpt = await this.logExcerpt(slot, running);
    const check = this.spec.healthCheck;
    if (!last || (!last.ok && last.refused)) {
      return new ReplicaStartError(
        `replica ${slot.index} did not listen on its port ${slot.port} (given in PORT) within ${within}${lastCheck}${excerpt}`,
        'timeout',
        slot.index,
      );
    }
    const what = check ? `its health check GET ${check.path}` : `a connection check on port ${slot.port}`;
    return new ReplicaStartError(
      `replica ${slot.index} did not pass ${what} within ${within}${lastCheck}${excerpt}`,
      'unhealthy',
      slot.index,
    );
  }

  /** `; last lines of its log (path):` and the process's own last lines, secrets scrubbed. */
  private async logExcerpt(slot: Slot, running: RunningProcess): Promise<string> {
    const path = replicaLogPath(this.spec.logDir, slot.index);
    const lines = await readLastLines(path, LOG_LINES_IN_ERRORS, running.logOffset).catch(() => []);
    if (lines.length === 0) return `; it wrote nothing to its log (${path})`;
    const shown = lines.map((line) =>
      this.scrub(line.length > LOG_LINE_MAX ? `${line.slice(0, LOG_LINE_MAX)}…` : line),
    );
    return `; last lines of its log (${path}):\n${shown.map((line) => `    ${line}`).join('\n')}`;
  }

  /**
   * Watches a running replica: its health (marking it healthy or unhealthy)
   * and, for an adopted process, whether it still runs. Ends when it exits.
   */
  private async monitor(slot: Slot, running: RunningProcess, healthy: boolean): Promise<void> {
    slot.monitor?.abort();
    const controller = new AbortController();
    slot.monitor = controller;
    const active = () => !controller.signal.aborted && !running.exit && this.phase === 'running';
    try {
      await this.watchReplica(slot, running, controller.signal, active, healthy);
    } finally {
      // Ends the pending sleep, if the loop ended on an exit.
      controller.abort();
    }
  }

  private async watchReplica(
    slot: Slot,
    running: RunningProcess,
    signal: AbortSignal,
    active: () => boolean,
    healthy: boolean,
  ): Promise<void> {
    const check = this.spec.healthCheck;
    const healthyAfter = check?.healthyAfter ?? 1;
    const interval = check?.intervalMs ?? (running.child ? TCP_PROBE_INTERVAL_MS : ADOPTED_POLL_MS);
    const deadline = running.spawnedAt + (this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    let passes = healthy ? healthyAfter : 0;
    let failures = 0;
    while (active()) {
      await Promise.race([sleep(interval, signal), running.exited]);
      if (!active()) break;
      if (!running.child) {
        const identity = await checkProcessIdentity(running.pid, running.startTime ?? '');
        if (identity !== 'same') {
          running.resolveExit({ code: null, signal: null, known: false });
          break;
        }
      }
      // Our own child without a health check: its exit is all there is to watch once it listens.
      if (!check && running.child && slot.status === 'healthy') continue;
      const result = await this.probe(slot.port);
      if (!active()) break;
      if (result.ok) {
        failures = 0;
        passes++;
        if (slot.status !== 'healthy' && passes >= healthyAfter) {
          slot.status = 'healthy';
          this.logger.info({ replica: slot.index, pid: running.pid, port: slot.port }, 'replica is healthy');
          this.emitChange();
        }
        continue;
      }
      passes = 0;
      failures++;
      const reason = this.scrub(result.reason);
      if (slot.status === 'healthy' && failures >= this.unhealthyAfter) {
        slot.status = 'unhealthy';
        slot.lastError = `health check failed ${failures} times in a row (last: ${reason})`;
        this.logger.warn({ replica: slot.index, pid: running.pid, health: reason }, 'replica is unhealthy');
        this.emitChange();
      } else if (slot.status === 'starting' && Date.now() > deadline) {
        slot.status = 'unhealthy';
        slot.lastError = `not healthy ${formatMs(this.spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS)} after starting (last health check: ${reason})`;
        this.logger.warn(
          { replica: slot.index, pid: running.pid, health: reason },
          'restarted replica is not healthy',
        );
        this.emitChange();
      }
    }
  }

  private onExit(slot: Slot, running: RunningProcess, exit: ExitInfo): void {
    if (slot.process !== running) return;
    // start() reports exits while starting; stop() and detach() expect them.
    if (this.phase !== 'running' || running.stopRequested) return;
    slot.monitor?.abort();
    this.logger.warn(
      { replica: slot.index, pid: running.pid, exit: describeExit(exit) },
      'replica exited unexpectedly',
    );
    this.crashed(slot, describeExit(exit), lastExit(exit), exit);
  }

  /** Records a crash (or a failed restart) and schedules the next attempt. */
  private crashed(slot: Slot, description: string, lastWas: string, exit?: ExitInfo): void {
    const now = Date.now();
    slot.crashes = [...slot.crashes.filter((at) => now - at <= this.crashLoop.windowMs), now];
    const inLoop = slot.crashes.length >= this.crashLoop.crashes;
    const delay = inLoop
      ? backoffDelay(Number.MAX_SAFE_INTEGER, this.backoff.initialMs, this.backoff.maxMs)
      : backoffDelay(slot.crashes.length - 1, this.backoff.initialMs, this.backoff.maxMs);
    slot.status = inLoop ? 'crash-loop' : 'crashed';
    const span = formatMs(now - (slot.crashes[0] ?? now));
    slot.lastError = inLoop
      ? exit
        ? `crash loop: exited ${slot.crashes.length} times in ${span}, last ${lastWas}`
        : `crash loop: failed ${slot.crashes.length} times in ${span}, last: ${lastWas}`
      : description;
    if (inLoop) {
      this.logger.error(
        { replica: slot.index, lastError: slot.lastError, retryInMs: Math.round(delay) },
        'replica is in a crash loop',
      );
    }
    const marker = `--- gantry: replica ${slot.index} restarted (${exit ? exitSuffix(exit) : 'its last start failed'}) ---`;
    slot.restartTimer = setTimeout(() => void this.relaunch(slot, marker), delay);
    this.emitChange();
  }

  /** Starts a replica's process again (after a crash, or when it was gone at adoption). */
  private async relaunch(slot: Slot, marker: string): Promise<void> {
    slot.restartTimer = undefined;
    if (this.phase !== 'running') return;
    slot.restarts++;
    const inLoop = slot.status === 'crash-loop';
    let running: RunningProcess;
    try {
      running = await this.launch(slot, marker);
    } catch (error) {
      if (this.phase !== 'running') return;
      const message = errorMessage(error);
      this.logger.warn({ replica: slot.index, error: message }, 'replica could not be restarted');
      this.crashed(slot, message, message);
      return;
    }
    // In a crash loop the status says so until the replica is healthy again.
    if (!inLoop) slot.status = 'starting';
    this.emitChange();
    void this.monitor(slot, running, false);
  }

  private async stopAll(): Promise<void> {
    this.phase = 'stopping';
    this.startAbort?.abort();
    // A cut made while a replica writes may lose the bytes of that instant: none
    // during the drain, when its last words are written.
    await this.logFiles.stop();
    await Promise.all(this.slots.map((slot) => this.stopSlot(slot)));
    this.phase = 'stopped';
    await this.logFiles.check().catch(() => undefined);
    this.logger.info('replica set stopped');
  }

  private async stopSlot(slot: Slot): Promise<void> {
    clearTimeout(slot.restartTimer);
    slot.restartTimer = undefined;
    slot.monitor?.abort();
    const running = slot.process;
    if (running && !running.exit) {
      slot.status = 'stopping';
      this.emitChange();
      await this.terminate(running, slot.index);
    }
    slot.status = 'stopped';
    this.emitChange();
  }

  /**
   * SIGTERM to the process group, up to drainTimeoutMs for the process to exit,
   * then SIGKILL. An adopted process is signalled only while it is provably
   * the one recorded, never a process that inherited its pid.
   */
  private async terminate(running: RunningProcess, replica?: number): Promise<void> {
    running.stopRequested = true;
    if (running.exit) return;
    if (!(await this.stillOurs(running))) return;
    const log = { replica, pid: running.pid };
    if (!this.signal(running, 'SIGTERM')) return;
    const drainTimeout = this.spec.drainTimeoutMs;
    const started = Date.now();
    if (await this.waitExit(running, drainTimeout)) {
      // Helpers it started may still be finishing their requests: they get the rest of the drain time.
      const left = drainTimeout - (Date.now() - started);
      if (left > 0) await this.waitGroupEmpty(running.pid, left);
      this.signal(running, 'SIGKILL');
      this.logger.info(log, 'replica stopped');
      return;
    }
    this.logger.warn(
      { ...log, drainTimeoutMs: drainTimeout },
      'replica did not stop within its drain timeout; killing it',
    );
    if (!(await this.stillOurs(running))) return;
    this.signal(running, 'SIGKILL');
    if (!(await this.waitExit(running, KILL_WAIT_MS))) {
      this.logger.error(log, 'replica is still running after SIGKILL');
    }
  }

  private async stillOurs(running: RunningProcess): Promise<boolean> {
    if (running.child) return !running.exit;
    const identity = await checkProcessIdentity(running.pid, running.startTime ?? '');
    if (identity === 'same') return true;
    running.resolveExit({ code: null, signal: null, known: false });
    return false;
  }

  private signal(running: RunningProcess, signal: NodeJS.Signals): boolean {
    try {
      return signalGroup(running.pid, signal);
    } catch (error) {
      this.logger.warn(
        { pid: running.pid, signal, error: errorMessage(error) },
        'could not signal a replica',
      );
      return false;
    }
  }

  private async waitExit(running: RunningProcess, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    if (running.child) {
      const timeout = new AbortController();
      await Promise.race([running.exited, sleep(timeoutMs, timeout.signal)]);
      timeout.abort();
      return running.exit !== undefined;
    }
    while (Date.now() < deadline) {
      if (!(await this.stillOurs(running))) return true;
      await sleep(EXIT_POLL_MS);
    }
    return !(await this.stillOurs(running));
  }

  private async waitGroupEmpty(pgid: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && signalGroupQuietly(pgid, 0)) await sleep(EXIT_POLL_MS);
  }

  private emitChange(): void {
    if (this.listeners.size === 0) return;
    const states = this.state();
    const signature = JSON.stringify(states);
    if (signature === this.lastEmitted) return;
    this.lastEmitted = signature;
    for (const listener of this.listeners) {
      try {
        listener(states);
      } catch (error) {
        this.logger.error({ error: errorMessage(error) }, 'a replica state listener failed');
      }
    }
  }
}

function adoptedProcess(recorded: AdoptableReplica): RunningProcess {
  let resolveExit!: (exit: ExitInfo) => void;
  const running: RunningProcess = {
    pid: recorded.pid,
    startTime: recorded.processStartTime,
    spawnedAt: Date.parse(recorded.startedAt) || Date.now(),
    logOffset: 0,
    exited: new Promise((resolve) => (resolveExit = resolve)),
    resolveExit: (exit) => {
      if (running.exit) return;
      running.exit = exit;
      resolveExit(exit);
    },
    stopRequested: false,
  };
  return running;
}

function isSnapshot(value: unknown): value is AdoptableReplicaSet {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AdoptableReplicaSet>;
  return (
    typeof candidate.service === 'string' &&
    typeof candidate.stage === 'string' &&
    typeof candidate.version === 'string' &&
    Array.isArray(candidate.replicas) &&
    candidate.replicas.every(
      (replica: Partial<AdoptableReplica>) =>
        Number.isInteger(replica.index) &&
        Number.isInteger(replica.pid) &&
        (replica.pid ?? 0) > 0 &&
        Number.isInteger(replica.port) &&
        typeof replica.processStartTime === 'string' &&
        typeof replica.startedAt === 'string' &&
        Number.isInteger(replica.restarts),
    )
  );
}

function inheritedEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of INHERITED_ENV) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

async function assertDirectory(cwd: string, replica: number): Promise<void> {
  try {
    if ((await stat(cwd)).isDirectory()) return;
  } catch {
    throw new ReplicaStartError(`working directory "${cwd}" does not exist`, 'spawn-failed', replica);
  }
  throw new ReplicaStartError(`working directory "${cwd}" is not a directory`, 'spawn-failed', replica);
}

function describeExit(exit: ExitInfo): string {
  if (!exit.known) return 'exited (exit code unknown: it was adopted after a Gantry restart)';
  if (exit.signal) return `was killed by ${exit.signal}`;
  return `exited with code ${exit.code ?? 'unknown'}`;
}

/** For the crash-loop message: "… last with code 1". */
function lastExit(exit: ExitInfo): string {
  if (!exit.known) return 'with an unknown code';
  if (exit.signal) return `killed by ${exit.signal}`;
  return `with code ${exit.code ?? 'unknown'}`;
}

/** For the restart marker: "(exit code 1)". */
function exitSuffix(exit: ExitInfo): string {
  if (!exit.known) return 'exit code unknown';
  if (exit.signal) return `killed by ${exit.signal}`;
  return `exit code ${exit.code ?? 'unknown'}`;
}

function signalGroupQuietly(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Replaces the env values of a spec in text a replica wrote (quoted in error
 * messages): every value of a secret-looking name, and every other value long
 * enough to be a credential. Gantry's own GANTRY_* metadata is not secret.
 */
function envScrubber(env: Record<string, string>): (text: string) => string {
  const values = Object.entries(env)
    .filter(([name, value]) =>
      isSecretName(name) ? value.length >= 3 : !name.startsWith('GANTRY_') && value.length >= 6,
    )
    .map(([, value]) => value)
    .sort((a, b) => b.length - a.length);
  return (text) => {
    let scrubbed = text;
    for (const value of values) scrubbed = scrubbed.split(value).join(REDACTED);
    return redactText(scrubbed);
  };
}
