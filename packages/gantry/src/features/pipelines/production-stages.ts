// Which stages of a pipeline are production, for the DORA metrics: the
// stages that say `production: true`, or, when none says so, the stages no
// other stage requires (where the pipeline ends). Pure: it serves the parsed
// ServiceSpec and stored revisions alike, including revisions written before
// `production` existed.

import type { StageNode } from './stage-graph.js';

export interface ProductionStageNode extends StageNode {
  readonly production?: boolean | undefined;
}

/** The production stages, in the order written. */
export function productionStagesOf<T extends ProductionStageNode>(stages: readonly T[]): T[] {
  const declared = stages.filter((stage) => stage.production === true);
  if (declared.length > 0) return declared;
  const required = new Set(stages.flatMap((stage) => stage.requires));
  return stages.filter((stage) => !required.has(stage.name));
}

/** Whether `stage` is a production stage of these stages (false for a stage not among them). */
export function isProductionStage(stages: readonly ProductionStageNode[], stage: string): boolean {
  return productionStagesOf(stages).some((candidate) => candidate.name === stage);
}
