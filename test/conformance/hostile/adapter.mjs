// A hostile adapter for test/conformance/hostile-targets.test.ts: says hello, then misbehaves
// as argv[2] says. Writes its pid to the file argv[3] so the test can check it is gone.
import { appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

const mode = process.argv[2];
if (process.argv[3]) appendFileSync(process.argv[3], `${process.pid}\n`);
const out = (o) => process.stdout.write(`${typeof o === 'string' ? o : JSON.stringify(o)}\n`);

if (mode === 'env') process.stderr.write(`${JSON.stringify(process.env)}\n`);
out({
  type: 'hello',
  protocol: 'swaram-adapter/1',
  client: { name: `hostile-${mode}`, version: '0.0.0' },
  features: [],
});

const deep = (n) => '['.repeat(n) + ']'.repeat(n);
const flood = (line) => {
  const write = () => {
    while (process.stdout.write(`${line}\n`));
    process.stdout.once('drain', write);
  };
  write();
};

createInterface({ input: process.stdin }).on('line', (text) => {
  const command = JSON.parse(text);
  const reply = { type: 'reply', id: command.id, ok: true };
  if (command.type === 'shutdown') {
    out(reply);
    process.exit(0);
  }
  switch (mode) {
    case 'silent':
    case 'env':
      return; // never replies
    case 'exit':
      return process.exit(3);
    case 'invalid-json':
      return out('{"type": "reply", "id": ');
    case 'double':
      out(reply);
      return out(reply);
    case 'deep':
      out(reply);
      return out(`{"type":"error","kind":"network","message":"x","extra":${deep(100_000)}}`);
    case 'flood-garbage':
      return flood('garbage garbage garbage garbage garbage garbage garbage garbage');
    case 'flood-valid':
      out(reply);
      return flood(JSON.stringify({ type: 'connection', state: 'connecting', attempt: 1 }));
  }
});
