import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { withBuildsDirectory } from './demo.js';

const PIPELINE = readFileSync(new URL('../../../../examples/demo/gantry.yaml', import.meta.url), 'utf8');

describe('the demo pipeline', () => {
  it("reads each release's behaviour from the builds of the demo's --data-dir", () => {
    const declared = withBuildsDirectory(PIPELINE, '/tmp/elsewhere/builds');
    expect(declared).toContain('BEHAVIOUR_FILE: /tmp/elsewhere/builds/{{release.commit}}.json');
    expect(declared).not.toContain('.gantry/demo/builds/');
  });
});
