import { Controller, Get, Header, Inject, Module, type DynamicModule } from '@nestjs/common';
import { GANTRY_VERSION } from '../../shared/gantry-version.js';
import { buildOpenApiDocument, type ApiOperation, type OpenApiDocument } from './openapi-registry.js';

/** The token of the operations OpenApiModule.register() was given. */
export const API_OPERATIONS = Symbol('API_OPERATIONS');

export const API_DESCRIPTION = [
  'Gantry, a self-hosted continuous-delivery control plane.',
  'Every route under /api/ needs `Authorization: Bearer <token>` except this document.',
  'Errors are RFC 9457 problem details (application/problem+json).',
].join(' ');

/** GET /api/openapi.json: open to everyone, like /healthz. */
@Controller('api')
export class OpenApiController {
  private document: OpenApiDocument | undefined;

  constructor(@Inject(API_OPERATIONS) private readonly operations: readonly ApiOperation[]) {}

  @Get('openapi.json')
  @Header('cache-control', 'no-cache')
  openapi(): OpenApiDocument {
    this.document ??= buildOpenApiDocument(this.operations, {
      version: GANTRY_VERSION,
      description: API_DESCRIPTION,
    });
    return this.document;
  }
}

@Module({})
export class OpenApiModule {
  /** Serves the document of these operations (every feature's, gathered by the application module). */
  static register(operations: readonly ApiOperation[]): DynamicModule {
    return {
      module: OpenApiModule,
      controllers: [OpenApiController],
      providers: [{ provide: API_OPERATIONS, useValue: operations }],
    };
  }
}
