export interface TenantRecord {
  tenantId: string;
  name: string;
  createdAt: string;
}

/** Port: tenants (one per platform that uses Meterhouse). */
export interface TenantRepository {
  create(tenant: TenantRecord): Promise<void>;
  get(tenantId: string): Promise<TenantRecord | undefined>;
}
