/**
 * swaram conformance toolkit: a mock swaram server and a conformance runner for swaram
 * clients. This module is the library behind the `swaram-mock` and `swaram-conform` commands.
 *
 * Each area's `index.ts` lists its public names one by one (protocol, audio, fixtures, mock
 * server, conformance runner); what is not listed there is internal and may change. The
 * reference client is a second entry point, `swaram-conformance/client`.
 *
 * @example
 * import { startMockServer } from 'swaram-conformance';
 * const server = await startMockServer({ fixture: 'greeting' });
 */
export * from './protocol/index.js';
export * from './protocol/audio/index.js';
export * from './protocol/fixture/index.js';
export * from './mock-server/index.js';
export { packageRoot } from './protocol/package-root.js';
export * from './conformance/index.js';
