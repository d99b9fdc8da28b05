import { api, unwrap } from '../../api/client';
import type { Release } from '../../api/types';
import { glyphOf } from '../../components/phase';
import { useResource } from '../../data/use-resource';
import type { StreamEvent } from '../../live/event-stream';
import { evidenceFacts, missingEvidence, type EvidenceItem } from './evidence';

// A release's evidence as badges (tone, glyph and words). In the releases
// list it is compact; in the selected release it also names what is missing
// and where each fact came from.

export function EvidenceSummary({ evidence, full = false }: { evidence: EvidenceItem[]; full?: boolean }) {
  const facts = evidenceFacts(evidence);
  const missing = full ? missingEvidence(evidence) : [];
  if (facts.length === 0 && !full) return <span className="muted small">no evidence attached</span>;
  return (
    <ul className={`evidence-facts${full ? ' full' : ''}`}>
      {facts.map((fact) => (
        <li key={fact.kind}>
          <span className={`badge tone-${fact.tone}`} title={fact.detail}>
            <span aria-hidden="true">{glyphOf(fact.tone)}</span> {fact.text}
          </span>
          {full && fact.detail && <span className="muted small"> {fact.detail}</span>}
        </li>
      ))}
      {missing.map((words) => (
        <li key={words} className="muted small">
          {words}
        </li>
      ))}
    </ul>
  );
}

/** The evidence of a release in the list (the list carries it; the list reloads when evidence is attached). */
export function ReleaseEvidence({ release }: { release: Release }) {
  return <EvidenceSummary evidence={release.evidence ?? []} />;
}

/** One release with its evidence, reloaded when evidence is attached to it. */
export function useRelease(service: string, version: string) {
  return useResource(
    (signal) =>
      unwrap(
        api.GET('/api/v1/releases/{service}/{version}', {
          params: { path: { service, version } },
          signal,
        }),
      ),
    [service, version],
    {
      refreshOn: (event: StreamEvent) =>
        event.type === 'release.evidence-attached' &&
        event.payload.service === service &&
        event.payload.version === version,
    },
  );
}
