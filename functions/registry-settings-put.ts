import { settingsPutBody, settingsView } from '#lib/contracts/platform-registry.ts';
import { putSettings } from '#lib/domain/registry/settings.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PUT /platform-api/settings — replaces the platform profile; fields left out are cleared. */
export const handler = httpRoute(
  'registry-settings-put',
  { body: settingsPutBody, response: settingsView, idempotent: true, ifMatch: true },
  async ({ body, headers, principal, runtime }) =>
    resource(await putSettings(runtime, principal.tenantId, body, ifMatchVersion(headers))),
);
