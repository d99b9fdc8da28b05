// What the relay and the consumer runtime report, for metrics. The HTTP
// server wires this to Prometheus; tests and tools can leave it out.

export type HandlerOutcome = 'success' | 'duplicate' | 'retry' | 'dead_letter' | 'requeued';

export interface BackboneInstrumentation {
  relayed(transport: string, count: number): void;
  publishFailed(transport: string): void;
  handled(group: string, type: string, outcome: HandlerOutcome, seconds: number): void;
}

export const noInstrumentation: BackboneInstrumentation = {
  relayed: () => undefined,
  publishFailed: () => undefined,
  handled: () => undefined,
};
