import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatabaseHandle } from '../../platform/database/database.js';
import type { Logger } from '../../platform/logging/logger.js';
import { errorMessage, NotFoundError } from '../../shared/errors.js';
import { KeyedMutex } from '../../shared/keyed-mutex.js';
import { resolveSecretReference } from '../../shared/secret-reference.js';
import { PREVIEW_STAGE_NAME, type LocalTargetSpec } from '../pipelines/pipeline-spec.js';
import { TargetApplyError, type ApplyResult, type ReleaseToApply } from '../targets/target-driver.js';
import {
  findLocalStage,
  deleteLocalStage,
  listLocalStages,
  recordCandidate,
  recordReplicaSnapshot,
  type CandidateRecord,
} from './local-stages.repository.js';
import type { RecordedReplicaSet } from './local-stages.tables.js';
import { TrafficProxy, type Backend } from './proxy/traffic-proxy.js';
import type { TrafficMetrics } from './proxy/traffic-metrics.js';
import { expandPlaceholders } from './release-placeholders.js';
import { followLogs, readLogTail, type ReplicaLogTail } from './supervisor/log-reader.js';
import { ReplicaSet, type AdoptableReplicaSet, type ReplicaSetSpec } from './supervisor/replica-set.js';

// The `local` target's processes and proxies, in Gantry's own process. Each
// stage has one proxy on its port, a stable replica set and, during a
// promotion, a candidate set (the canary, or the green side of a blue-green
// switch) that the proxy gives `weight`% of the requests. The database row of
// the stage (local_stages) is written before the processes or the routing
// change, so a restarted Gantry re-adopts or restarts what the row says and
// routes exactly as it did.

export interface LocalStagesOptions {
  database: DatabaseHandle;
  logger: Logger;
  metrics: TrafficMetrics;
  /** Replica logs go under <logDir>/<service>/<stage>/<version>. */
  logDir: string;
  /** Address the stage proxies listen on (default 127.0.0.1). */
  proxyHost?: string;
  /** Ports pull requests' preview stages (`pr-<number>`, declared without a port) are given from. */
  previewPorts?: PortRange;
}

export interface PortRange {
  from: number;
  to: number;
}

export interface LocalApplyRequest {
  promotionId: string;
  service: string;
  stage: string;
  release: ReleaseToApply;
  target: LocalTargetSpec;
}

/** How a stage's proxies route, as the rollout has stored it. */
export interface StageRouting {
  /** Share of requests (0–100) to the candidate on the stage's port. */
  weight: number;
  /** Blue-green: the candidate answers on the preview port. */
  preview: boolean;
  previewPort?: number;
  stickiness?: { header?: string; cookie?: string };
}

interface RunningVersion {
  release: ReleaseToApply;
  target: LocalTargetSpec;
  replicas: ReplicaSet;
  stopWatching: () => void;
}

interface StageRuntime {
  service: string;
  stage: string;
  proxy?: TrafficProxy;
  preview?: TrafficProxy;
  stable?: RunningVersion;
  candidate?: RunningVersion & { promotionId: string };
  routing: StageRouting;
}

export class LocalStages {
  private readonly stages = new Map<string, StageRuntime>();
  private readonly locks = new KeyedMutex();

  constructor(private readonly options: LocalStagesOptions) {}

  /**
   * Applying: starts the candidate's replicas and waits until they are healthy,
   * then records them; the proxy gives them no request yet. Idempotent per
   * promotion: a candidate of this promotion that is already running is kept.
   */
  startCandidate(request: LocalApplyRequest, signal?: AbortSignal): Promise<ApplyResult> {
    return this.locked(request.service, request.stage, async (runtime) => {
      const { version } = request.release;
      if (runtime.candidate?.promotionId === request.promotionId) {
        return {
          revision: version,
          alreadyApplied: true,
          summary: `${request.service} ${version} is already running in ${request.stage} (${describeSet(runtime.candidate.replicas)})`,
        };
      }
      await this.ensureProxy(runtime, request.target);
      // A preview's port was picked when its proxy opened; the record keeps it for a restart.
      const target = { ...request.target, port: runtime.proxy!.port };
      // A candidate of an earlier promotion (finished without cleaning up after a crash) goes first.
      if (runtime.candidate) await this.stopCandidate(runtime);
      const replicas = await this.launch(request, signal);
      const record: CandidateRecord = {
        promotionId: request.promotionId,
        release: request.release,
        target,
        replicas: replicas.snapshot(),
      };
      try {
        await recordCandidate(this.options.database.db, request.service, request.stage, record);
      } catch (error) {
        await replicas.stop();
        throw error;
      }
      runtime.candidate = { ...this.watch(runtime, replicas, record), promotionId: request.promotionId };
      runtime.routing = { ...runtime.routing, weight: 0, preview: false };
      this.applyRouting(runtime);
      return {
        revision: version,
        alreadyApplied: false,
        summary: `started ${request.service} ${version} in ${request.stage}: ${describeSet(replicas)}`,
      };
    });
  }

  /** Routes a stage as stored (the caller wrote the weight first). */
  route(service: string, stage: string, routing: StageRouting): Promise<void> {
    return this.locked(service, stage, async (runtime) => {
      runtime.routing = routing;
      await this.syncPreview(runtime);
      this.applyRouting(runtime);
    });
  }

  /** Whether the stage has a stable version to compare a candidate with. */
  hasStable(service: string, stage: string): boolean {
    return this.stages.get(stageKey(service, stage))?.stable !== undefined;
  }

  /** Whether the candidate of this promotion is running here (it may not be, after a restart). */
  hasCandidate(service: string, stage: string, promotionId: string): boolean {
    return this.stages.get(stageKey(service, stage))?.candidate?.promotionId === promotionId;
  }

  /**
   * The candidate becomes stable: every request goes to it, then the old
   * stable replicas drain and stop. The caller records the outcome after.
   */
  promote(service: string, stage: string): Promise<void> {
    return this.locked(service, stage, async (runtime) => {
      const candidate = runtime.candidate;
      if (!candidate) return;
      const old = runtime.stable;
      const { promotionId: _promotionId, ...promoted } = candidate;
      runtime.stable = promoted;
      runtime.candidate = undefined;
      runtime.routing = { ...runtime.routing, weight: 0, preview: false };
      await this.syncPreview(runtime);
      this.applyRouting(runtime);
      if (old) await this.retire(runtime, old);
    });
  }

  /** Every request back to stable, then the candidate's replicas stop. */
  removeCandidate(service: string, stage: string): Promise<void> {
    return this.locked(service, stage, async (runtime) => {
      runtime.routing = { ...runtime.routing, weight: 0, preview: false };
      await this.syncPreview(runtime);
      this.applyRouting(runtime);
      if (runtime.candidate) await this.stopCandidate(runtime);
    });
  }

  /** Where a version's replica logs are written. */
  logDir(service: string, stage: string, version: string): string {
    return join(this.options.logDir, safeSegment(service), safeSegment(stage), safeSegment(version));
  }

  /**
   * The log directory of a version of a stage: the one asked for, else the
   * candidate's (the one people watch during a rollout), else the stable one's.
   */
  async logDirOf(
    service: string,
    stage: string,
    version?: string,
  ): Promise<{ version: string; dir: string }> {
    let chosen = version;
    if (chosen === undefined) {
      const row = await findLocalStage(this.options.database.db, service, stage);
      chosen = row?.candidate?.release.version ?? row?.stable?.release.version;
    }
    if (chosen === undefined) {
      throw new NotFoundError(
        `${service} has not run in ${stage} on this Gantry (only local stages keep replica logs); give a version to read an older one's`,
      );
    }
    const dir = this.logDir(service, stage, chosen);
    if (!(await exists(dir))) {
      throw new NotFoundError(`there are no logs of ${service} ${chosen} in ${stage}`);
    }
    return { version: chosen, dir };
  }

  /** The last lines of each replica's log of a version. */
  async tailLogs(
    service: string,
    stage: string,
    options: { version?: string; replica?: number; lines: number },
  ): Promise<{ version: string; replicas: ReplicaLogTail[] }> {
    const { version, dir } = await this.logDirOf(service, stage, options.version);
    const replicas = await readLogTail(dir, {
      lines: options.lines,
      ...(options.replica !== undefined ? { replica: options.replica } : {}),
    });
    return { version, replicas };
  }

  /** The last lines, then every new line as replicas write it, until `signal` aborts; each as `[N] line`. */
  async *followLogs(
    service: string,
    stage: string,
    options: { version?: string; replica?: number; lines: number },
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    const { version, replicas } = await this.tailLogs(service, stage, options);
    for (const tail of replicas) for (const line of tail.lines) yield `[${tail.replica}] ${line}\n`;
    const dir = this.logDir(service, stage, version);
    for await (const entry of followLogs(
      dir,
      signal,
      options.replica !== undefined ? { replica: options.replica } : {},
    )) {
      yield `[${entry.replica}] ${entry.line}\n`;
    }
  }

  /** The versions a stage runs right now, for status and logs. */
  versions(service: string, stage: string): { stable?: string; candidate?: string; weight: number } {
    const runtime = this.stages.get(stageKey(service, stage));
    return {
      ...(runtime?.stable ? { stable: runtime.stable.release.version } : {}),
      ...(runtime?.candidate ? { candidate: runtime.candidate.release.version } : {}),
      weight: runtime?.routing.weight ?? 0,
    };
  }

  /**
   * At start-up: every stage as its row says. Replicas still running from
   * before (a crash leaves them) are adopted; the others are started again.
   * A candidate that cannot be brought back is left out, so all traffic goes
   * to stable until the rollout runner decides (it rolls back).
   */
  async restore(): Promise<void> {
    for (const row of await listLocalStages(this.options.database.db)) {
      await this.locked(row.service, row.stage, async (runtime) => {
        const target = row.candidate?.target ?? row.stable?.target;
        if (!target) return;
        try {
          await this.ensureProxy(runtime, row.stable?.target ?? target);
        } catch (error) {
          this.options.logger.error(
            { service: row.service, stage: row.stage, error: errorMessage(error) },
            'could not open the proxy of a local stage',
          );
          return;
        }
        if (row.stable) {
          const stable = await this.revive(runtime, 'stable', row.stable);
          if (stable) runtime.stable = stable;
        }
        if (row.candidate) {
          const candidate = await this.revive(runtime, 'candidate', row.candidate);
          if (candidate) {
            runtime.candidate = { ...candidate, promotionId: row.candidate.promotionId };
            runtime.routing = { ...runtime.routing, weight: row.candidateWeight };
          }
        }
        this.applyRouting(runtime);
      });
    }
  }

  /** Shutdown: proxies close after their requests; replicas drain and stop. */
  async stop(): Promise<void> {
    await Promise.all(
      [...this.stages.values()].map((runtime) =>
        this.locked(runtime.service, runtime.stage, () => this.close(runtime)),
      ),
    );
  }

  /** Requests in flight on a version of a stage, through its proxy and its preview port. */
  inFlight(service: string, stage: string, version: string): number {
    const runtime = this.stages.get(stageKey(service, stage));
    return runtime ? inFlightOn(runtime, version) : 0;
  }

  /** The port a stage answers on, while its proxy is open. */
  portOf(service: string, stage: string): number | undefined {
    const port = this.stages.get(stageKey(service, stage))?.proxy?.port;
    return port ? port : undefined;
  }

  /**
   * Tears a stage down for good (a closed pull request's preview): its proxy
   * closes, its replicas drain and stop, and its record is deleted, so a
   * restart brings nothing back. Idempotent.
   */
  removeStage(service: string, stage: string): Promise<void> {
    return this.locked(service, stage, async (runtime) => {
      await this.close(runtime);
      await deleteLocalStage(this.options.database.db, service, stage);
      this.stages.delete(stageKey(service, stage));
    });
  }

  private async close(runtime: StageRuntime): Promise<void> {
    await Promise.all([runtime.proxy?.close(), runtime.preview?.close()]);
    runtime.proxy = undefined;
    runtime.preview = undefined;
    runtime.stable?.stopWatching();
    runtime.candidate?.stopWatching();
    await Promise.all([runtime.stable?.replicas.stop(), runtime.candidate?.replicas.stop()]);
  }

  private locked<T>(service: string, stage: string, task: (runtime: StageRuntime) => Promise<T>): Promise<T> {
    const key = stageKey(service, stage);
    return this.locks.run(key, () => {
      let runtime = this.stages.get(key);
      if (!runtime) {
        runtime = { service, stage, routing: { weight: 0, preview: false } };
        this.stages.set(key, runtime);
      }
      return task(runtime);
    });
  }

  private async ensureProxy(runtime: StageRuntime, target: LocalTargetSpec): Promise<void> {
    if (runtime.proxy) return;
    if (target.port === undefined) {
      if (PREVIEW_STAGE_NAME.test(runtime.stage)) {
        runtime.proxy = await this.openPreviewStageProxy(runtime);
        return;
      }
      throw new TargetApplyError(
        `the local target of ${runtime.service} in ${runtime.stage} has no port: add port: (the port the stage answers on)`,
        false,
      );
    }
    const proxy = this.newProxy(runtime);
    try {
      await proxy.listen(target.port, this.options.proxyHost ?? '127.0.0.1');
    } catch (error) {
      throw new TargetApplyError(
        `${runtime.service} in ${runtime.stage}: cannot listen on port ${target.port}: ${errorMessage(error)}`,
        false,
      );
    }
    runtime.proxy = proxy;
  }

  /**
   * A pull request's stage gets the first port of the preview range that no
   * other local stage has recorded and that is free to listen on.
   */
  private async openPreviewStageProxy(runtime: StageRuntime): Promise<TrafficProxy> {
    const range = this.options.previewPorts;
    if (!range) {
      throw new TargetApplyError(
        `${runtime.service} in ${runtime.stage}: no port range for previews is configured (GANTRY_PREVIEW_PORTS)`,
        false,
      );
    }
    const taken = new Set<number>();
    for (const other of this.stages.values()) if (other.proxy) taken.add(other.proxy.port);
    for (const row of await listLocalStages(this.options.database.db)) {
      for (const set of [row.stable, row.candidate]) if (set?.target.port) taken.add(set.target.port);
    }
    for (let port = range.from; port <= range.to; port++) {
      if (taken.has(port)) continue;
      const proxy = this.newProxy(runtime);
      try {
        await proxy.listen(port, this.options.proxyHost ?? '127.0.0.1');
        return proxy;
      } catch {
        // In use by something else on this machine: try the next one.
      }
    }
    throw new TargetApplyError(
      `${runtime.service} in ${runtime.stage}: every port of the preview range ${range.from}-${range.to} is in use; close previews or widen GANTRY_PREVIEW_PORTS`,
      true,
    );
  }

  private newProxy(runtime: StageRuntime): TrafficProxy {
    return new TrafficProxy({
      service: runtime.service,
      stage: runtime.stage,
      metrics: this.options.metrics,
      logger: this.options.logger,
    });
  }

  private async syncPreview(runtime: StageRuntime): Promise<void> {
    const wanted = runtime.routing.preview && runtime.candidate && runtime.routing.previewPort !== undefined;
    if (!wanted) {
      await runtime.preview?.close();
      runtime.preview = undefined;
      return;
    }
    if (runtime.preview) return;
    const preview = new TrafficProxy({
      service: runtime.service,
      stage: runtime.stage,
      metrics: this.options.metrics,
      logger: this.options.logger,
      name: 'preview',
    });
    await preview.listen(runtime.routing.previewPort!, this.options.proxyHost ?? '127.0.0.1');
    runtime.preview = preview;
  }

  private applyRouting(runtime: StageRuntime): void {
    const stable = runtime.stable && backend(runtime.stable, 'stable');
    const candidate = runtime.candidate && backend(runtime.candidate, 'canary');
    runtime.proxy?.route({
      ...(stable ? { stable } : {}),
      ...(candidate ? { canary: candidate } : {}),
      // With no stable version yet (a stage's first release) the candidate takes everything.
      canaryWeight: stable ? runtime.routing.weight : 100,
      ...(runtime.routing.stickiness ? { stickiness: runtime.routing.stickiness } : {}),
    });
    if (runtime.preview && candidate) runtime.preview.route({ canary: candidate, canaryWeight: 100 });
  }

  private async launch(
    request: Pick<LocalApplyRequest, 'service' | 'stage' | 'release' | 'target'>,
    signal?: AbortSignal,
  ): Promise<ReplicaSet> {
    const replicas = new ReplicaSet(await this.replicaSpec(request), { logger: this.options.logger });
    try {
      await replicas.start(signal);
    } catch (error) {
      throw new TargetApplyError(
        `${request.service} ${request.release.version} did not start in ${request.stage}: ${errorMessage(error)}`,
        false,
      );
    }
    return replicas;
  }

  private async replicaSpec(
    request: Pick<LocalApplyRequest, 'service' | 'stage' | 'release' | 'target'>,
  ): Promise<ReplicaSetSpec> {
    const { service, stage, release, target } = request;
    const values = { release, service, stage };
    const env: Record<string, string> = {
      GANTRY_SERVICE: service,
      GANTRY_STAGE: stage,
      GANTRY_RELEASE_VERSION: release.version,
      GANTRY_RELEASE_COMMIT: release.commit,
      GANTRY_RELEASE_DIGEST: release.digest,
      GANTRY_RELEASE_IMAGE: release.image,
    };
    for (const [name, value] of Object.entries(target.env)) {
      env[name] =
        typeof value === 'string'
          ? expandPlaceholders(value, values)
          : await resolveSecretReference(value.valueFrom, `env ${name}`).catch((error: unknown) => {
              throw new TargetApplyError(errorMessage(error), false);
            });
    }
    return {
      service,
      stage,
      version: release.version,
      role: 'replica',
      command: expandPlaceholders(target.command, values),
      args: target.args.map((arg) => expandPlaceholders(arg, values)),
      ...(target.cwd ? { cwd: expandPlaceholders(target.cwd, values) } : {}),
      env,
      replicas: target.replicas,
      ...(target.healthCheck
        ? {
            healthCheck: {
              path: target.healthCheck.path,
              intervalMs: target.healthCheck.interval.ms,
              timeoutMs: target.healthCheck.timeout.ms,
              healthyAfter: target.healthCheck.healthyAfter,
            },
          }
        : {}),
      drainTimeoutMs: target.drainTimeout.ms,
      logDir: this.logDir(service, stage, release.version),
    };
  }

  /** A recorded set adopted, or started again; undefined when neither works. */
  private async revive(
    runtime: StageRuntime,
    role: 'stable' | 'candidate',
    record: RecordedReplicaSet,
  ): Promise<RunningVersion | undefined> {
    const request = {
      service: runtime.service,
      stage: runtime.stage,
      release: record.release,
      target: record.target,
    };
    const log = { service: runtime.service, stage: runtime.stage, version: record.release.version, role };
    try {
      const spec = await this.replicaSpec(request);
      let replicas = await ReplicaSet.adopt(record.replicas as AdoptableReplicaSet, spec, {
        logger: this.options.logger,
      });
      if (replicas) {
        this.options.logger.info(log, 'adopted the replicas still running from before the restart');
      } else {
        replicas = await this.launch(request);
        this.options.logger.info(log, 'started the replicas again after a restart');
      }
      await recordReplicaSnapshot(
        this.options.database.db,
        runtime.service,
        runtime.stage,
        role,
        replicas.snapshot(),
      );
      return this.watch(runtime, replicas, record);
    } catch (error) {
      this.options.logger.error(
        { ...log, error: errorMessage(error) },
        'could not bring back the replicas of a local stage',
      );
      return undefined;
    }
  }

  /**
   * Keeps the proxy's endpoints in step with the replicas' health (a crashed
   * replica leaves the rotation), and the stored snapshot in step with their
   * pids (a restarted replica has a new one), so a Gantry restart adopts the
   * processes that really run.
   */
  private watch(runtime: StageRuntime, replicas: ReplicaSet, record: RecordedReplicaSet): RunningVersion {
    let recordedPids = pidsOf(replicas.snapshot());
    const stopWatching = replicas.onChange(() => {
      this.applyRouting(runtime);
      const snapshot = replicas.snapshot();
      const pids = pidsOf(snapshot);
      if (pids === recordedPids) return;
      recordedPids = pids;
      const role = runtime.stable?.replicas === replicas ? 'stable' : 'candidate';
      recordReplicaSnapshot(this.options.database.db, runtime.service, runtime.stage, role, snapshot).catch(
        (error: unknown) =>
          this.options.logger.warn(
            { service: runtime.service, stage: runtime.stage, error: errorMessage(error) },
            'could not record the replicas after a restart; a Gantry restart may start them again',
          ),
      );
    });
    return { release: record.release, target: record.target, replicas, stopWatching };
  }

  private async stopCandidate(runtime: StageRuntime): Promise<void> {
    const candidate = runtime.candidate;
    if (!candidate) return;
    runtime.candidate = undefined;
    this.applyRouting(runtime);
    await this.retire(runtime, candidate);
  }

  /**
   * Waits until no request uses the version any more, then stops its
   * replicas. A request still running after the target's drainTimeout (a
   * replica that hangs, a long poll) does not hold a rollback back: the
   * replicas stop and cut it.
   */
  private async retire(runtime: StageRuntime, running: RunningVersion): Promise<void> {
    running.stopWatching();
    const version = running.release.version;
    const timeout = AbortSignal.timeout(running.target.drainTimeout.ms);
    await Promise.all([
      runtime.proxy?.drained(version, timeout),
      runtime.preview?.drained(version, timeout),
    ]).catch(() => {
      const inFlight = inFlightOn(runtime, version);
      this.options.logger.warn(
        { service: runtime.service, stage: runtime.stage, version, inFlight },
        `${inFlight} ${inFlight === 1 ? 'request' : 'requests'} to ${version} still running after the drain timeout (${running.target.drainTimeout.text}); stopping its replicas cuts them`,
      );
    });
    await running.replicas.stop();
  }
}

function inFlightOn(runtime: StageRuntime, version: string): number {
  return (runtime.proxy?.inFlight(version) ?? 0) + (runtime.preview?.inFlight(version) ?? 0);
}

function pidsOf(snapshot: AdoptableReplicaSet): string {
  return snapshot.replicas.map((replica) => `${replica.index}:${replica.pid}`).join(',');
}

function backend(running: RunningVersion, role: Backend['role']): Backend {
  return { version: running.release.version, role, endpoints: running.replicas.endpoints() };
}

function describeSet(replicas: ReplicaSet): string {
  const endpoints = replicas.endpoints();
  return `${endpoints.length} healthy ${endpoints.length === 1 ? 'replica' : 'replicas'} on ${endpoints.map((endpoint: { port: number }) => endpoint.port).join(', ')}`;
}

function stageKey(service: string, stage: string): string {
  return `${service}/${stage}`;
}

/** A path segment from a name: service, stage and version names are already restricted, this keeps it so. */
function safeSegment(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]/g, '_');
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
