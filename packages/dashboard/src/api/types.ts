import type { paths } from './schema.gen';

// Names for the API's answers, as pages use them.

type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Ok<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: { 200: infer R };
}
  ? Json<R>
  : paths[P][M] extends { responses: { 201: infer R } }
    ? Json<R>
    : never;

export type Session = Ok<'/api/v1/session', 'get'>;
export type Role = Session['role'];
export type StatusMatrix = Ok<'/api/v1/status', 'get'>;
export type ServiceStatus = StatusMatrix['items'][number];
export type StageCell = ServiceStatus['stages'][number];
export type Promotion = Ok<'/api/v1/promotions/{id}', 'get'>;
export type PromotionPhase = Promotion['phase'];
export type PromotionPage = Ok<'/api/v1/promotions', 'get'>;
export type Rollout = NonNullable<Promotion['rollout']>;
export type AnalysisRun = Rollout['analysis'][number];
export type Release = Ok<'/api/v1/releases/{service}/{version}', 'get'>;
export type ReleasePage = Ok<'/api/v1/releases', 'get'>;
export type Why = Ok<'/api/v1/releases/{service}/{version}/why', 'get'>;
export type Services = Ok<'/api/v1/services', 'get'>;
export type Dora = Ok<'/api/v1/dora', 'get'>;
export type IncidentPage = Ok<'/api/v1/incidents', 'get'>;
export type Incident = Ok<'/api/v1/incidents/{id}', 'get'>;
export type DeadLetterPage = Ok<'/api/v1/dead-letters', 'get'>;
export type DeadLetter = Ok<'/api/v1/dead-letters/{id}', 'get'>;
export type AuditPage = Ok<'/api/v1/audit', 'get'>;
export type ReplicaLogs = Ok<'/api/v1/services/{service}/stages/{stage}/logs', 'get'>;
