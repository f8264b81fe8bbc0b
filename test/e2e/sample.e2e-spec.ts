import type { INestApplication } from '@nestjs/common';
import { RakomiError } from '@rakomi/nestjs';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';
import { startSample, type StartedSample } from '../../sample/start-sample.js';

/** The ready-to-paste lines of the banner, parsed back into requests. */
function pastedRequests(banner: string): { token: string; webhookHeaders: Record<string, string>; webhookBody: string } {
  const token = /Authorization: Bearer ([\w.-]+)" /.exec(banner)?.[1];
  const webhookLine = banner.split('\n').find((line) => line.includes('curl -X POST')) ?? '';
  const headers = [...webhookLine.matchAll(/-H '([^']+)'/g)].map((match) => match[1]!.split(': '));
  const body = /--data-raw '(.+)'$/.exec(webhookLine)?.[1];
  if (!token || !body) throw new Error(`banner without curl lines:\n${banner}`);
  return { token, webhookHeaders: Object.fromEntries(headers), webhookBody: body };
}

describe('sample app with the embedded local issuer (no environment)', () => {
  let sample: StartedSample;
  let http: ReturnType<typeof request>;

  beforeAll(async () => {
    sample = await startSample({ port: 0, host: '127.0.0.1', env: {} });
    http = request(sample.app.getHttpServer());
  });
  afterAll(() => sample.app.close());

  it('serves /health without a token', async () => {
    await http.get('/health').expect(200, { status: 'ok' });
  });

  it('guards /me globally', async () => {
    const response = await http.get('/me').expect(401);
    expect(response.body.code).toBe('token/missing');
  });

  it('prints a curl line whose token returns the claims of /me and /me/email', async () => {
    const { token } = pastedRequests(sample.banner);
    const me = await http.get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(me.body).toMatchObject({ sub: 'usr_sample', email: 'ada@example.com', aud: 'rakomi-sample-api' });
    await http.get('/me/email').set('Authorization', `Bearer ${token}`).expect(200, { email: 'ada@example.com' });
  });

  it('prints a signed webhook that is accepted once, then acknowledged as a replay', async () => {
    const { webhookHeaders, webhookBody } = pastedRequests(sample.banner);
    const send = () => http.post('/webhooks/rakomi').set(webhookHeaders).send(webhookBody);
    expect(webhookHeaders['Content-Type']).toBe('application/json');
    const first = await send().expect(200);
    expect(first.body).toEqual({ received: true });
    const replay = await send().expect(200);
    expect(replay.body).not.toEqual({ received: true });
    await http
      .post('/webhooks/rakomi')
      .set({ ...webhookHeaders, 'X-Rakomi-Timestamp': '1' })
      .send(webhookBody)
      .expect(400);
  });

  it('mints fresh tokens at /dev/token (the banner\'s "fresh token" line)', async () => {
    const minted = await http.get('/dev/token').expect(200);
    expect(minted.type).toBe('text/plain');
    await http.get('/me').set('Authorization', `Bearer ${minted.text}`).expect(200);
  });
});

describe('sample app pointed at a Rakomi through the environment', () => {
  let rakomi: RakomiTestIssuer;
  let sample: StartedSample;
  let app: INestApplication;

  beforeAll(async () => {
    rakomi = await RakomiTestIssuer.start();
    sample = await startSample({
      port: 0,
      host: '127.0.0.1',
      env: {
        RAKOMI_API_KEY: 'akm_test_x',
        RAKOMI_AUDIENCE: rakomi.audience,
        RAKOMI_BASE_URL: rakomi.url,
        RAKOMI_WEBHOOK_SECRET: rakomi.webhookSecret,
      },
    });
    app = sample.app;
  });
  afterAll(async () => {
    await app.close();
    await rakomi.close();
  });

  it('verifies tokens of the configured Rakomi and mounts no dev routes', async () => {
    const http = request(app.getHttpServer());
    await http
      .get('/me')
      .set('Authorization', `Bearer ${rakomi.token({ sub: 'usr_env' })}`)
      .expect(200);
    expect(rakomi.hits).toBe(1);
    await http.get('/dev/token').expect(404);
    expect(sample.banner).not.toContain('curl');
  });

  it('verifies webhooks signed with the configured secret', async () => {
    const { body, headers } = rakomi.signWebhook({ type: 'user.deleted' });
    await request(app.getHttpServer())
      .post('/webhooks/rakomi')
      .set({ ...headers, 'Content-Type': 'application/json' })
      .send(body.toString())
      .expect(200, { received: true });
  });

  it('fails at start-up with the catalog error when the environment is incomplete', async () => {
    const started = startSample({ port: 0, host: '127.0.0.1', env: { RAKOMI_BASE_URL: 'https://api.rakomi.com' } });
    await expect(started).rejects.toBeInstanceOf(RakomiError);
    await expect(started).rejects.toMatchObject({ code: 'config/missing_api_key' });
  });

  it('fails at start-up naming the audience when RAKOMI_AUDIENCE is missing', async () => {
    const started = startSample({ port: 0, host: '127.0.0.1', env: { RAKOMI_API_KEY: 'akm_test_x', RAKOMI_BASE_URL: rakomi.url } });
    await expect(started).rejects.toMatchObject({
      code: 'config/invalid_option',
      message: expect.stringContaining('audience is required'),
    });
  });
});
