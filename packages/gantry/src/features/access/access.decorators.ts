import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';
import { UnauthorizedError } from '../../shared/errors.js';
import type { Actor, Role } from './actor.js';

// Route decorators of the access feature:
//   @Public()                         no token needed (webhooks authenticate themselves)
//   @RequireRole('deployer', 'create releases')
//                                     the least role that may call the route; without it,
//                                     GET needs viewer and POST/PUT/PATCH/DELETE need admin
//   @CurrentActor() actor: Actor      the authenticated caller, for the service and the audit log
//   @WithoutIdempotencyKey()          the route ignores Idempotency-Key (its answer must not be stored)

export const PUBLIC_ROUTE = 'gantry:public-route';
export const REQUIRED_ROLE = 'gantry:required-role';
export const WITHOUT_IDEMPOTENCY_KEY = 'gantry:without-idempotency-key';

export interface RoleRequirement {
  role: Role;
  /** Completes "may not …" in the refusal; default `call <METHOD> <route>`. */
  action?: string;
}

export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

export const RequireRole = (role: Role, action?: string): MethodDecorator & ClassDecorator =>
  SetMetadata(REQUIRED_ROLE, { role, ...(action ? { action } : {}) } satisfies RoleRequirement);

export const WithoutIdempotencyKey = (): MethodDecorator & ClassDecorator =>
  SetMetadata(WITHOUT_IDEMPOTENCY_KEY, true);

/** The role a route needs when it has no @RequireRole: reading is for viewers, anything else for admins. */
export function defaultRoleFor(method: string): Role {
  return ['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) ? 'viewer' : 'admin';
}

const actors = new WeakMap<object, Actor>();

/** Called by the guard once the request's token is known. */
export function setRequestActor(request: object, actor: Actor): void {
  actors.set(request, actor);
}

/** The authenticated caller of a request, if the guard has seen a token. */
export function requestActor(request: object): Actor | undefined {
  return actors.get(request);
}

/** The authenticated caller: `@CurrentActor() actor: Actor`. */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = requestActor(context.switchToHttp().getRequest<object>());
  // A route marked @Public() that asks for the actor has no one to give it.
  if (!actor) throw new UnauthorizedError('this route needs an API token: pass GANTRY_TOKEN or --token');
  return actor;
});
