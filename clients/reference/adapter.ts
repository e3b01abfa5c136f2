/**
 * The reference client's adapter program (swaram-adapter/1 on stdin/stdout). The runner
 * starts it through `swaram-client.json`; see docs/adapter-protocol.md.
 */
import { runAdapter } from './adapter-host.js';
import { SDK_NAME, SDK_VERSION } from './sdk/index.js';

// stdout carries the protocol only: anything logged by mistake goes to stderr instead.
console.log = console.error;
console.info = console.error;

runAdapter({ client: { name: SDK_NAME, version: SDK_VERSION, language: 'typescript' } });
