/** Every activity the worker registers, built from its dependencies. */
import type { Client } from '@temporalio/client';
import type { LoadedDriver } from '../spec/load.js';
import type { ContextDefaults } from './context.js';
import { checkHttp } from './http.js';
import { createRunActivities } from './run.js';

/** What the activities need from the worker. */
export interface ActivityDeps {
  drivers: LoadedDriver[];
  client: Client;
  defaults?: ContextDefaults;
}

/** The worker's activities; workflows import only this type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createRunActivities(deps),
    checkHttp,
  };
}

export type Activities = ReturnType<typeof createActivities>;
