import { describe, expect, it } from 'vitest';
import { ValidationError } from '#lib/domain/errors.ts';
import { numberLiteral, quoteIdentifier, stringLiteral, timestampLiteral } from '#lib/query/sql.ts';

describe('the SQL escaping helper', () => {
  it('doubles single quotes in string literals and keeps everything else verbatim', () => {
    expect(stringLiteral('plain')).toBe("'plain'");
    expect(stringLiteral("O'Reilly")).toBe("'O''Reilly'");
    expect(stringLiteral("x'; DROP TABLE events; --")).toBe("'x''; DROP TABLE events; --'");
    expect(stringLiteral("''")).toBe("''''''");
    expect(stringLiteral('back\\slash')).toBe("'back\\slash'");
    expect(stringLiteral('tab\tand\nnewline')).toBe("'tab\tand\nnewline'");
    expect(stringLiteral('')).toBe("''");
  });

  it('refuses control characters and malformed Unicode in literals', () => {
    expect(() => stringLiteral('nul\u0000byte')).toThrow(ValidationError);
    expect(() => stringLiteral('bell\u0007')).toThrow(ValidationError);
    expect(() => stringLiteral('lone \ud800 surrogate')).toThrow(ValidationError);
    expect(() => stringLiteral(42 as unknown as string)).toThrow(ValidationError);
  });

  it('double-quotes identifiers, doubling inner double quotes', () => {
    expect(quoteIdentifier('time')).toBe('"time"');
    expect(quoteIdentifier('a"b')).toBe('"a""b"');
    expect(() => quoteIdentifier('')).toThrow(ValidationError);
    expect(() => quoteIdentifier('x\u0000')).toThrow(ValidationError);
  });

  it('writes only finite numbers', () => {
    expect(numberLiteral(0.95)).toBe('0.95');
    expect(numberLiteral(400)).toBe('400');
    expect(numberLiteral(-3)).toBe('-3');
    expect(numberLiteral(1e-7)).toBe('1e-7');
    expect(numberLiteral(12345678901234567890n)).toBe('12345678901234567890');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => numberLiteral(bad)).toThrow(ValidationError);
    }
    expect(() => numberLiteral('1; DROP' as unknown as number)).toThrow(ValidationError);
  });

  it('writes UTC timestamps in both forms, millisecond precision', () => {
    const at = new Date('2026-04-18T23:59:59.999Z');
    expect(timestampLiteral(at, 'sql')).toBe("TIMESTAMP '2026-04-18 23:59:59.999'");
    expect(timestampLiteral(at, 'iso8601')).toBe("from_iso8601_timestamp('2026-04-18T23:59:59.999Z')");
    expect(() => timestampLiteral(new Date(Number.NaN), 'sql')).toThrow(ValidationError);
    expect(() => timestampLiteral(new Date('+010000-01-01T00:00:00Z'), 'sql')).toThrow(ValidationError);
  });
});
