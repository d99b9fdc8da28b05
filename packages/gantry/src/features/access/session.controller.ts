import { Controller, Get } from '@nestjs/common';
import { CurrentActor } from './access.decorators.js';
import type { Actor } from './actor.js';
import type { SessionDto } from './tokens.dto.js';

/** Who the caller's token is: the dashboard signs in with it and offers only what the role may do. */
@Controller('api/v1/session')
export class SessionController {
  @Get()
  session(@CurrentActor() actor: Actor): SessionDto {
    return { name: actor.name, role: actor.role, stages: actor.stages };
  }
}
