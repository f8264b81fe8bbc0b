/**
 * The few `@opentelemetry/api` shapes the metrics use, typed structurally so that the package's
 * types never require `@opentelemetry/api` (an optional peer dependency).
 */
export type MetricAttributes = Readonly<Record<string, string>>;

export interface OtelCounter {
  add(value: number, attributes?: MetricAttributes): void;
}

export interface OtelHistogram {
  record(value: number, attributes?: MetricAttributes): void;
}

export interface OtelObservableResult {
  observe(value: number, attributes?: MetricAttributes): void;
}

export interface OtelObservableGauge {
  addCallback(callback: (result: OtelObservableResult) => void): void;
}

interface InstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

export interface OtelMeter {
  createCounter(name: string, options?: InstrumentOptions): OtelCounter;
  createHistogram(name: string, options?: InstrumentOptions): OtelHistogram;
  createObservableGauge(name: string, options?: InstrumentOptions): OtelObservableGauge;
}

/** The part of the `@opentelemetry/api` module the metrics load. */
export interface OtelApi {
  metrics: { getMeter(name: string, version?: string): OtelMeter };
  createNoopMeter(): OtelMeter;
}
