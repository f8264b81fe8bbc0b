import { startSample } from './start-sample.js';

const { banner } = await startSample({
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
});
console.log(banner);
