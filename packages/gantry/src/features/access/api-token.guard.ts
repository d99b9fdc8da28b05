import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { routeOf } from '../../platform/http/http-app.js';
import { UnauthorizedError } from '../../shared/errors.js';
import {
  defaultRoleFor,
  PUBLIC_ROUTE,
  REQUIRED_ROLE,
  setRequestActor,
  type RoleRequirement,
} from './access.decorators.js';
import { assertRole, type Actor } from './actor.js';
import { MISSING_TOKEN_MESSAGE, TokensService } from './tokens.service.js';

/** Routes under /api/ that need no token. /healthz, /readyz and /metrics are outside /api/. */
export const OPEN_API_ROUTES: ReadonlySet<string> = new Set(['/api/openapi.json']);

export function routeNeedsToken(route: string): boolean {
  return route.startsWith('/api/') && !OPEN_API_ROUTES.has(route);
}

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export function bearerToken(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string') return undefined;
  return BEARER.exec(header)?.[1];
}

/**
 * The global guard: every route under /api/ (but /api/openapi.json and
 * routes marked @Public()) needs `Authorization: Bearer <token>`, and the
 * token's role must reach the route's @RequireRole (or the default for its
 * method). The Actor is attached to the request for @CurrentActor().
 */
@Injectable()
export class ApiTokenGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokensService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const route = routeOf(request);
    const targets = [context.getHandler(), context.getClass()];
    if (!routeNeedsToken(route) || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }

    const reply = http.getResponse<FastifyReply>();
    const secret = bearerToken(request.headers.authorization);
    if (!secret) {
      void reply.header('www-authenticate', 'Bearer realm="gantry"');
      throw new UnauthorizedError(MISSING_TOKEN_MESSAGE);
    }
    let actor: Actor;
    try {
      actor = await this.tokens.authenticate(secret, request.id);
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        void reply.header('www-authenticate', 'Bearer realm="gantry", error="invalid_token"');
      }
      throw error;
    }
    setRequestActor(request, actor);

    const requirement = this.reflector.getAllAndOverride<RoleRequirement | undefined>(
      REQUIRED_ROLE,
      targets,
    ) ?? {
      role: defaultRoleFor(request.method),
    };
    assertRole(actor, requirement.role, requirement.action ?? `call ${request.method} ${route}`);
    return true;
  }
}
