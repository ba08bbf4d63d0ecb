import fc from 'fast-check';

/**
 * fast-check arbitraries for the JSON Schema subset zod's `toJSONSchema` writes into openapi.json:
 * `type` (one or a list), `enum`, `const`, `anyOf`, `$ref` (local), strings with
 * `pattern`/`format`/lengths, numbers with bounds, arrays with `items` and sizes, objects with
 * `properties`/`required`/`additionalProperties`. Values are valid for the schema's keywords;
 * what zod checks beyond them (refinements) is left to chance, as a client would.
 */

export type JsonSchema = Record<string, unknown>;

export interface SchemaArbitraryOptions {
  /** Turns a `$ref` into the schema it names. */
  resolve: (ref: string) => JsonSchema;
  /**
   * Values for an object member by its name, where the schema says less than the service reads
   * (a `start_date` is any string to JSON Schema, and a timestamp to the service).
   */
  hint?: (name: string) => fc.Arbitrary<unknown> | undefined;
  /** Values of any other type, drawn now and then in place of a member or an item. */
  mix?: fc.Arbitrary<unknown>;
}

/** The value of a member or an item: mostly from its schema, now and then one of `options.mix`. */
function mixed(arbitrary: fc.Arbitrary<unknown>, options: SchemaArbitraryOptions): fc.Arbitrary<unknown> {
  return options.mix ? fc.oneof({ weight: 9, arbitrary }, { weight: 1, arbitrary: options.mix }) : arbitrary;
}

const INT32 = 2 ** 31 - 1;
/** Strings stay short unless the schema asks for more: the fuzz suite sends its own long ones. */
const DEFAULT_MAX_LENGTH = 40;

export function arbitraryFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (typeof schema.$ref === 'string') return arbitraryFor(options.resolve(schema.$ref), options, depth);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (Array.isArray(schema.anyOf)) {
    return fc.oneof(...(schema.anyOf as JsonSchema[]).map((branch) => arbitraryFor(branch, options, depth)));
  }
  const type = schema.type;
  if (Array.isArray(type)) {
    return fc.oneof(...type.map((one) => arbitraryFor({ ...schema, type: one }, options, depth)));
  }
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return integerFor(schema);
    case 'number':
      return numberFor(schema);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return arrayFor(schema, options, depth);
    case 'object':
      return objectFor(schema, options, depth);
    default:
      // `{}`: anything JSON.
      return fc.jsonValue({ maxDepth: 2 });
  }
}

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 0;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : minLength + DEFAULT_MAX_LENGTH;
  if (typeof schema.pattern === 'string') {
    return fc
      .stringMatching(new RegExp(schema.pattern))
      .filter((value) => value.length >= minLength && value.length <= maxLength);
  }
  switch (schema.format) {
    case 'date-time':
      return isoDate().map((date) => date.toISOString());
    case 'date':
      return isoDate().map((date) => date.toISOString().slice(0, 10));
    case 'email':
      return fc.emailAddress().filter((value) => value.length >= minLength && value.length <= maxLength);
    case 'uri':
      return fc.webUrl().filter((value) => value.length >= minLength && value.length <= maxLength);
    default:
      return fc.string({ minLength, maxLength: Math.min(maxLength, minLength + DEFAULT_MAX_LENGTH) });
  }
}

/** Around now: most of them inside the windows the service accepts, some far out. */
export function isoDate(): fc.Arbitrary<Date> {
  const now = Date.now();
  const day = 86_400_000;
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc.date({ min: new Date(now - 60 * day), max: new Date(now), noInvalidDate: true }),
    },
    {
      weight: 1,
      arbitrary: fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }),
    },
  );
}

function integerFor(schema: JsonSchema): fc.Arbitrary<number> {
  let min = typeof schema.minimum === 'number' ? schema.minimum : Number.MIN_SAFE_INTEGER;
  let max = typeof schema.maximum === 'number' ? schema.maximum : Number.MAX_SAFE_INTEGER;
  if (typeof schema.exclusiveMinimum === 'number') min = Math.floor(schema.exclusiveMinimum) + 1;
  if (typeof schema.exclusiveMaximum === 'number') max = Math.ceil(schema.exclusiveMaximum) - 1;
  // fc.integer is 32-bit: wider ranges draw from its window around the bounds, and the bounds.
  const small = fc.integer({ min: Math.max(min, -INT32), max: Math.min(max, INT32) });
  return min >= -INT32 && max <= INT32 ? small : fc.oneof(small, fc.constantFrom(min, max));
}

function numberFor(schema: JsonSchema): fc.Arbitrary<number> {
  const min = typeof schema.minimum === 'number' ? schema.minimum : -1e12;
  const max = typeof schema.maximum === 'number' ? schema.maximum : 1e12;
  const exclusive = typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum : undefined;
  return fc
    .double({ min: exclusive ?? min, max, noNaN: true, noDefaultInfinity: true })
    .filter((value) => exclusive === undefined || value > exclusive)
    .map((value) => (Object.is(value, -0) ? 0 : value));
}

function arrayFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  depth: number,
): fc.Arbitrary<unknown[]> {
  const items = (schema.items ?? {}) as JsonSchema;
  const minLength = typeof schema.minItems === 'number' ? schema.minItems : 0;
  const maxLength = Math.min(typeof schema.maxItems === 'number' ? schema.maxItems : 5, minLength + 5);
  return fc.array(mixed(arbitraryFor(items, options, depth + 1), options), { minLength, maxLength });
}

function objectFor(
  schema: JsonSchema,
  options: SchemaArbitraryOptions,
  depth: number,
): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema.required ?? []) as string[];
  const names = Object.keys(properties);
  if (names.length === 0) {
    const values = schema.additionalProperties;
    if (values && typeof values === 'object' && depth < 3) {
      return fc.dictionary(
        fc.string({ maxLength: 10 }),
        arbitraryFor(values as JsonSchema, options, depth + 1),
        {
          maxKeys: 3,
        },
      );
    }
    return fc.constant({});
  }
  const record = Object.fromEntries(
    names.map((name) => {
      const hinted = options.hint?.(name);
      const fromSchema = arbitraryFor(properties[name] ?? {}, options, depth + 1);
      return [
        name,
        mixed(hinted ? fc.oneof({ weight: 3, arbitrary: hinted }, fromSchema) : fromSchema, options),
      ];
    }),
  );
  return fc.record(record, { requiredKeys: required.filter((name) => name in record) });
}
