/**
 * swaram's event schemas: one JSON Schema (draft 2020-12) per event, as `as const` literals.
 * They are the source of truth: the TypeScript types (`../events.ts`) are derived from them and
 * the validators (`../validators.ts`) compile them. This is the strict set; the tolerant set is
 * derived from it by `openSchema`.
 */
export * from './common.js';
export * from './tool.js';
export * from './session.js';
export * from './item.js';
export * from './response.js';
export * from './error.js';
export * from './client-events.js';
export * from './server-events.js';
