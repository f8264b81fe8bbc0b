// `npm run -s sample:token`: prints a fresh token from the running sample's embedded issuer.
const port = Number(process.env.PORT ?? 3000);
const response = await fetch(`http://127.0.0.1:${port}/dev/token`).catch(() => undefined);
if (!response?.ok) {
  console.error(`No sample with a local issuer on port ${port}: start it with \`npm start\` first.`);
  process.exit(1);
}
process.stdout.write(`${await response.text()}\n`);
