import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageExportJson } from '#lib/contracts/usage-cost.ts';
import type { LocalStack } from '../support/local-stack.ts';
import { parseCsv } from './usage-cost-csv.ts';
import { llm, startUsageStack } from './usage-cost-fixture.ts';

/**
 * The CSV export's formula-injection guard as the README states it: a text cell starting with
 * = + - @ gets a leading apostrophe; numbers and other text do not; JSON and NDJSON
 * print the stored value unchanged.
 */
// (A tab or CR is guarded too, but ingest refuses control characters in a dimension value.)
const MODELS = ['=SUM(A1:A9)', '+cmd', '-2+3', '@SUM(1)', 'gpt-4o', "'quoted", 'a=b'];
const WINDOW = 'start_date=2026-10-05&end_date=2026-10-05&group_by=model&metrics=requests';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startUsageStack(MODELS.map((model, i) => llm(`M${i}`, '2026-10-05T10:00:00Z', { model })));
});
afterAll(() => stack.close());

const exportOf = (format: string) =>
  stack.request(`/v1/analytics/export?${WINDOW}&format=${format}`, { key: stack.tenant.keys.platform });

describe('GET /v1/analytics/export formula guard', () => {
  it('prefixes CSV text cells that start with = + - @, and nothing else', async () => {
    const response = await exportOf('csv');
    expect(response.status).toBe(200);
    const [header, ...rows] = parseCsv(await response.text());
    expect(header).toEqual(['model', 'requests']);
    const cells = new Map(rows.map(([model, requests]) => [model, requests]));
    expect([...cells.keys()].sort()).toEqual(
      ["'=SUM(A1:A9)", "'+cmd", "'-2+3", "'@SUM(1)", 'gpt-4o', "'quoted", 'a=b'].sort(),
    );
    expect([...cells.values()]).toEqual(MODELS.map(() => '1'));
  });

  it('leaves JSON and NDJSON values as stored', async () => {
    const json = usageExportJson.parse(await (await exportOf('json')).json());
    expect(json.data.map((row) => row.model).sort()).toEqual([...MODELS].sort());
    const ndjson = (await (await exportOf('ndjson')).text())
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { model: string }).model);
    expect(ndjson.sort()).toEqual([...MODELS].sort());
  });
});
