// Issue 10 item 6: a full MemoryReplayStore never forgets an unexpired delivery; it fails closed
// (503 webhook/replay_store_unavailable + Retry-After, the handler does not run), logged once.
import { MemoryReplayStore } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import { startFaultApp, type FaultAdapter, type FaultApp } from '../support/fault-app.js';

const ADAPTERS: FaultAdapter[] = ['express', 'fastify'];

describe.each(ADAPTERS)('a full MemoryReplayStore on %s', (adapter) => {
  let issuer: RakomiTestIssuer;
  let app: FaultApp;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start();
    app = await startFaultApp(issuer.moduleOptions({ replayStore: new MemoryReplayStore({ maxEntries: 3 }) }), { adapter });
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  function send(delivery: { body: string | Buffer; headers: Record<string, string> }) {
    return app.client.hook(delivery.body, delivery.headers);
  }

  it('a replay after maxEntries newer deliveries is still a replay; new deliveries get 503 + Retry-After, logged once', async () => {
    const first = issuer.signWebhook({ type: 'user.created', n: 0 });
    const firstId = first.headers['X-Rakomi-Delivery-Id']!;
    expect((await send(first)).status).toBe(202);
    for (let n = 1; n < 3; n++) expect((await send(issuer.signWebhook({ type: 'user.created', n }))).status).toBe(202);
    expect(app.deliveries.total).toBe(3);

    for (let n = 3; n < 23; n++) {
      const answer = await send(issuer.signWebhook({ type: 'user.created', n }));
      expect([answer.status, answer.body?.code]).toEqual([503, 'webhook/replay_store_unavailable']);
      expect(Number(answer.headers['retry-after'])).toBeGreaterThan(0);
    }
    // The oldest delivery replayed after 20 newer ones: acknowledged, its handler not run again.
    const replay = await send(first);
    expect(replay.status).toBe(200);
    expect(app.deliveries.total).toBe(3);
    expect(app.deliveries.count(firstId)).toBe(1);

    const errors = app.logs.entries.filter((entry) => entry.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.text).toContain('webhook/replay_store_unavailable');
  });
});
