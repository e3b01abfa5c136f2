/**
 * swaram conformance toolkit: a mock swaram server and a conformance runner for swaram
 * clients. This module is the library behind the `swaram-mock` and `swaram-conform` commands.
 */
export { packageRoot } from './protocol/package-root.js';
export type { Fault, FaultAction, FaultTrigger } from './mock-server/fault-schema.js';
