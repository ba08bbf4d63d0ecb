/** Realistic ingest batches for the benchmarks: a mix of event types with unique ids. */
export function makeBatches(batches: number, perBatch: number, prefix: string, now = Date.now()): string[] {
  const out: string[] = [];
  const ops = ['op_alpha', 'op_bravo', 'op_charlie', 'op_delta', 'op_echo', 'op_foxtrot'];
  const endpoints = [
    '/v1/scores/:identity',
    '/v1/identity/:identity',
    '/v1/achievements/:identity',
    '/v1/events',
  ];
  const statuses = ['DELIVERED', 'DELIVERED', 'DELIVERED', 'DELIVERED', 'FAILED', 'PENDING'];
  let seq = 0;
  for (let b = 0; b < batches; b += 1) {
    const events: Record<string, unknown>[] = [];
    for (let i = 0; i < perBatch; i += 1) {
      seq += 1;
      const time = new Date(now - ((seq * 7919) % 3_600_000)).toISOString();
      const op = ops[seq % ops.length];
      const account = `acct_${seq % 97}`;
      if (seq % 2 === 0) {
        events.push({
          id: `${prefix}-${seq}`,
          time,
          type: 'message',
          operatorId: op,
          accountId: account,
          status: statuses[seq % statuses.length],
          segments: 1 + (seq % 3),
          cost: `0.00${6500 + (seq % 1000)}`,
          latencyMs: 300 + (seq % 2500),
        });
      } else {
        events.push({
          id: `${prefix}-${seq}`,
          time,
          type: 'api.request',
          operatorId: op,
          accountId: account,
          apiKeyId: `key_${(seq % 16).toString(16).padStart(16, '0')}`,
          endpoint: endpoints[seq % endpoints.length],
          category: 'scores',
          method: seq % 5 === 0 ? 'POST' : 'GET',
          statusCode: seq % 50 === 0 ? 500 : 200,
          latencyMs: 50 + (seq % 400),
          bytes: 500 + (seq % 9000),
        });
      }
    }
    out.push(JSON.stringify({ events }));
  }
  return out;
}
