import { INestApplication } from '@nestjs/common';
import { Test, TestingModule } from '@nestjs/testing';
import { RakomiTestIssuer } from '@rakomi/nestjs/testing';
import request from 'supertest';
import { App } from 'supertest/types';
import { AppModule } from './../src/app.module';

describe('AppController (e2e)', () => {
  let issuer: RakomiTestIssuer;
  let app: INestApplication<App>;

  beforeAll(async () => {
    issuer = await RakomiTestIssuer.start({ audience: 'nest11-cjs' });
    const { baseUrl, issuer: iss, webhookSecret } = issuer.moduleOptions();
    Object.assign(process.env, { RAKOMI_BASE_URL: baseUrl, RAKOMI_ISSUER: iss, RAKOMI_WEBHOOK_SECRET: webhookSecret });
  });

  beforeEach(async () => {
    const moduleFixture: TestingModule = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleFixture.createNestApplication({ rawBody: true });
    await app.init();
  });

  afterEach(async () => {
    await app.close();
  });

  afterAll(async () => {
    await issuer.close();
  });

  it('/ (GET) is public', () => {
    return request(app.getHttpServer()).get('/').expect(200).expect('Hello World!');
  });

  it('/me (GET) answers 401 token/missing without a token', async () => {
    const res = await request(app.getHttpServer()).get('/me').expect(401);
    expect(res.body.code).toBe('token/missing');
  });

  it('/me (GET) answers the @CurrentUser() claims with a valid token', () => {
    return request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${issuer.token({ sub: 'usr_e2e' })}`)
      .expect(200)
      .expect({ greeting: 'Hello usr_e2e!', sub: 'usr_e2e' });
  });

  it('/me (GET) answers 401 for a token from the wrong issuer', () => {
    return request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${issuer.badToken('wrong_issuer')}`)
      .expect(401);
  });

  it('/webhooks/rakomi (POST) accepts a signed webhook and rejects a tampered one', async () => {
    const { body, headers } = issuer.signWebhook({ type: 'user.created' });
    await request(app.getHttpServer())
      .post('/webhooks/rakomi')
      .set(headers)
      .set('Content-Type', 'application/json')
      .send(body)
      .expect(200)
      .expect({ received: 'user.created' });
    const tampered = await request(app.getHttpServer())
      .post('/webhooks/rakomi')
      .set(headers)
      .set('Content-Type', 'application/json')
      .send(String(body).replace('created', 'deleted'))
      .expect(400);
    expect(tampered.body.code).toBe('webhook/invalid_signature');
  });
});
