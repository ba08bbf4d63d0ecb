import { ConflictError, NotFoundError, UnprocessableError } from '../errors.ts';
import { type RegistryPorts, versionConflict } from './entities.ts';
import { ID_PATTERN, nameKey, newId } from './ids.ts';
import { type CursorKeySource, openCursor, type Page, type PageQuery, sealCursor } from './paging.ts';
import { assertValidPlan, findOverlap, type StoredPricePlan, type UnitPrice } from './price-plans.ts';
import { defaultCurrency } from './settings.ts';

/**
 * Price plans of a tenant live in one "price book" item, so that the rule "validity ranges never
 * overlap" is checked and written by one conditional write: two concurrent creates of
 * overlapping plans cannot both succeed, with no transactions. Overlap and duplicate names are
 * 409 (they conflict with the plans already there); a plan that contradicts itself is 400. The
 * book is bounded (MAX_PLANS, MAX_BOOK_BYTES, well inside DynamoDB's 400 KB item limit); 422 past it.
 */
export const MAX_PLANS = 100;
export const MAX_BOOK_BYTES = 300_000;
const MAX_ATTEMPTS = 5;

export interface PricePlanInput {
  id?: string;
  name: string;
  description?: string;
  currency?: string;
  /** ISO 8601 UTC. */
  validFrom: string;
  validTo?: string;
  prices: UnitPrice[];
}

export interface PricePlanPatch {
  name?: string;
  description?: string | null;
  currency?: string;
  validFrom?: string;
  validTo?: string | null;
  prices?: UnitPrice[];
}

export interface PricePlanView {
  id: string;
  name: string;
  description: string | null;
  currency: string;
  validFrom: string;
  validTo: string | null;
  prices: { metric: UnitPrice['metric']; dimensionValue: string | null; unitPrice: string }[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

export function pricePlanView(plan: StoredPricePlan): PricePlanView {
  return {
    id: plan.id,
    name: plan.name,
    description: plan.description ?? null,
    currency: plan.currency,
    validFrom: plan.validFrom,
    validTo: plan.validTo ?? null,
    prices: plan.prices.map((p) => ({
      metric: p.metric,
      dimensionValue: p.dimensionValue ?? null,
      unitPrice: p.unitPrice,
    })),
    version: plan.version,
    createdAt: plan.createdAt,
    updatedAt: plan.updatedAt,
  };
}

const notFound = (id: string) => new NotFoundError('PRICE_PLAN_NOT_FOUND', `No price plan ${id}`);

/** Every plan of the tenant, ordered by id: what the billing report reads (with `priceInForce`). */
export async function pricePlansOf(ports: RegistryPorts, tenantId: string): Promise<StoredPricePlan[]> {
  const { plans } = await ports.registry.priceBook.get(tenantId);
  return [...plans].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export async function listPricePlans(
  ports: RegistryPorts & CursorKeySource,
  tenantId: string,
  page: PageQuery,
): Promise<Page<StoredPricePlan>> {
  const scope = `${tenantId}|PRICE_PLAN|`;
  const after = await openCursor(ports, scope, page.cursor, (id) => ID_PATTERN.test(id));
  const plans = (await pricePlansOf(ports, tenantId)).filter(
    (plan) => after === undefined || plan.id > after,
  );
  const items = plans.slice(0, page.limit);
  const last = items.at(-1);
  return {
    items,
    nextCursor: plans.length > page.limit && last ? await sealCursor(ports, scope, last.id) : null,
  };
}

export async function getPricePlan(
  ports: RegistryPorts,
  tenantId: string,
  id: string,
): Promise<StoredPricePlan> {
  const plan = (await ports.registry.priceBook.get(tenantId)).plans.find((p) => p.id === id);
  if (!plan) throw notFound(id);
  return plan;
}

/** Checks a plan against the others of the book: unique name, no overlapping validity. */
function assertFits(plans: readonly StoredPricePlan[], plan: StoredPricePlan): void {
  const key = nameKey(plan.name);
  if (plans.some((other) => other.id !== plan.id && nameKey(other.name) === key)) {
    throw new ConflictError('NAME_TAKEN', `Another price plan is named "${plan.name}"`, { field: 'name' });
  }
  const overlapping = findOverlap(plans, plan, plan.id);
  if (overlapping) {
    throw new ConflictError(
      'PLAN_OVERLAP',
      `The validity of this plan overlaps price plan ${overlapping.id} ("${overlapping.name}", from ` +
        `${overlapping.validFrom}${overlapping.validTo ? ` to ${overlapping.validTo}` : ''})`,
      { conflictingPlanId: overlapping.id },
    );
  }
}

/** Reads the book, applies `change`, writes it back conditionally; re-reads and re-applies on a race. */
async function changeBook<R>(
  ports: RegistryPorts,
  tenantId: string,
  change: (plans: StoredPricePlan[]) => { plans: StoredPricePlan[]; result: R },
): Promise<R> {
  const repository = ports.registry.priceBook;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const book = await repository.get(tenantId);
    const { plans, result } = change(book.plans);
    if (plans.length > MAX_PLANS) {
      throw new UnprocessableError(
        'PRICE_BOOK_FULL',
        `A tenant has at most ${MAX_PLANS} price plans; delete old ones`,
      );
    }
    if (Buffer.byteLength(JSON.stringify(plans), 'utf8') > MAX_BOOK_BYTES) {
      throw new UnprocessableError(
        'PRICE_BOOK_FULL',
        'The price plans of this tenant are too large; delete old ones',
      );
    }
    if (await repository.put(tenantId, { version: book.version + 1, plans }, book.version)) return result;
  }
  throw new ConflictError('CONCURRENT_UPDATE', 'The price plans are being changed by another request; retry');
}

export async function createPricePlan(
  ports: RegistryPorts,
  tenantId: string,
  input: PricePlanInput,
): Promise<StoredPricePlan> {
  assertValidPlan(input);
  const currency = input.currency ?? (await defaultCurrency(ports, tenantId));
  const now = ports.clock().toISOString();
  const plan: StoredPricePlan = {
    id: input.id ?? newId(),
    name: input.name,
    ...(input.description === undefined ? {} : { description: input.description }),
    currency,
    validFrom: input.validFrom,
    ...(input.validTo === undefined ? {} : { validTo: input.validTo }),
    prices: input.prices,
    version: 1,
    createdAt: now,
    updatedAt: now,
  };
  return changeBook(ports, tenantId, (plans) => {
    if (plans.some((p) => p.id === plan.id)) {
      throw new ConflictError('PRICE_PLAN_EXISTS', `There is already a price plan with id ${plan.id}`, {
        field: 'id',
      });
    }
    assertFits(plans, plan);
    return { plans: [...plans, plan], result: plan };
  });
}

export async function updatePricePlan(
  ports: RegistryPorts,
  tenantId: string,
  id: string,
  patch: PricePlanPatch,
  expectedVersion?: number,
): Promise<StoredPricePlan> {
  const now = ports.clock().toISOString();
  return changeBook(ports, tenantId, (plans) => {
    const current = plans.find((p) => p.id === id);
    if (!current) throw notFound(id);
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw versionConflict('price plan', id);
    const description =
      patch.description === undefined ? current.description : (patch.description ?? undefined);
    const validTo = patch.validTo === undefined ? current.validTo : (patch.validTo ?? undefined);
    const next: StoredPricePlan = {
      id,
      name: patch.name ?? current.name,
      ...(description === undefined ? {} : { description }),
      currency: patch.currency ?? current.currency,
      validFrom: patch.validFrom ?? current.validFrom,
      ...(validTo === undefined ? {} : { validTo }),
      prices: patch.prices ?? current.prices,
      version: current.version + 1,
      createdAt: current.createdAt,
      updatedAt: now,
    };
    assertValidPlan(next);
    assertFits(plans, next);
    return { plans: plans.map((p) => (p.id === id ? next : p)), result: next };
  });
}

export async function deletePricePlan(
  ports: RegistryPorts,
  tenantId: string,
  id: string,
  expectedVersion?: number,
): Promise<void> {
  await changeBook(ports, tenantId, (plans) => {
    const current = plans.find((p) => p.id === id);
    if (!current) throw notFound(id);
    if (expectedVersion !== undefined && current.version !== expectedVersion)
      throw versionConflict('price plan', id);
    return { plans: plans.filter((p) => p.id !== id), result: undefined };
  });
}
