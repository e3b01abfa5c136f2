// A wire-only app that prints its environment (with SWARAM_API_KEY) and never connects.
import { appendFileSync } from 'node:fs';

if (process.argv[2]) appendFileSync(process.argv[2], `${process.pid}\n`);
process.stdout.write(`${JSON.stringify(process.env)}\n`);
setInterval(() => undefined, 1000);
