/** What the deployments audit trail records (server store and API filters, and the web's filter list). */
export const AUDIT_ACTIONS = [
  "save",
  "tag",
  "untag",
  "promote",
  "restore",
  "rollback",
  "approval-requested",
  "approve",
  "reject",
  "policy-change",
  "gate-change",
  "suggest",
  "start",
  "stop",
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];
