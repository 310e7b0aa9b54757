/** The workflows the worker registers by name; driver actions are added by the bundle entry. */
export { setup, upgrade } from './hooks.js';
export { deploymentLock } from './lock.js';
