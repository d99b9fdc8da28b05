import { Ago, exact } from '../../components/time';

/** A moment in full: the exact UTC time, and how long ago. */
export function Moment({ at }: { at: string }) {
  return (
    <>
      <time dateTime={at}>{exact(at)}</time> <span className="muted">(</span>
      <Ago at={at} />
      <span className="muted">)</span>
    </>
  );
}
