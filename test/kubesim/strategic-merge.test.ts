import { mergePatch } from '../../kubesim/patch.js';
import { strategicMerge } from '../../kubesim/strategic-merge.js';

const pod = {
  metadata: { labels: { a: '1', b: '2' }, finalizers: ['x'] },
  spec: {
    containers: [
      {
        name: 'main',
        image: 'v1',
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '2' },
        ],
        ports: [{ containerPort: 80 }],
      },
      { name: 'side', image: 's1' },
    ],
    tolerations: [{ key: 'k' }],
  },
};

describe('strategic merge patch', () => {
  it('merges containers and env by name and ports by containerPort, replaces lists without a merge key', () => {
    const patched = strategicMerge(pod, {
      spec: {
        containers: [
          {
            name: 'main',
            env: [
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
            ports: [{ containerPort: 81 }],
          },
        ],
        tolerations: [{ key: 'other' }],
      },
    });
    expect(patched).toEqual({
      metadata: pod.metadata,
      spec: {
        containers: [
          {
            name: 'main',
            image: 'v1',
            env: [
              { name: 'A', value: '1' },
              { name: 'B', value: '3' },
              { name: 'C', value: '4' },
            ],
            ports: [{ containerPort: 80 }, { containerPort: 81 }],
          },
          { name: 'side', image: 's1' },
        ],
        tolerations: [{ key: 'other' }],
      },
    });
  });

  it('honours $patch: delete and replace, null deletions, $retainKeys, $setElementOrder and $deleteFromPrimitiveList', () => {
    const patched = strategicMerge(pod, {
      metadata: { labels: { a: null }, '$deleteFromPrimitiveList/finalizers': ['x'] },
      spec: {
        $retainKeys: ['containers'],
        containers: [{ name: 'side', $patch: 'delete' }],
        '$setElementOrder/containers': [{ name: 'main' }],
      },
    });
    expect(patched).toEqual({
      metadata: { labels: { b: '2' }, finalizers: [] },
      spec: { containers: [pod.spec.containers[0]] },
    });
    expect(strategicMerge(pod, { spec: { $patch: 'replace', containers: [] } })).toEqual({
      metadata: pod.metadata,
      spec: { containers: [] },
    });
  });
});

describe('JSON merge patch', () => {
  it('replaces lists whole and deletes keys set to null', () => {
    expect(mergePatch(pod, { metadata: { labels: { b: null } }, spec: { containers: [{ name: 'only' }] } })).toEqual({
      metadata: { labels: { a: '1' }, finalizers: ['x'] },
      spec: { containers: [{ name: 'only' }], tolerations: [{ key: 'k' }] },
    });
  });
});
