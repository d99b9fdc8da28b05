import { useLayoutEffect, useRef, useState } from 'react';
import { api, ApiError, unwrap } from '../../api/client';
import { useResource } from '../../data/use-resource';
import { Ago } from '../../components/time';

// The last lines each replica of the promoted version wrote, on a local
// stage: refreshed every few seconds while the promotion runs (unless
// paused), newest at the bottom, following the end unless the reader
// scrolled up.

export const LOG_LINES = 200;
export const LOG_POLL_MS = 3000;

export function ReplicaLogs({
  service,
  stage,
  version,
  active,
}: {
  service: string;
  stage: string;
  version: string;
  /** Replicas are running: keep polling. */
  active: boolean;
}) {
  const [paused, setPaused] = useState(false);
  const logs = useResource(
    (signal) =>
      unwrap(
        api.GET('/api/v1/services/{service}/stages/{stage}/logs', {
          params: { path: { service, stage }, query: { version, lines: LOG_LINES } },
          signal,
        }),
      ),
    [service, stage, version],
    active && !paused ? { pollMs: LOG_POLL_MS } : {},
  );
  // Gantry answers 404 for a stage that is not local (or a version that has not run there).
  const notLocal = logs.data === undefined && logs.error instanceof ApiError && logs.error.status === 404;

  return (
    <section className="replica-logs" aria-labelledby="replica-logs-title">
      <div className="replica-logs-head">
        <h2 id="replica-logs-title">Replica logs</h2>
        {active && !notLocal && (
          <button type="button" className="button plain" onClick={() => setPaused(!paused)}>
            {paused ? 'Resume updates' : 'Pause updates'}
          </button>
        )}
      </div>
      {notLocal ? (
        <p className="muted">
          Replica logs are only available for local targets.{' '}
          <span className="small">(Gantry: {logs.error?.message})</span>
        </p>
      ) : logs.data === undefined ? (
        logs.error ? (
          <div className="notice warn" role="alert">
            Could not load the replica logs: {logs.error.message}{' '}
            <button type="button" className="link-button" onClick={logs.reload}>
              Try again
            </button>
          </div>
        ) : (
          <p className="muted" role="status">
            Loading the replica logs…
          </p>
        )
      ) : (
        <>
          <p className="small muted" role="status">
            {logs.data.version}: the last {LOG_LINES} lines of each replica, read{' '}
            {logs.loadedAt ? <Ago at={logs.loadedAt.toISOString()} /> : null}
            {active ? (paused ? '; updates paused.' : `; updated every ${LOG_POLL_MS / 1000} s.`) : '.'}
          </p>
          {logs.error && (
            <p className="notice warn small" role="alert">
              The last refresh failed ({logs.error.message}); these lines may be out of date.
            </p>
          )}
          {logs.data.replicas.length === 0 ? (
            <p className="muted">No replica has written anything yet.</p>
          ) : (
            logs.data.replicas.map((replica) => (
              <LogTail key={replica.replica} label={`Replica ${replica.replica}`} lines={replica.lines} />
            ))
          )}
        </>
      )}
    </section>
  );
}

/** A scrollable tail that stays at its newest line until the reader scrolls up. */
function LogTail({ label, lines }: { label: string; lines: readonly string[] }) {
  const box = useRef<HTMLPreElement>(null);
  const [following, setFollowing] = useState(true);

  useLayoutEffect(() => {
    const element = box.current;
    if (element && following) element.scrollTop = element.scrollHeight;
  }, [lines, following]);

  const onScroll = () => {
    const element = box.current;
    if (!element) return;
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight < 24);
  };

  return (
    <div className="log-tail">
      <div className="log-tail-head">
        <h3 className="small">{label}</h3>
        {!following && (
          <button type="button" className="link-button small" onClick={() => setFollowing(true)}>
            Follow the newest lines
          </button>
        )}
      </div>
      <pre ref={box} tabIndex={0} aria-label={`${label} log, newest line last`} onScroll={onScroll}>
        {lines.length ? lines.join('\n') : '(empty)'}
      </pre>
    </div>
  );
}
