import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'wouter';
import './shared-list.css';

/**
 * The item selected in a list (`/incidents/<id>`), shown above the list. It
 * takes the focus when the selection changes, so keyboard and screen reader
 * users land on what they opened.
 */
export function ListDetail({
  selected,
  label,
  closeHref,
  closeLabel,
  children,
}: {
  selected: string;
  /** "Incident": names the region. */
  label: string;
  closeHref: string;
  closeLabel: string;
  children: ReactNode;
}) {
  const region = useRef<HTMLElement>(null);
  useEffect(() => region.current?.focus(), [selected]);
  return (
    <section ref={region} tabIndex={-1} className="list-detail" aria-label={label}>
      <p className="small">
        <Link href={closeHref}>{closeLabel}</Link>
      </p>
      {children}
    </section>
  );
}
