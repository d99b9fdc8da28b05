import type { ReleaseToApply } from '../targets/target-driver.js';

// A local target's args, env values and cwd may name the release being run:
// {{release.version}}, {{release.commit}}, {{release.digest}}, {{release.image}},
// plus {{service}} and {{stage}}. Plain text substitution into argument-array
// items: nothing is ever interpreted by a shell.

const PLACEHOLDER = /\{\{\s*([a-zA-Z.]+)\s*\}\}/g;
export const RELEASE_PLACEHOLDERS = [
  'release.version',
  'release.commit',
  'release.digest',
  'release.image',
  'service',
  'stage',
] as const;

export interface PlaceholderValues {
  release: ReleaseToApply;
  service: string;
  stage: string;
}

/** The names in `text` that are not placeholders Gantry knows (for validation). */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)]
    .map((match) => match[1]!)
    .filter((name) => !(RELEASE_PLACEHOLDERS as readonly string[]).includes(name));
}

export function expandPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(PLACEHOLDER, (whole, name: string) => {
    switch (name) {
      case 'release.version':
        return values.release.version;
      case 'release.commit':
        return values.release.commit;
      case 'release.digest':
        return values.release.digest;
      case 'release.image':
        return values.release.image;
      case 'service':
        return values.service;
      case 'stage':
        return values.stage;
      default:
        return whole;
    }
  });
}
