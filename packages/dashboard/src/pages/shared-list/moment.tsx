import { Ago, exact } from '../../components/time';

/** A moment in full: the exact UTC time, and how long ago (beside it, or under it in a table). */
export function Moment({ at, stacked = false }: { at: string; stacked?: boolean }) {
  if (stacked) {
    return (
      <>
        <time dateTime={at}>{exact(at)}</time>
        <span className="small muted moment-ago">
          <Ago at={at} />
        </span>
      </>
    );
  }
  return (
    <>
      <time dateTime={at}>{exact(at)}</time> <span className="muted">(</span>
      <Ago at={at} />
      <span className="muted">)</span>
    </>
  );
}
