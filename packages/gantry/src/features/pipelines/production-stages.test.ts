import { describe, expect, it } from 'vitest';
import { parseServiceSpec } from './pipeline-spec.js';
import { isProductionStage, productionStagesOf } from './production-stages.js';

const names = (stages: readonly { name: string }[]) => stages.map((stage) => stage.name);

describe('productionStagesOf', () => {
  it('is the last stage of a straight pipeline when no stage says production', () => {
    const stages = [
      { name: 'develop', requires: [] },
      { name: 'staging', requires: ['develop'] },
      { name: 'prod', requires: ['staging'] },
    ];
    expect(names(productionStagesOf(stages))).toEqual(['prod']);
  });

  it('is every stage no other stage requires when the pipeline forks', () => {
    const stages = [
      { name: 'develop', requires: [] },
      { name: 'prod-eu', requires: ['develop'] },
      { name: 'prod-us', requires: ['develop'] },
      { name: 'pr-preview', requires: [] },
    ];
    // pr-preview is required by nobody either: without a declaration it counts.
    expect(names(productionStagesOf(stages))).toEqual(['prod-eu', 'prod-us', 'pr-preview']);
  });

  it('is exactly the stages that say production: true when any does', () => {
    const stages = [
      { name: 'develop', requires: [] },
      { name: 'prod', requires: ['develop'], production: true },
      { name: 'dr-drill', requires: ['prod'] },
      { name: 'pr-preview', requires: [], production: false },
    ];
    expect(names(productionStagesOf(stages))).toEqual(['prod']);
  });

  it('ignores production: false when deciding whether any stage declared it', () => {
    const stages = [
      { name: 'develop', requires: [], production: false },
      { name: 'prod', requires: ['develop'], production: false },
    ];
    expect(names(productionStagesOf(stages))).toEqual(['prod']);
  });

  it('treats a single stage as production', () => {
    expect(names(productionStagesOf([{ name: 'only', requires: [] }]))).toEqual(['only']);
  });

  it('answers for one stage', () => {
    const stages = [
      { name: 'develop', requires: [] },
      { name: 'prod', requires: ['develop'] },
    ];
    expect(isProductionStage(stages, 'prod')).toBe(true);
    expect(isProductionStage(stages, 'develop')).toBe(false);
    expect(isProductionStage(stages, 'nowhere')).toBe(false);
  });

  it('reads production from a parsed gantry.yaml document', () => {
    const spec = parseServiceSpec({
      apiVersion: 'gantry.dev/v1alpha1',
      kind: 'Service',
      metadata: { name: 'checkout' },
      spec: {
        team: 'payments',
        image: 'ghcr.io/acme/checkout',
        source: { repo: 'https://github.com/acme/checkout' },
        stages: [
          { name: 'develop', target: { type: 'local', command: 'node', args: ['server.js'] } },
          { name: 'prod', production: true, target: { type: 'local', command: 'node', args: ['server.js'] } },
          { name: 'soak', target: { type: 'local', command: 'node', args: ['server.js'] } },
        ],
      },
    });
    expect(spec.stages[1]!.production).toBe(true);
    expect(spec.stages[0]).not.toHaveProperty('production');
    expect(names(productionStagesOf(spec.stages))).toEqual(['prod']);
  });
});
