import { describe, expect, it } from 'vitest';
import { reportWindow } from '#lib/analytics/billing-report.ts';
import { ValidationError } from '#lib/domain/errors.ts';

describe('reportWindow', () => {
  it('reads end as an inclusive date', () => {
    expect(reportWindow('2026-03-01', '2026-03-31').window).toEqual({
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
    });
  });

  it('refuses an end before the start and more than 92 days', () => {
    expect(() => reportWindow('2026-03-02', '2026-03-01')).toThrow(ValidationError);
    expect(() => reportWindow('2026-01-01', '2026-04-02')).not.toThrow();
    expect(() => reportWindow('2026-01-01', '2026-04-03')).toThrow(/at most 92 days/);
  });
});
