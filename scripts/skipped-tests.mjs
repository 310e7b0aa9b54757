// Reads a Jest JSON report and checks that every skipped test carries the tag of the tier that
// skips it: "(kubesim only" on the real control plane, "(real cluster only" on kubesim. Prints
// the count; exits 1 when a test was skipped without that tag.
// Usage: node scripts/skipped-tests.mjs <report.json> <kubesim|real>
import { readFileSync } from 'node:fs';

const [reportFile, tier] = process.argv.slice(2);
const tag = tier === 'real' ? '(kubesim only' : '(real cluster only';
const report = JSON.parse(readFileSync(reportFile, 'utf8'));
const skipped = report.testResults.flatMap((file) =>
  file.assertionResults
    .filter((test) => test.status === 'pending' || test.status === 'skipped' || test.status === 'todo')
    .map((test) => ({ file: file.name, name: test.fullName })),
);
const untagged = skipped.filter((test) => !test.name.includes(tag));
console.log(
  `${tier} tier: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ` +
    `${skipped.length} skipped (${skipped.length - untagged.length} tagged "${tag})")`,
);
for (const test of untagged) console.error(`skipped without "${tag})": ${test.name} (${test.file})`);
process.exit(untagged.length > 0 ? 1 : 0);
