import { settingsView } from '#lib/contracts/platform-registry.ts';
import { getSettings } from '#lib/domain/registry/settings.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/settings — the platform profile (defaults at version 0 until first set). */
export const handler = httpRoute(
  'registry-settings-get',
  // 404 only for a key whose tenant is gone (getSettings reads the tenant's name).
  { response: settingsView, answers: [404] },
  async ({ principal, runtime }) => resource(await getSettings(runtime, principal.tenantId)),
);
