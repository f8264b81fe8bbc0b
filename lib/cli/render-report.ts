import type { ExplainReport } from './explain-report.js';

const MARK = { pass: '✓', fail: '✗', skip: '·' } as const;

/** The report as text for a terminal. */
export function renderReport(report: ExplainReport): string {
  const lines = report.steps.map((step) => `${MARK[step.status]} ${step.name}${step.status === 'skip' ? ' (not reached)' : ''}`);
  const verified = report.ok ? '' : ' (decoded, NOT verified)';
  if (report.header !== undefined) lines.push('', `header${verified}:`, JSON.stringify(report.header, null, 2));
  if (report.claims !== undefined) lines.push('', `claims${verified}:`, JSON.stringify(report.claims, null, 2));
  for (const [name, time] of Object.entries(report.times ?? {})) {
    const verb = name === 'exp' ? (time.relative.startsWith('in') ? 'expires' : 'expired') : name === 'iat' ? 'issued' : 'valid from';
    lines.push(`${name}: ${time.iso} (${verb} ${time.relative})`);
  }
  if (report.key !== undefined) {
    const presence =
      report.key.present === null ? 'not checked (no key set)' : report.key.present ? 'present in the JWKS' : 'NOT in the JWKS';
    lines.push(`key ${report.key.kid}: ${presence}`);
  }
  if (report.error !== undefined) {
    lines.push('', `✗ ${report.error.code}: ${report.error.message}`, `  suggestion: ${report.error.suggestion}`);
    if (report.error.fix_command !== undefined) lines.push(`  fix: ${report.error.fix_command}`);
  } else {
    lines.push('', '✓ valid');
  }
  return lines.join('\n') + '\n';
}
