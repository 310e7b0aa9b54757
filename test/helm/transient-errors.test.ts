/** Which helm failures the release step retries: helm's own wording of API and connection errors. */
import { isTransientHelmFailure } from '../../activities/helm/binary.js';

const failed = (stderr: string) => isTransientHelmFailure({ args: [], code: 1, signal: null, stdout: '', stderr });

describe('isTransientHelmFailure', () => {
  it.each([
    'Error: UPGRADE FAILED: an error on the server ("unknown") has prevented the request from succeeding (get deployments.apps example-app-server)',
    'Error: INSTALLATION FAILED: Internal error occurred: injected fault',
    'Error: UPGRADE FAILED: the server is currently unable to handle the request (get secrets)',
    'Error: query: failed to query with labels: the server has received too many requests and has asked us to try again later (get secrets)',
    'Error: UPGRADE FAILED: the server was unable to return a response in the time allotted, but may still be processing the request',
    "Error: UPGRADE FAILED: couldn't get resource list for metrics.k8s.io/v1beta1: the server is currently unable to handle the request",
    'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused',
    'Error: UPGRADE FAILED: Operation cannot be fulfilled on deployments.apps "server": the object has been modified; please apply your changes to the latest version and try again',
    'Error: UPGRADE FAILED: another operation (install/upgrade/rollback) is in progress',
    'Error: INSTALLATION FAILED: etcdserver: request timed out',
    'Error: UPGRADE FAILED: read tcp 127.0.0.1:51234->127.0.0.1:6443: read: connection reset by peer',
    'Error: looks like "http://127.0.0.1:8879" is not a valid chart repository: Get "http://127.0.0.1:8879/index.yaml": unexpected EOF',
  ])('retries: %s', (stderr) => {
    expect(failed(stderr)).toBe(true);
  });

  it.each([
    'Error: INSTALLATION FAILED: template: example-app/templates/server.yaml:12:20: executing "example-app/templates/server.yaml" at <.Values.image.tag>: nil pointer evaluating interface {}.tag',
    'Error: UPGRADE FAILED: cannot patch "example-app-server" with kind Deployment: Deployment.apps "example-app-server" is invalid: spec.selector: Invalid value: v1.LabelSelector{}: field is immutable',
    'Error: UPGRADE FAILED: context deadline exceeded',
    'Error: INSTALLATION FAILED: timed out waiting for the condition',
    'Error: chart "example-app" version "9.9.9" not found in http://127.0.0.1:8879 repository',
    'Error: UPGRADE FAILED: deployments.apps "example-app-server" is forbidden: User "system:serviceaccount:styrmin:worker" cannot patch resource "deployments" in API group "apps"',
  ])('fails at once: %s', (stderr) => {
    expect(failed(stderr)).toBe(false);
  });
});
