import type { MessageKey } from '../../../../shared/i18n';
import type { TeamRole } from '../../../../shared/team';

// A role's name and what it allows, in the user's language.

export const roleName: Readonly<Record<TeamRole, MessageKey>> = {
  viewer: 'ui.team.role.viewer',
  operator: 'ui.team.role.operator',
  admin: 'ui.team.role.admin',
};

export const roleHint: Readonly<Record<TeamRole, MessageKey>> = {
  viewer: 'ui.team.role.viewer.hint',
  operator: 'ui.team.role.operator.hint',
  admin: 'ui.team.role.admin.hint',
};

/** The codes after which the screen asks for the database password rather than showing a dead end. */
export const passwordErrors: readonly string[] = ['team.password_missing', 'team.auth_failed'];
