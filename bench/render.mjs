// Re-renders a results JSON as Markdown (ratios recomputed): node bench/render.mjs [results/latest.json]
import { readFileSync } from 'node:fs';
import { deriveHttpRatios, renderMarkdown } from './lib/report.mjs';

const file = process.argv[2] ?? new URL('results/latest.json', import.meta.url);
console.log(renderMarkdown(deriveHttpRatios(JSON.parse(readFileSync(file, 'utf8')))));
