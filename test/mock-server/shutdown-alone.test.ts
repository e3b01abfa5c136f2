import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const MOCK = fileURLToPath(new URL('../../mock-server/mock-server.ts', import.meta.url));

/**
 * `server.close()` in a process where nothing else is alive (as the conformance runner is while
 * its one running scenario shuts its mock down and the other runs wait for it): the close must
 * finish. It once waited for the sessions to close by polling on unref'd timers, so a session
 * whose close was still on its way when the shutdown began ended the process mid-close, the
 * close promise never settled (swaram-conform then exited 3: "the run stopped with work still
 * pending").
 */
describe('the mock shut down in a process with nothing else alive', () => {
  it('finishes its close although a session was still closing when it began', () => {
    // The client's socket is cut and the mock closed in the same tick: the session is still
    // live when the shutdown starts, and its close arrives a moment later.
    const script = `import { WebSocket } from 'ws';
import { startMockServer } from ${JSON.stringify(MOCK)};
const server = await startMockServer({ speed: 1 });
const ws = new WebSocket(server.url + '?model=mal-realtime-simple', {
  headers: { Authorization: 'Bearer ' + server.keys[0] },
});
await new Promise((resolve) => ws.once('message', resolve));
const live = server.listSessions().length;
ws.terminate();
await server.close();
process.stdout.write('closed with ' + live + ' session live at the start\\n');`;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      { encoding: 'utf8', timeout: 30_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toContain('closed with 1 session live at the start');
    expect(child.status).toBe(0);
  }, 40_000);
});
