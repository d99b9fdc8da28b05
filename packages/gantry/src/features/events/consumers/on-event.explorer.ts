import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { EVENT_BACKBONE } from '../../../app/tokens.js';
import type { EventBackbone } from '../event-backbone.js';
import type { EventHandler } from './consumer-registry.js';
import { ON_EVENT_METADATA, type OnEventMetadata } from './on-event.decorator.js';

/** Registers every @OnEvent method of every provider with the backbone at start-up. */
@Injectable()
export class OnEventExplorer implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(EVENT_BACKBONE) private readonly backbone: EventBackbone,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method = (instance as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const metadata = this.reflector.get<OnEventMetadata | undefined>(ON_EVENT_METADATA, method);
        if (!metadata) continue;
        this.backbone.consumers.register({
          group: metadata.group,
          eventType: metadata.eventType,
          handle: (method as EventHandler).bind(instance),
        });
      }
    }
  }
}
