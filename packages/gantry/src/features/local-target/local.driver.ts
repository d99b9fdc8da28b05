import {
  TargetApplyError,
  type ApplyRequest,
  type ApplyResult,
  type RemoveStageRequest,
  type TargetDriver,
} from '../targets/target-driver.js';
import type { LocalStages } from './local-stage-runtime.js';

/**
 * The `local` target: apply() starts the new version's replicas and waits
 * until they are healthy; the rollout runner then shifts traffic to them step
 * by step (features/rollouts).
 */
export class LocalDriver implements TargetDriver {
  readonly type = 'local';
  readonly verifiesAfterApply = true;

  constructor(private readonly stages: LocalStages) {}

  apply(request: ApplyRequest, signal?: AbortSignal): Promise<ApplyResult> {
    const { target } = request;
    if (target.type !== 'local') {
      return Promise.reject(
        new TargetApplyError(`the local driver cannot apply a ${target.type} target`, false),
      );
    }
    return this.stages.startCandidate(
      {
        promotionId: request.promotionId,
        service: request.service,
        stage: request.stage,
        release: request.release,
        target,
      },
      signal,
    );
  }

  async removeStage(request: RemoveStageRequest): Promise<string> {
    await this.stages.removeStage(request.service, request.stage);
    return `stopped ${request.service} in ${request.stage} and closed its port`;
  }
}
