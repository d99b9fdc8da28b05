import { memo } from 'react';
import { Link } from 'wouter';
import type { ServiceStatus } from '../../api/types';
import { StageStatus, stageTone } from './stage-status';

// The service × stage table for wide screens. Its header row and service
// column stay in view while it scrolls; a row renders again only when its
// service changed (the list keeps unchanged services' objects).

export function StatusMatrix({ services, columns }: { services: ServiceStatus[]; columns: string[] }) {
  return (
    <div className="matrix-wrap" role="region" aria-label="Services by stage" tabIndex={0}>
      <table className="matrix">
        <caption className="visually-hidden">Which release runs in each stage of each service</caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            {columns.map((stage) => (
              <th scope="col" key={stage}>
                {stage}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {services.map((service) => (
            <ServiceRow key={service.service} service={service} columns={columns} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

const ServiceRow = memo(function ServiceRow({
  service,
  columns,
}: {
  service: ServiceStatus;
  columns: string[];
}) {
  return (
    <tr>
      <th scope="row">
        <ServiceName service={service} />
      </th>
      {columns.map((stage) => {
        const cell = service.stages.find((item) => item.stage === stage);
        if (!cell) {
          return (
            <td key={stage} className="no-stage">
              <span aria-hidden="true">—</span>
              <span className="visually-hidden">
                {service.service} has no {stage} stage
              </span>
            </td>
          );
        }
        return (
          <td key={stage} className={stageTone(cell)}>
            <StageStatus cell={cell} />
          </td>
        );
      })}
    </tr>
  );
});

export function ServiceName({ service }: { service: ServiceStatus }) {
  return (
    <>
      <Link href={`/services/${encodeURIComponent(service.service)}`}>{service.service}</Link>
      <span className="service-team muted small">{service.team}</span>
    </>
  );
}
