/** Who may call what. A key carries exactly one role; `account` keys also carry their account id. */
export const ROLES = ['platform', 'ingest', 'account'] as const;
export type Role = (typeof ROLES)[number];

/** The principal a request runs as, once its bearer key has been verified. */
export interface Principal {
  tenantId: string;
  keyId: string;
  role: Role;
  /** Set for `account` keys: the only account whose data the key may read. */
  accountId?: string;
}
