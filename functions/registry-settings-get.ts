import { settingsView } from '#lib/contracts/platform-registry.ts';
import { getSettings } from '#lib/domain/registry/settings.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/settings — the platform profile (defaults at version 0 until first set). */
export const handler = httpRoute(
  'registry-settings-get',
  { response: settingsView },
  async ({ principal, runtime }) => resource(await getSettings(runtime, principal.tenantId)),
);
