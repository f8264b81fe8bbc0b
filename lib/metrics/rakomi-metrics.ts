import { performance } from 'node:perf_hooks';
import { isRakomiError } from '../errors/rakomi.error.js';
import type { RakomiErrorCode } from '../errors/error-catalog.js';
import type { MetricAttributes, OtelCounter, OtelHistogram, OtelMeter } from './otel-types.js';

/** Attribute naming the outcome: `success`, `accepted`, `replay` or a catalog error code. */
export const OUTCOME_ATTRIBUTE = 'rakomi.outcome';
/** Attribute of a successful token verification: `hit` (verified-token cache) or `miss`. */
export const CACHE_ATTRIBUTE = 'rakomi.cache';

/** Outcomes that are not error codes. */
export type MetricOutcome = 'success' | 'accepted' | 'replay' | RakomiErrorCode;

/** Seconds, for latency histograms: 50 µs … 10 s. */
const LATENCY_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * One frozen attribute set per outcome, so that attribute values can only ever be one of a fixed
 * set of strings (catalog codes, outcomes) — never a token, claim, `kid` or tenant.
 */
const attributeSets = new Map<string, MetricAttributes>();
function attributes(outcome: MetricOutcome, cache?: 'hit' | 'miss'): MetricAttributes {
  const key = cache === undefined ? outcome : `${outcome}|${cache}`;
  const known = attributeSets.get(key);
  if (known !== undefined) return known;
  const set: Record<string, string> = { [OUTCOME_ATTRIBUTE]: outcome };
  if (cache !== undefined) set[CACHE_ATTRIBUTE] = cache;
  attributeSets.set(key, Object.freeze(set));
  return set;
}

/** The catalog code of a thrown value (anything else counts as `token/internal_error`). */
function outcomeOf(error: unknown): RakomiErrorCode {
  return isRakomiError(error) ? error.code : 'token/internal_error';
}

/**
 * The OpenTelemetry instruments of one client. Created only when a meter provider is registered.
 *
 * | instrument | kind | attributes |
 * |---|---|---|
 * | `rakomi.token.verifications` | counter | `rakomi.outcome` (`success` or the catalog code), `rakomi.cache` (`hit`/`miss`, successes only) |
 * | `rakomi.token.verification.duration` | histogram, s | `rakomi.outcome` |
 * | `rakomi.jwks.fetches` | counter | `rakomi.outcome` (`success` or the catalog code) |
 * | `rakomi.jwks.fetch.duration` | histogram, s | `rakomi.outcome` |
 * | `rakomi.jwks.key_set.age` | gauge, s | — (seconds since the last successful fetch) |
 * | `rakomi.webhook.deliveries` | counter | `rakomi.outcome` (`accepted`, `replay` or the catalog code) |
 */
export class RakomiMetrics {
  private readonly verifications: OtelCounter;
  private readonly verificationDuration: OtelHistogram;
  private readonly fetches: OtelCounter;
  private readonly fetchDuration: OtelHistogram;
  private readonly deliveries: OtelCounter;

  /** @param keySetAgeSeconds the key set's age now, `undefined` before the first fetch */
  constructor(meter: OtelMeter, keySetAgeSeconds: () => number | undefined) {
    const latency = { unit: 's', advice: { explicitBucketBoundaries: LATENCY_BUCKETS } };
    this.verifications = meter.createCounter('rakomi.token.verifications', { description: 'Access token verifications by outcome' });
    this.verificationDuration = meter.createHistogram('rakomi.token.verification.duration', {
      description: 'Time to verify an access token',
      ...latency,
    });
    this.fetches = meter.createCounter('rakomi.jwks.fetches', { description: 'JWKS fetches by outcome' });
    this.fetchDuration = meter.createHistogram('rakomi.jwks.fetch.duration', { description: 'Time of one JWKS fetch', ...latency });
    this.deliveries = meter.createCounter('rakomi.webhook.deliveries', { description: 'Webhook deliveries by outcome' });
    meter
      .createObservableGauge('rakomi.jwks.key_set.age', { description: 'Seconds since the last successful JWKS fetch', unit: 's' })
      .addCallback((result) => {
        const age = keySetAgeSeconds();
        if (age !== undefined) result.observe(age);
      });
  }

  /** A start mark for {@link tokenVerified} / {@link tokenFailed}. */
  start(): number {
    return performance.now();
  }

  tokenVerified(startedAt: number, cache: 'hit' | 'miss'): void {
    this.verifications.add(1, attributes('success', cache));
    this.verificationDuration.record((performance.now() - startedAt) / 1000, attributes('success'));
  }

  tokenFailed(startedAt: number, error: unknown): void {
    const outcome = attributes(outcomeOf(error));
    this.verifications.add(1, outcome);
    this.verificationDuration.record((performance.now() - startedAt) / 1000, outcome);
  }

  jwksFetched(failureCode: RakomiErrorCode | undefined, durationMs: number): void {
    const outcome = attributes(failureCode ?? 'success');
    this.fetches.add(1, outcome);
    this.fetchDuration.record(durationMs / 1000, outcome);
  }

  /** A webhook delivery: `accepted`, `replay`, or the error it was rejected with. */
  webhookDelivery(outcome: 'accepted' | 'replay' | { error: unknown }): void {
    this.deliveries.add(1, attributes(typeof outcome === 'string' ? outcome : outcomeOf(outcome.error)));
  }
}
