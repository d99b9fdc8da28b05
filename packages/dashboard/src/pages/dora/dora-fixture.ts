import type { Dora } from '../../api/types';

// A DORA report as Gantry answers it, for the page's tests.

export function doraReport(overrides: Partial<Dora> = {}): Dora {
  return {
    scope: { service: null, team: null },
    window: { start: '2026-11-01T00:00:00.000Z', end: '2026-12-01T00:00:00.000Z', days: 30, weeks: 5 },
    bandsSource: 'DORA 2023 Accelerate State of DevOps report',
    deploymentFrequency: {
      deployments: 12,
      perDay: 0.4,
      daysWithDeployment: 9,
      daysShare: 0.3,
      weeksWithDeployment: 4,
      weeksShare: 0.8,
      band: 'high',
    },
    leadTime: { commits: 42, medianSeconds: 12_600, p90Seconds: 172_800, band: 'elite' },
    changeFailureRate: { deployments: 14, failed: 2, rate: 2 / 14, band: 'medium' },
    recoveryTime: { failed: 2, recovered: 1, unrecovered: 1, medianSeconds: null, band: null },
    weekly: [
      {
        week: '2026-10-26',
        deployments: 1,
        leadTimeCommits: 3,
        leadTimeMedianSeconds: 7200,
        finishedDeployments: 1,
        failedDeployments: 0,
        changeFailureRate: 0,
        recoveryMedianSeconds: null,
      },
      {
        week: '2026-11-02',
        deployments: 4,
        leadTimeCommits: 20,
        leadTimeMedianSeconds: 14_400,
        finishedDeployments: 5,
        failedDeployments: 1,
        changeFailureRate: 0.2,
        recoveryMedianSeconds: 1800,
      },
      {
        week: '2026-11-09',
        deployments: 0,
        leadTimeCommits: 0,
        leadTimeMedianSeconds: null,
        finishedDeployments: 0,
        failedDeployments: 0,
        changeFailureRate: null,
        recoveryMedianSeconds: null,
      },
    ],
    ...overrides,
  };
}
