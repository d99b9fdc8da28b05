import { OPERATION_ROLES, type OperationId } from '../api/operation-roles.gen';
import type { Role, Session } from '../api/types';

// What the signed-in token may do, so the dashboard offers only those actions.
// The roles come from the API's own OpenAPI document; the server still
// decides, and a refused action shows its refusal.

export const ROLES: readonly Role[] = ['viewer', 'deployer', 'approver', 'admin'];

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

/**
 * True when the session may call the operation: its role reaches the
 * operation's, and its token may act on `stage` when the action is about one.
 */
export function may(session: Session | undefined, operation: OperationId, stage?: string): boolean {
  const required = OPERATION_ROLES[operation];
  if (required === 'public') return true;
  if (!session || !roleAtLeast(session.role, required)) return false;
  return stage === undefined || session.stages === null || session.stages.includes(stage);
}
