import { isRakomiError } from '../errors/rakomi.error.js';
import type { RakomiErrorCode } from '../errors/error-catalog.js';

/** One check of the verification, in order: passed, failed, or not reached. */
export interface ExplainStep {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'skip';
}

/** What `explain` found; printed as text, or as JSON with `--json`. */
export interface ExplainReport {
  readonly ok: boolean;
  readonly steps: readonly ExplainStep[];
  /** Decoded, never verified unless `ok`: the protected header / the webhook's identifying headers. */
  readonly header?: Readonly<Record<string, unknown>>;
  readonly claims?: Readonly<Record<string, unknown>>;
  /** Time claims as ISO dates with a relative description. */
  readonly times?: Readonly<Record<string, { iso: string; relative: string }>>;
  readonly key?: { readonly kid: string; readonly present: boolean | null };
  readonly error?: { code: RakomiErrorCode; message: string; suggestion: string; fix_command?: string };
}

/** Marks the steps before `failed` as passed, `failed` as failed, the rest as not reached. */
export function stepsUpTo(names: readonly string[], failed: number | undefined): ExplainStep[] {
  return names.map((name, index) => ({
    name,
    status: failed === undefined || index < failed ? 'pass' : index === failed ? 'fail' : 'skip',
  }));
}

/** The public face of a verification error (`toJSON()` minus the docs link), nothing internal. */
export function errorOf(error: unknown): NonNullable<ExplainReport['error']> {
  if (!isRakomiError(error)) throw error;
  const { code, message, suggestion, fix_command } = error.toJSON();
  return { code, message, suggestion, ...(fix_command === undefined ? {} : { fix_command }) };
}

/** "in 59 min 30 s" / "2 h 3 min ago". */
export function relativeTime(targetSeconds: number, nowMs: number): string {
  const delta = Math.round(targetSeconds - nowMs / 1000);
  const abs = Math.abs(delta);
  const parts = [
    [Math.floor(abs / 86_400), 'd'],
    [Math.floor((abs % 86_400) / 3_600), 'h'],
    [Math.floor((abs % 3_600) / 60), 'min'],
    [abs % 60, 's'],
  ] as const;
  const text =
    parts
      .filter(([value]) => value > 0)
      .slice(0, 2)
      .map(([value, unit]) => `${value} ${unit}`)
      .join(' ') || '0 s';
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

/** `{ iso, relative }` for a Unix-seconds value, or `undefined` for anything else. */
export function describeTime(value: unknown, nowMs: number): { iso: string; relative: string } | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 253_402_300_799) return undefined;
  return { iso: new Date(value * 1000).toISOString(), relative: relativeTime(value, nowMs) };
}
