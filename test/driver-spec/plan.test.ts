/**
 * Hook plans: modes in order, actions per mode with their workflow types, the built-in Helm
 * release step when core has no action.
 */
import { loadDriver, type LoadedDriver } from '../../driver-spec/load.js';
import { planHook } from '../../driver-spec/plan.js';
import { repoRoot, specFixture } from './helpers.js';

let exampleApp: LoadedDriver;

beforeAll(async () => {
  exampleApp = await loadDriver(`${repoRoot}drivers/example-app`);
});

const summary = (driver: Parameters<typeof planHook>[0], hook: 'setup' | 'upgrade') =>
  planHook(driver, hook).map((mode) => [
    mode.mode,
    mode.steps.map((step) => (step.kind === 'action' ? step.workflowType : step.name)),
  ]);

describe('planHook', () => {
  it('plans the upgrade of example-app: two actions side by side in pre and post, Helm in core', () => {
    expect(summary(exampleApp, 'upgrade')).toEqual([
      ['pre', ['example-app@1/stop_workers', 'example-app@1/announce_maintenance']],
      ['core', ['helm-release']],
      ['post', ['example-app@1/migrate_and_restart', 'example-app@1/smoke_test_upgrade']],
    ]);
  });

  it('gives each planned action its hook, mode, name and description', () => {
    const [pre] = planHook(exampleApp, 'setup');
    expect(pre!.steps).toEqual([
      {
        kind: 'action',
        name: 'check_prerequisites',
        hook: 'setup',
        mode: 'pre',
        workflowType: 'example-app@1/check_prerequisites',
        description: 'Verify the namespace and cluster are ready for a first install.',
      },
    ]);
  });

  it('accepts a bare spec and lets a core action replace the Helm release step', async () => {
    const fixture = await loadDriver(specFixture('valid-with-actions'));
    expect(summary(fixture.spec, 'setup')).toEqual([
      ['pre', ['fixture-app@7/prepare']],
      ['core', ['fixture-app@7/install']],
      ['post', []],
    ]);
  });

  it('plans a driver without actions as the Helm release step alone', async () => {
    const original = await loadDriver(specFixture('original-no-actions'));
    expect(summary(original, 'upgrade')).toEqual([
      ['pre', []],
      ['core', ['helm-release']],
      ['post', []],
    ]);
  });
});
