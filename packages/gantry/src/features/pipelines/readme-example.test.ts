import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from './pipeline-document.js';

// The README's gantry.yaml is what newcomers copy: it must stay valid as the schema evolves.

const README = readFileSync(new URL('../../../../../README.md', import.meta.url), 'utf8');

describe('the README gantry.yaml example', () => {
  it('parses with the current schema', () => {
    const section = /^## Pipelines, releases and promotions\s*$([\s\S]*?)(?=^## )/m.exec(README)?.[1];
    const yaml = section && /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml, 'README.md has a yaml block under "## Pipelines, releases and promotions"').toBeTruthy();
    const [service] = parsePipelineFile(yaml!, 'README.md');
    expect(service?.name).toBe('checkout');
    expect(service?.stages.map((stage) => `${stage.name}:${stage.promotion}`)).toEqual([
      'develop:auto',
      'staging:auto',
      'prod:manual',
    ]);
  });

  it('parses the progressive-delivery example, template and all', () => {
    const section = /^## Progressive delivery on this machine\s*$([\s\S]*?)(?=^## )/m.exec(README)?.[1];
    const yaml = section && /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(yaml, 'README.md has a yaml block under "## Progressive delivery on this machine"').toBeTruthy();
    const [service] = parsePipelineFile(yaml!, 'README.md');
    expect(service?.stages[0]?.strategy.type).toBe('canary');
    expect(Object.keys(service?.analysisTemplates ?? {})).toEqual(['error-rate']);
  });
});
