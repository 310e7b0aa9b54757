import { chartSource } from '../../activities/helm/chart.js';
import { planPendingRecovery, type ReleaseRevision } from '../../activities/helm/history.js';
import { findHelm } from '../../activities/helm/binary.js';
import { FailureType } from '../../contract/failures.js';

const at = (iso: string): Date => new Date(iso);

function revision(revision: number, status: string, updated: string): ReleaseRevision {
  return { revision, status, updated, chart: `example-app-1.0.${revision}`, appVersion: '1.0.0', description: '' };
}

describe('pending release recovery plan', () => {
  const staleAfterMs = 120_000;

  it('does nothing for a release that is not pending, or does not exist', () => {
    expect(planPendingRecovery([], at('2026-01-01T00:00:00Z'), staleAfterMs)).toEqual({ kind: 'none' });
    const history = [revision(1, 'superseded', '2026-01-01T00:00:00Z'), revision(2, 'failed', '2026-01-01T00:01:00Z')];
    expect(planPendingRecovery(history, at('2026-01-01T01:00:00Z'), staleAfterMs)).toEqual({ kind: 'none' });
  });

  it('waits while a pending revision is younger than the helm timeout plus grace', () => {
    const history = [
      revision(1, 'deployed', '2026-01-01T00:00:00Z'),
      revision(2, 'pending-upgrade', '2026-01-01T00:10:00Z'),
    ];
    const plan = planPendingRecovery(history, at('2026-01-01T00:11:00Z'), staleAfterMs);
    expect(plan).toMatchObject({ kind: 'wait', pending: { revision: 2 }, ageMs: 60_000 });
  });

  it('rolls an abandoned upgrade back to the newest good revision', () => {
    const history = [
      revision(1, 'superseded', '2026-01-01T00:00:00Z'),
      revision(2, 'deployed', '2026-01-01T00:05:00Z'),
      revision(3, 'pending-upgrade', '2026-01-01T00:10:00Z'),
    ];
    const plan = planPendingRecovery(history, at('2026-01-01T00:20:00Z'), staleAfterMs);
    expect(plan).toMatchObject({ kind: 'rollback', pending: { revision: 3 }, to: { revision: 2 } });
  });

  it('uninstalls an abandoned first install, which has nothing to roll back to', () => {
    const plan = planPendingRecovery(
      [revision(1, 'pending-install', '2026-01-01T00:00:00Z')],
      at('2026-01-02T00:00:00Z'),
      staleAfterMs,
    );
    expect(plan).toMatchObject({ kind: 'uninstall', pending: { revision: 1 } });
  });
});

describe('chart sources', () => {
  it('passes an oci reference as is and names the chart after its last segment', () => {
    expect(
      chartSource({ location: 'oci://registry.example.com/charts/infrahub', version: '4.1.0' }, 'app', '/d'),
    ).toEqual({
      args: ['oci://registry.example.com/charts/infrahub', '--version', '4.1.0'],
      chartName: 'infrahub',
      version: '4.1.0',
    });
  });

  it('uses an HTTP location as a chart repository, the chart named by the fragment or the app', () => {
    expect(chartSource({ location: 'https://charts.example.com', version: '1.0.0' }, 'example-app', '/d').args).toEqual(
      ['--repo', 'https://charts.example.com', 'example-app', '--version', '1.0.0'],
    );
    expect(
      chartSource({ location: 'https://charts.example.com/stable#web', version: '2' }, 'example-app', '/d'),
    ).toMatchObject({
      args: ['--repo', 'https://charts.example.com/stable', 'web', '--version', '2'],
      chartName: 'web',
    });
  });

  it('rejects a location of another form as an invalid driver', () => {
    expect(() => chartSource({ location: 'charts/example', version: '1' }, 'a', '/d')).toThrow(
      expect.objectContaining({ type: FailureType.InvalidDriver, nonRetryable: true }),
    );
  });
});

describe('finding helm', () => {
  it('prefers HELM_BIN and fails clearly when it is not executable', () => {
    expect(findHelm({ HELM_BIN: findHelm(), PATH: '' })).toBe(findHelm());
    expect(() => findHelm({ HELM_BIN: '/nonexistent/helm', PATH: '' })).toThrow(
      /HELM_BIN=\/nonexistent\/helm is not an executable file.*install-helm\.sh/,
    );
  });
});
