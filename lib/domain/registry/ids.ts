import { randomUUIDv7 } from 'node:crypto';

/**
 * Registry ids. A client may bring its own (events carry the ids of the client's systems, and the
 * registry must be able to name the same things); otherwise the id is a UUIDv7, whose time-ordered
 * prefix keeps generated ids in creation order in id-ordered lists.
 */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
export const ID_RULE = '1–128 characters: letters, digits and . _ : @ -, starting with a letter or digit';

export const newId = (): string => randomUUIDv7();

/**
 * The key that makes names unique per tenant: case, surrounding and repeated white space and
 * Unicode compatibility forms do not make a name different ("Carrier  Alpha" = "carrier alpha").
 */
export function nameKey(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}
