import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Starts `server` listening (default 127.0.0.1, port 0) and returns the bound port and the
 * host as it goes in a URL (IPv6 in brackets). Rejects with the listen error (EADDRINUSE …).
 */
export async function listen(
  server: Server,
  port = 0,
  host = '127.0.0.1',
): Promise<{ port: number; hostForUrl: string }> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    port: address.port,
    hostForUrl: address.family === 'IPv6' ? `[${address.address}]` : address.address,
  };
}
