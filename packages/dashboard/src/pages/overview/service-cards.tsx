import { memo } from 'react';
import type { ServiceStatus } from '../../api/types';
import { ServiceName } from './status-matrix';
import { StageStatus, stageTone } from './stage-status';

// The overview at phone width: one card per service, its stages stacked in
// pipeline order, instead of a table too wide to read.

export function ServiceCards({ services }: { services: ServiceStatus[] }) {
  return (
    <ul className="service-cards" aria-label="Services">
      {services.map((service) => (
        <ServiceCard key={service.service} service={service} />
      ))}
    </ul>
  );
}

const ServiceCard = memo(function ServiceCard({ service }: { service: ServiceStatus }) {
  return (
    <li className="service-card">
      <h2 className="service-card-name">
        <ServiceName service={service} />
      </h2>
      {service.stages.length === 0 ? (
        <p className="muted small">No stages in its pipeline.</p>
      ) : (
        <dl className="service-card-stages">
          {service.stages.map((cell) => (
            <div key={cell.stage} className={stageTone(cell)}>
              <dt>{cell.stage}</dt>
              <dd>
                <StageStatus cell={cell} />
              </dd>
            </div>
          ))}
        </dl>
      )}
    </li>
  );
});
