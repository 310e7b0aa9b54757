/**
 * The end-to-end setting: the example environment (the cluster in STYRMIN_TEST_KUBECONFIG or the
 * Kubernetes API test server, and the example chart served on 127.0.0.1) with a harness whose
 * workers use it.
 */
import { startExampleEnvironment, type ExampleEnvironment } from '../../scripts/example-environment.js';
import { startHarness, type EngineHarness } from '../workflows/harness.js';

export interface ExampleHarness {
  harness: EngineHarness;
  environment: ExampleEnvironment;
  close(): Promise<void>;
}

/** How the example environment is set up. */
export interface ExampleHarnessOptions {
  /**
   * Use the Kubernetes API test server, its pods ready after this many ms, even when
   * STYRMIN_TEST_KUBECONFIG names a cluster: for tests of its faults or its timing.
   */
  testServerReadyDelayMs?: number;
}

/** Starts the example environment and a harness serving the drivers in `driverDirs` against it. */
export async function startExampleHarness(
  driverDirs: string[],
  options: ExampleHarnessOptions = {},
): Promise<ExampleHarness> {
  const testServerOnly = options.testServerReadyDelayMs !== undefined;
  const environment = await startExampleEnvironment({
    kubeconfigPath: testServerOnly ? undefined : process.env.STYRMIN_TEST_KUBECONFIG,
    useConfiguredCluster: false,
    readyDelayMs: options.testServerReadyDelayMs ?? 200,
  });
  const harness = await startHarness(driverDirs, {
    kubeConfig: environment.kubeConfig,
    defaults: { chartLocations: { 'example-app': environment.chartRepositoryUrl } },
  });
  return {
    harness,
    environment,
    async close() {
      await harness.close();
      await environment.close();
    },
  };
}
