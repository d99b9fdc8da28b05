import type { ServiceStatus, StageCell } from '../../api/types';

// Status matrices for tests: a quiet stage, and a fleet of services with a
// few stages that need attention, as GET /api/v1/status answers.

export const STAGES = ['develop', 'qa', 'staging', 'canary', 'prod', 'dr'];

export function quietCell(stage: string, version = '2026.11.4'): StageCell {
  return {
    stage,
    currentVersion: version,
    since: '2026-11-30T09:00:00Z',
    activePromotion: null,
    autoHold: null,
    freeze: null,
  };
}

export function serviceStatus(service: string, team: string, stages: StageCell[]): ServiceStatus {
  return { service, team, stages };
}

/**
 * `count` services (svc-000, svc-001, …) over six stages, owned by four teams
 * (team-a … team-d). Exactly four cells need attention:
 * svc-007 prod is verifying, svc-013 prod waits for approval, svc-042 staging
 * is frozen and svc-077 develop holds its auto-promotion.
 */
export function fleet(count = 100): ServiceStatus[] {
  const teams = ['team-a', 'team-b', 'team-c', 'team-d'];
  return Array.from({ length: count }, (_, index) => {
    const name = `svc-${String(index).padStart(3, '0')}`;
    const stages = STAGES.map((stage) => quietCell(stage));
    const cell = (stage: string) => stages.find((item) => item.stage === stage)!;
    if (index === 7) {
      cell('prod').activePromotion = {
        id: 'p-verifying',
        version: '2026.11.5',
        phase: 'Verifying',
        message: 'step 2 of 6: set weight 20% done',
      };
    }
    if (index === 13) {
      cell('prod').activePromotion = {
        id: 'p-approval',
        version: '2026.11.5',
        phase: 'WaitingForApproval',
        message: '0 of 1 approval',
      };
    }
    if (index === 42) {
      cell('staging').freeze = {
        reason: 'quarter-end close',
        since: '2026-11-30T00:00:00Z',
        until: '2099-12-01T00:00:00Z',
      };
    }
    if (index === 77) {
      cell('develop').autoHold = { version: '2026.11.3', actor: 'bob', at: '2026-11-30T08:00:00Z' };
    }
    return serviceStatus(name, teams[index % teams.length]!, stages);
  });
}
