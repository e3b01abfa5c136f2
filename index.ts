/**
 * swaram conformance toolkit: a mock swaram server and a conformance runner for swaram
 * clients. This module is the library behind the `swaram-mock` and `swaram-conform` commands.
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
