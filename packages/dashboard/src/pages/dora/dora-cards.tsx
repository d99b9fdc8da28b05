import { useId, type ReactNode } from 'react';
import { Link } from 'wouter';
import type { Dora } from '../../api/types';
import { duration } from '../../components/time';
import { bandLook, frequencyWords, percent, plural, recordLinks, type Band } from './dora-figures';

// The four DORA figures, each with its band, what it is based on, and a link
// to the records behind it (definitions: docs/dora.md).

export function DoraCards({ report }: { report: Dora }) {
  const links = recordLinks(report);
  const succeeded = `${links.deployments}&phase=Succeeded`;
  const { deploymentFrequency: frequency, leadTime, changeFailureRate: failures, recoveryTime } = report;
  const { window } = report;
  return (
    <div className="cards dora-cards">
      <MetricCard
        title="Deployment frequency"
        band={frequency.band}
        figure={
          <>
            {frequencyWords(frequency.perDay)}{' '}
            <span className="dora-figure-detail">({Number(frequency.perDay.toFixed(2))} per day)</span>
          </>
        }
        basis={`${plural(frequency.deployments, 'successful deployment')} on ${frequency.daysWithDeployment} of ${plural(window.days, 'day')} (${frequency.weeksWithDeployment} of ${plural(window.weeks, 'week')})`}
        links={[{ href: succeeded, text: 'The successful deployments' }]}
      />
      <MetricCard
        title="Lead time for changes"
        band={leadTime.band}
        figure={
          leadTime.medianSeconds === null ? (
            'No change reached production'
          ) : (
            <>
              {duration(leadTime.medianSeconds)} <span className="dora-figure-detail">median</span>
            </>
          )
        }
        basis={
          leadTime.medianSeconds === null
            ? 'No commit was deployed to production in this window.'
            : `From commit to production, over ${plural(leadTime.commits, 'commit')}${
                leadTime.p90Seconds === null ? '' : `; 90 % within ${duration(leadTime.p90Seconds)}`
              }.`
        }
        links={[{ href: succeeded, text: 'The deployments that carried them' }]}
      />
      <MetricCard
        title="Change failure rate"
        band={failures.band}
        figure={failures.rate === null ? 'No deployment' : percent(failures.rate)}
        basis={`${failures.failed} of ${plural(failures.deployments, 'deployment')} failed. A deployment fails when it ended failed, rolled back or aborted while going out, or succeeded and was rolled back later or linked to an incident: the list of failed deployments shows the first kind only.`}
        links={[
          { href: links.failedDeployments, text: 'Failed, rolled-back and aborted deployments' },
          { href: links.deployments, text: 'Every deployment' },
        ]}
      />
      <MetricCard
        title="Failed-deployment recovery time"
        band={recoveryTime.band}
        figure={
          recoveryTime.medianSeconds === null ? (
            recoveryTime.failed === 0 ? (
              'Nothing failed'
            ) : (
              'Not recovered yet'
            )
          ) : (
            <>
              {duration(recoveryTime.medianSeconds)} <span className="dora-figure-detail">median</span>
            </>
          )
        }
        basis={`${plural(recoveryTime.failed, 'failed deployment')}: ${recoveryTime.recovered} recovered, ${recoveryTime.unrecovered} not yet.`}
        links={[
          {
            href: links.incidents,
            text:
              report.scope.team && !report.scope.service
                ? 'Incidents opened in this window (of every team: incidents are not listed by team)'
                : 'Incidents opened in this window',
          },
          { href: links.failedDeployments, text: 'The failed deployments' },
        ]}
      />
    </div>
  );
}

function MetricCard({
  title,
  band,
  figure,
  basis,
  links,
}: {
  title: string;
  band: Band;
  figure: ReactNode;
  basis: string;
  links: { href: string; text: string }[];
}) {
  const titleId = useId();
  return (
    <section className="card dora-card" aria-labelledby={titleId}>
      <h2 id={titleId}>{title}</h2>
      <p className="dora-figure">{figure}</p>
      <BandBadge band={band} />
      <p className="small">{basis}</p>
      <ul className="dora-links small">
        {links.map((link) => (
          <li key={link.href + link.text}>
            <Link href={link.href}>{link.text}</Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function BandBadge({ band }: { band: Band }) {
  const look = bandLook(band);
  return (
    <p className="dora-band">
      <span className="visually-hidden">Band: </span>
      <span className={`badge tone-${look.tone}`}>
        <span aria-hidden="true">{look.glyph}</span> {look.words}
      </span>
    </p>
  );
}
