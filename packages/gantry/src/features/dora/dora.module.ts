import { Module } from '@nestjs/common';
import { ReleaseChangesController } from '../commits/release-changes.controller.js';
import { DoraController } from './dora.controller.js';

/** The HTTP face of commits (a release's changes) and the DORA metrics. */
@Module({ controllers: [DoraController, ReleaseChangesController] })
export class DoraModule {}
