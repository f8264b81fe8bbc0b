import type { OtelApi, OtelMeter } from './otel-types.js';

/** Instrumentation scope of every Rakomi instrument. */
export const METER_NAME = '@rakomi/nestjs';

/**
 * The meter of the globally registered OpenTelemetry meter provider, or `undefined` when
 * `@opentelemetry/api` is not installed or no provider is registered (then nothing is recorded
 * and the verification path pays nothing). Register the SDK before the Rakomi client is created.
 */
export async function loadMeter(): Promise<OtelMeter | undefined> {
  let api: OtelApi;
  try {
    // A variable specifier keeps bundlers and tsc from requiring the optional peer.
    const specifier = '@opentelemetry/api';
    api = (await import(specifier)) as OtelApi;
  } catch {
    return undefined;
  }
  const meter = api.metrics.getMeter(METER_NAME);
  const probe = 'rakomi.probe';
  return meter.createCounter(probe) === api.createNoopMeter().createCounter(probe) ? undefined : meter;
}
