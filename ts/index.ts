export { createYataScale, YataScale } from './store.js';
export { DEFAULT_STORE_PATH } from './config.js';
export * from './errors.js';
export type * from './types.js';
export * from './compat/index.js';
