import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import type { TestServer } from './test-server.js';

// What tests of local stages do with hello-service (hello-service.ts): register
// releases that behave as told, and ask a stage's port which version answers.

/**
 * Registers a release of `service` built from `commit` (random unless given)
 * whose processes behave as `behaviour` says, through the releases API.
 */
export async function registerHelloRelease(
  gantry: TestServer,
  options: { behaviourDir: string; service: string; commit?: string; behaviour?: object },
): Promise<ReleaseDto> {
  const commit = options.commit ?? randomBytes(20).toString('hex');
  writeFileSync(join(options.behaviourDir, `${commit}.json`), JSON.stringify(options.behaviour ?? {}));
  const response = await gantry.api<ReleaseDto>('POST', '/api/v1/releases', {
    body: {
      service: options.service,
      image: `ghcr.io/acme/${options.service}`,
      digest: `sha256:${randomBytes(32).toString('hex')}`,
      commit,
    },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

export interface HelloAnswer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One GET on a fresh connection (no keep-alive, so every request is routed anew by a stage's proxy). */
export function getOnce(url: string, headers: Record<string, string> = {}): Promise<HelloAnswer> {
  return new Promise((done, fail) => {
    const request = httpRequest(url, { headers, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done({ status: response.statusCode ?? 0, body, headers: response.headers }));
      response.on('error', fail);
    });
    request.on('error', fail);
    request.end();
  });
}
