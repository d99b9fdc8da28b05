import { ForbiddenError } from '../../shared/errors.js';
import type { Role } from './access.tables.js';

// Who is acting, and what they may do. Roles are ordered
//   viewer < deployer < approver < admin
// and a token may also be limited to some stages. Services receive an Actor
// and call assertRole / assertStageAllowed before they change anything; the
// refusal says what the caller would need instead.

export type { Role } from './access.tables.js';

/** Every role, weakest first. */
export const ROLES = ['viewer', 'deployer', 'approver', 'admin'] as const satisfies readonly Role[];

export interface Actor {
  /** The API token's name, `system:…` for work Gantry does by itself, or `webhook:…` for a signed webhook. */
  name: string;
  role: Role;
  /** The stages this actor may act on; null means every stage. */
  stages: string[] | null;
  tokenId?: string;
  /** The HTTP request the action came from, for the audit log. */
  requestId?: string;
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** True when `role` is `min` or a stronger role. */
export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/** Gantry's own work (bootstrap, schedulers, automatic promotions): every role, every stage. */
export function systemActor(what: string, requestId?: string): Actor {
  return {
    name: what.startsWith('system:') ? what : `system:${what}`,
    role: 'admin',
    stages: null,
    ...(requestId ? { requestId } : {}),
  };
}

/**
 * A signed webhook acting for the system that signed it (`webhook:ci`): it
 * holds no API token, and may do what a deployer may (register releases).
 */
export function webhookActor(source: string, requestId?: string): Actor {
  return {
    name: `webhook:${source}`,
    role: 'deployer',
    stages: null,
    ...(requestId ? { requestId } : {}),
  };
}

/** `token "ci" (deployer, stages develop,staging)`, or `system:scheduler (admin)`, or `webhook:ci (deployer)`. */
export function describeActor(actor: Actor): string {
  const who = /^(system|webhook):/.test(actor.name) ? actor.name : `token "${actor.name}"`;
  const stages = actor.stages ? `, stages ${actor.stages.join(',') || '(none)'}` : '';
  return `${who} (${actor.role}${stages})`;
}

/** `admin`, `approver or admin`, `deployer, approver or admin`. */
function rolesFrom(min: Role): string {
  const enough: string[] = ROLES.slice(ROLES.indexOf(min));
  if (enough.length === 1) return enough[0]!;
  return `${enough.slice(0, -1).join(', ')} or ${enough.at(-1)!}`;
}

/**
 * Refuses unless the actor has at least role `min`. `action` completes
 * "may not …", e.g. `approve promotions`:
 *   token "ci" (deployer) may not approve promotions; it needs a token with role approver or admin
 */
export function assertRole(actor: Actor, min: Role, action: string): void {
  if (roleAtLeast(actor.role, min)) return;
  throw new ForbiddenError(
    `${describeActor(actor)} may not ${action}; it needs a token with role ${rolesFrom(min)}`,
    { role: actor.role, requiredRole: min },
  );
}

/** True when the actor may act on `stage`. */
export function stageAllowed(actor: Pick<Actor, 'stages'>, stage: string): boolean {
  return actor.stages === null || actor.stages.includes(stage);
}

/**
 * Refuses unless the actor may act on `stage`. `action` completes "may not … into <stage>":
 *   token "ci" (deployer, stages develop,staging) may not promote into prod; it needs a token allowed on stage prod
 */
export function assertStageAllowed(actor: Actor, stage: string, action: string): void {
  if (stageAllowed(actor, stage)) return;
  throw new ForbiddenError(
    `${describeActor(actor)} may not ${action} into ${stage}; it needs a token allowed on stage ${stage}`,
    { stage, allowedStages: actor.stages },
  );
}
