import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { EVENT_BACKBONE } from '../../app/tokens.js';
import { READINESS_CHECKS, type ReadinessCheck } from '../health/health.controller.js';
import { OnEventExplorer } from './consumers/on-event.explorer.js';
import { DeadLettersController } from './dead-letters/dead-letters.controller.js';
import type { EventBackbone } from './event-backbone.js';

/** The backbone's HTTP surface (dead letters), its readiness and the @OnEvent wiring. */
@Module({
  imports: [DiscoveryModule],
  controllers: [DeadLettersController],
  providers: [
    OnEventExplorer,
    {
      provide: READINESS_CHECKS,
      inject: [EVENT_BACKBONE],
      useFactory: (backbone: EventBackbone): ReadinessCheck[] => backboneReadinessChecks(backbone),
    },
  ],
})
export class EventsModule {}

export function backboneReadinessChecks(backbone: EventBackbone): ReadinessCheck[] {
  return [
    {
      name: 'broker',
      check: () =>
        Promise.resolve(
          backbone.transport.isConnected()
            ? { ok: true, detail: backbone.transport.description }
            : { ok: false, detail: `not connected to ${backbone.transport.description}; retrying` },
        ),
    },
    {
      name: 'relay',
      check: () =>
        Promise.resolve(
          backbone.currentPhase === 'running' && backbone.relayRunning
            ? { ok: true }
            : { ok: false, detail: `event backbone is ${backbone.currentPhase}` },
        ),
    },
  ];
}
