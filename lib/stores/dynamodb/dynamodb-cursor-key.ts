import { randomBytes } from 'node:crypto';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CURSOR_KEY_BYTES, type CursorKeySource } from '../../domain/registry/paging.ts';
import { type ConfigTable, cursorKeyItemKey } from './config-table.ts';

const isConditionFailure = (error: unknown) =>
  (error as { name?: string }).name === 'ConditionalCheckFailedException';

/**
 * The cursor-sealing key (paging.ts), one item of the config table. Both runtimes have the table,
 * so the key needs no new cloud service (no Secrets Manager, no KMS call per page) and no deploy
 * step: the first list that needs it creates it with a conditional put, and a container that loses
 * that race reads the winner's. It is read once per container and kept (a key never changes, and
 * a GetItem per page would double a list's reads). No tenant request can name the item: it lies
 * outside every tenant's partitions (config-table.ts), and it is granted by `config:cursor-key`
 * alone (put only that item) on top of `config:read`.
 */
export class DynamoDbCursorKey implements CursorKeySource {
  readonly #table: ConfigTable;
  #key: Promise<Uint8Array> | undefined;

  constructor(table: ConfigTable) {
    this.#table = table;
  }

  cursorKey(): Promise<Uint8Array> {
    this.#key ??= this.#load().catch((error: unknown) => {
      this.#key = undefined;
      throw error;
    });
    return this.#key;
  }

  async #read(): Promise<Uint8Array | undefined> {
    const { Item } = await this.#table.doc.send(
      new GetCommand({ TableName: this.#table.tableName, Key: cursorKeyItemKey, ConsistentRead: true }),
    );
    const key: unknown = Item?.key;
    if (Item && !(key instanceof Uint8Array && key.length === CURSOR_KEY_BYTES)) {
      throw new Error('The cursor key item of the config table is not a 32-byte binary key');
    }
    return Item ? (key as Uint8Array) : undefined;
  }

  async #load(): Promise<Uint8Array> {
    const existing = await this.#read();
    if (existing) return existing;
    const key = randomBytes(CURSOR_KEY_BYTES);
    try {
      await this.#table.doc.send(
        new PutCommand({
          TableName: this.#table.tableName,
          Item: { ...cursorKeyItemKey, entity: 'cursorKey', key, createdAt: new Date().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return key;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const winner = await this.#read();
      if (!winner) throw new Error('The cursor key item vanished after a concurrent create');
      return winner;
    }
  }
}
