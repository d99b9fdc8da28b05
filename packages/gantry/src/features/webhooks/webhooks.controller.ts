import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseWith } from '../../platform/http/validation.js';
import { Public, WithoutIdempotencyKey } from '../access/access.decorators.js';
import { createReleaseSchema, toReleaseWithEvidenceDto, type ReleaseDto } from '../releases/releases.dto.js';
import { translateAlertmanager } from './alertmanager.webhook.js';
import { githubPayload, translateGithub } from './github.webhook.js';
import { translateGitlab } from './gitlab.webhook.js';
import type { Translation } from './translation.js';
import type { WebhookProvider } from './webhook-auth.js';
import { WebhookIntake, webhookRoute } from './webhook-intake.js';
import type { WebhookReceiptDto } from './webhooks.dto.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Inbound webhooks. They take no Gantry API token (@Public): each proves its
 * origin with its own secret, checked by WebhookIntake before the body is
 * parsed, which is why every route names its provider in its route config.
 * Idempotency-Key does not apply; deliveries carry their own ids.
 */
@Controller('api/v1/webhooks')
@Public()
@WithoutIdempotencyKey()
export class WebhooksController {
  constructor(
    private readonly intake: WebhookIntake,
    private readonly webhooks: WebhooksService,
  ) {}

  @Post('github')
  @HttpCode(200)
  @RouteConfig(webhookRoute('github'))
  github(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookReceiptDto> {
    this.intake.verified(request, 'github');
    const body = githubPayload(request.headers['content-type'], request.body);
    return this.receive(request, reply, 'github', translateGithub(request.headers, body));
  }

  @Post('gitlab')
  @HttpCode(200)
  @RouteConfig(webhookRoute('gitlab'))
  gitlab(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookReceiptDto> {
    const { rawBody } = this.intake.verified(request, 'gitlab');
    return this.receive(request, reply, 'gitlab', translateGitlab(request.headers, request.body, rawBody));
  }

  @Post('alertmanager')
  @HttpCode(200)
  @RouteConfig(webhookRoute('alertmanager'))
  alertmanager(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<WebhookReceiptDto> {
    this.intake.verified(request, 'alertmanager');
    return this.receive(request, reply, 'alertmanager', translateAlertmanager(request.body));
  }

  @Post('ci')
  @RouteConfig(webhookRoute('ci'))
  async ci(
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReleaseDto> {
    this.intake.verified(request, 'ci');
    const body = parseWith(createReleaseSchema, request.body, 'request body');
    const { release, created } = await this.webhooks.registerRelease(body, request.id);
    // 201 for a new release; 200 when this service and digest were registered before.
    this.intake.setOutcome(request, created ? 'accepted' : 'duplicate');
    void reply.status(created ? 201 : 200);
    return toReleaseWithEvidenceDto(release);
  }

  private async receive(
    request: FastifyRequest,
    reply: FastifyReply,
    provider: WebhookProvider,
    translation: Translation,
  ): Promise<WebhookReceiptDto> {
    const receipt = await this.webhooks.receive(provider, translation);
    this.intake.setOutcome(request, receipt.outcome);
    // 202: the events are stored and their work happens after this answer.
    if (receipt.outcome === 'accepted') void reply.status(202);
    return receipt;
  }
}
