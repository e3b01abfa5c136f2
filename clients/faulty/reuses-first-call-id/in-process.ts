/**
 * The variant as an in-process target (fake clock): `swaram-conform explore` loads
 * `<target>/in-process.{ts,js}` when it exists and calls its `inProcessSpec()`.
 */
import type { InProcessSpec } from '../../../conformance/target/in-process-target.js';
import { referenceInProcess } from '../../reference/in-process.js';
import { client, createClient } from './client.js';

export function inProcessSpec(): InProcessSpec {
  return referenceInProcess({ client, createClient });
}
