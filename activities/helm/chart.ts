/** Where a driver's chart comes from (`spec.helm.main.location`), as helm arguments. */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../contract/failures.js';

/** The chart part of a `helm upgrade --install <release> ...` command line. */
export interface ChartSource {
  /** Arguments after the release name: the chart reference plus `--repo` / `--version`. */
  args: string[];
  /** Name of the chart, as the release reports it. */
  chartName: string;
  /** Chart version: the pinned one, or a local chart folder's own (its Chart.yaml decides). */
  version: string;
}

/**
 * `oci://host/path/name` is passed as is (chart name: last path segment); an HTTP(S) URL is a
 * chart repository, used as `--repo <url> <chart>` where the chart is the URL's `#fragment` or
 * else the application's name; `./dir` is a chart folder inside the driver (for development).
 */
export function chartSource(
  chart: { location: string; version: string },
  appName: string,
  driverDir: string,
): ChartSource {
  const { location, version } = chart;
  if (location.startsWith('oci://')) {
    const last = location.replace(/\/+$/, '').split('/').pop() ?? '';
    const chartName = last.replace(/[:@].*$/, '');
    return { args: [location, '--version', version], chartName, version };
  }
  if (/^https?:\/\//.test(location)) {
    const [repo = location, fragment] = location.split('#');
    const chartName = fragment || appName;
    return { args: ['--repo', repo, chartName, '--version', version], chartName, version };
  }
  if (location.startsWith('./') || location.startsWith('../')) {
    const dir = path.resolve(driverDir, location);
    const meta = parse(fs.readFileSync(path.join(dir, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
    return { args: [dir], chartName: meta.name, version: String(meta.version) };
  }
  throw ApplicationFailure.create({
    type: FailureType.InvalidDriver,
    nonRetryable: true,
    message: `chart location "${location}" is neither an oci:// reference, an HTTP(S) chart repository nor a ./folder`,
  });
}
